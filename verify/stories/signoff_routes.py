"""HTTP edge of rule 0: a story's claim list (the sentences no claim covers) and its
confirmation. Reviewers and editors: confirming what is a claim is reviewing, and an
editor may do whatever a reviewer may; a reporter may not sign off their own story."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from services.auth import Principal
from services.http import require
from services.http.openapi import AUTH_PROBLEMS, NOT_FOUND
from verify.common import utcnow
from verify.edge import REVIEWERS, ContextDep, actor_of, etag
from verify.stories import signoff

router = APIRouter(prefix="/v1", tags=["stories"], responses={**AUTH_PROBLEMS, **NOT_FOUND})

Reviewer = Annotated[Principal, Depends(require(*REVIEWERS))]
StoryIdPath = Annotated[str, Path(min_length=1, max_length=200)]


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    revision: int = Field(
        ge=1, le=1_000_000, description="The revision whose claim list you checked"
    )


class SentenceOut(BaseModel):
    index: int = Field(description="Its place among the body's sentences, from 0")
    start: int
    end: int
    text: str
    checked: bool = Field(description="A confirmed claim list of this story held it already")


class ConfirmationOut(BaseModel):
    revision: int
    version: int = Field(description="The story's version the confirmation made")
    at: datetime
    actor: dict[str, str]
    sentences: int
    uncovered: int = Field(description="Sentences inside no claim, seen and left as they were")
    checked_before: int = Field(description="Sentences an earlier confirmation covered")


class ClaimListOut(BaseModel):
    story_id: str
    revision: int = Field(description="The story's current revision")
    version: int
    confirmed: bool = Field(description="A reviewer confirmed this revision's claim list")
    confirmed_revision: int | None = Field(
        description="The last revision whose claim list was confirmed (or kept a confirmation)"
    )
    sentences: int
    sentences_to_check: int = Field(
        description="Sentences of this revision no confirmation covers yet"
    )
    uncovered: list[SentenceOut] = Field(
        description="The sentences no claim of this revision covers, in body order; make a "
        "claim of one with POST /v1/stories/{story_id}/claims {start, end}"
    )
    confirmations: list[ConfirmationOut] = Field(description="Who confirmed what, oldest first")


def _out(response: Response, found: signoff.ClaimList) -> ClaimListOut:
    response.headers["ETag"] = etag(found.version)
    return ClaimListOut(
        story_id=found.story_id,
        revision=found.revision,
        version=found.version,
        confirmed=found.confirmed,
        confirmed_revision=found.confirmed_revision,
        sentences=found.sentences,
        sentences_to_check=found.sentences_to_check,
        uncovered=[SentenceOut(**vars(s)) for s in found.uncovered],
        confirmations=[ConfirmationOut(**vars(c)) for c in found.confirmations],
    )


@router.get(
    "/stories/{story_id}/claim-list",
    summary="The current revision's claim list: sentences no claim covers, confirmations",
)
def get_claim_list(story_id: StoryIdPath, _: Reviewer, response: Response) -> ClaimListOut:
    return _out(response, signoff.claim_list(story_id))


@router.post(
    "/stories/{story_id}/claim-list/confirm",
    summary="Confirm the claim list of the current revision (rule 0 of the publish rule)",
    responses={
        409: {
            "description": "The revision is not the current one, or its claims are still "
            "being detected (a newer revision verify has not stored yet)"
        }
    },
)
def confirm_claim_list(
    story_id: StoryIdPath,
    given: ConfirmIn,
    principal: Reviewer,
    response: Response,
    context: ContextDep,
) -> ClaimListOut:
    found = signoff.confirm(
        story_id,
        given.revision,
        actor_of(principal),
        utcnow(context.clock),
        context.story_changed,
    )
    return _out(response, found)
