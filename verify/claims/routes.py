"""HTTP edge of claims: read, lease, review, reshape, approve, audit. Roles: reviewer and
editor (approval: editor only). Responses carry the claim's version as ETag."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Response, status

from services.auth import Principal, Role
from services.errors import ValidationFailed
from services.http import require
from services.http.openapi import AUTH_PROBLEMS, NOT_FOUND
from verify.claims import service, structure
from verify.claims.repository import ClaimRecord
from verify.claims.schemas import (
    AddClaimIn,
    ApprovalIn,
    AttributionDraft,
    ClaimOut,
    DismissIn,
    History,
    HistoryEntry,
    LeaseIn,
    MergeIn,
    MergeOut,
    ReviewIn,
    SplitIn,
    SplitOut,
)
from verify.common import utcnow
from verify.edge import REVIEWERS, ContextDep, actor_of, etag, optional_version, required_version

router = APIRouter(prefix="/v1", tags=["claims"], responses={**AUTH_PROBLEMS, **NOT_FOUND})

Reviewer = Annotated[Principal, Depends(require(*REVIEWERS))]
Editor = Annotated[Principal, Depends(require(Role.EDITOR))]
ClaimIdPath = Annotated[str, Path(min_length=1, max_length=64)]
StoryIdPath = Annotated[str, Path(min_length=1, max_length=200)]
IfMatch = Annotated[int, Depends(required_version)]
IfMatchOptional = Annotated[int | None, Depends(optional_version)]


def _out(
    response: Response, claim: ClaimRecord, suggested: list[AttributionDraft] | None = None
) -> ClaimOut:
    response.headers["ETag"] = etag(claim.version)
    return ClaimOut.of(claim, utcnow(), suggested)


@router.get("/claims/{claim_id}", summary="A claim (ETag: its version)")
def get_claim(
    claim_id: ClaimIdPath,
    response: Response,
    _: Reviewer,
    prefill: Annotated[bool, Query(description="Add suggested attribution drafts")] = False,
) -> ClaimOut:
    claim = service.get(claim_id)
    return _out(response, claim, suggested=service.suggested(claim) if prefill else None)


@router.get(
    "/claims/{claim_id}/suggested-attributions",
    summary="Attribution drafts prefilled from what detection found",
)
def suggested_attributions(claim_id: ClaimIdPath, _: Reviewer) -> list[AttributionDraft]:
    return service.suggested(service.get(claim_id))


@router.get("/claims/{claim_id}/history", summary="The claim's audit, oldest first")
def claim_history(claim_id: ClaimIdPath, _: Reviewer) -> History:
    entries = [HistoryEntry.model_validate(e) for e in service.history(claim_id)]
    return History(claim_id=claim_id, entries=entries)


@router.post(
    "/claims/{claim_id}/lease",
    summary="Check the claim out for review (or renew); 409 while another holds it",
)
def lease_claim(
    claim_id: ClaimIdPath,
    principal: Reviewer,
    response: Response,
    context: ContextDep,
    given: Annotated[LeaseIn | None, Body()] = None,
) -> ClaimOut:
    seconds = (given.lease_seconds if given else None) or context.lease_seconds
    claim = service.lease(
        claim_id, actor_of(principal), seconds, utcnow(context.clock), context.story_changed
    )
    return _out(response, claim)


@router.delete("/claims/{claim_id}/lease", summary="Give the claim back (its holder, or an editor)")
def release_claim(
    claim_id: ClaimIdPath, response: Response, principal: Reviewer, context: ContextDep
) -> ClaimOut:
    claim = service.release(
        claim_id, actor_of(principal), utcnow(context.clock), context.story_changed
    )
    return _out(response, claim)


@router.post(
    "/claims/{claim_id}/review",
    summary="Mark the claim (If-Match: its ETag; 412 stale, 428 missing, 400 not an ETag)",
)
def review_claim(
    claim_id: ClaimIdPath,
    principal: Reviewer,
    given: ReviewIn,
    version: IfMatch,
    response: Response,
    context: ContextDep,
) -> ClaimOut:
    claim = service.review(
        claim_id,
        given,
        version,
        actor_of(principal),
        context.lease_seconds,
        utcnow(context.clock),
        context.story_changed,
    )
    return _out(response, claim)


@router.post("/claims/{claim_id}/dismiss", summary="Not a claim: status not_a_claim")
def dismiss_claim(
    claim_id: ClaimIdPath,
    principal: Reviewer,
    given: DismissIn,
    version: IfMatchOptional,
    response: Response,
    context: ContextDep,
) -> ClaimOut:
    claim = service.dismiss(
        claim_id,
        given.reason,
        version,
        actor_of(principal),
        context.lease_seconds,
        utcnow(context.clock),
        context.story_changed,
    )
    return _out(response, claim)


@router.post(
    "/claims/{claim_id}/attributions/{attribution_id}/approval",
    summary="An editor approves an anonymous source, with the reason",
)
def approve_attribution(
    claim_id: ClaimIdPath,
    attribution_id: Annotated[str, Path(min_length=1, max_length=64)],
    principal: Editor,
    given: ApprovalIn,
    version: IfMatchOptional,
    response: Response,
    context: ContextDep,
) -> ClaimOut:
    claim = service.approve(
        claim_id,
        attribution_id,
        given.reason,
        version,
        actor_of(principal),
        utcnow(context.clock),
        context.story_changed,
    )
    return _out(response, claim)


@router.post(
    "/stories/{story_id}/claims",
    status_code=status.HTTP_201_CREATED,
    summary="Add a claim detection missed, by start/end or by its text",
)
def add_claim(
    story_id: StoryIdPath,
    principal: Reviewer,
    given: AddClaimIn,
    response: Response,
    context: ContextDep,
) -> ClaimOut:
    span = _span(given)
    claim = structure.add(
        story_id,
        span,
        given.text,
        actor_of(principal),
        utcnow(context.clock),
        context.story_changed,
    )
    response.headers["Location"] = f"/v1/claims/{claim.claim_id}"
    return _out(response, claim)


def _span(given: AddClaimIn) -> tuple[int, int] | None:
    if given.text is None and given.start is not None and given.end is not None:
        return given.start, given.end
    if given.text is not None and given.start is None and given.end is None:
        return None
    raise ValidationFailed(
        "Give either start and end, or text.",
        [{"loc": ["body"], "msg": "start and end, or text", "type": "value_error"}],
    )


@router.post(
    "/claims/{claim_id}/split",
    status_code=status.HTTP_201_CREATED,
    summary="Split a claim at body offsets into pending claims",
)
def split_claim(
    claim_id: ClaimIdPath,
    principal: Reviewer,
    given: SplitIn,
    version: IfMatchOptional,
    context: ContextDep,
) -> SplitOut:
    now = utcnow(context.clock)
    old, parts = structure.split(
        claim_id, given.at, version, actor_of(principal), now, context.story_changed
    )
    return SplitOut(closed=ClaimOut.of(old, now), claims=[ClaimOut.of(p, now) for p in parts])


@router.post(
    "/claims/merge",
    status_code=status.HTTP_201_CREATED,
    summary="Merge claims of one story (adjacent or not) into one pending claim",
)
def merge_claims(
    given: MergeIn, response: Response, principal: Reviewer, context: ContextDep
) -> MergeOut:
    now = utcnow(context.clock)
    old, merged = structure.merge(given.claim_ids, actor_of(principal), now, context.story_changed)
    response.headers["Location"] = f"/v1/claims/{merged.claim_id}"
    return MergeOut(closed=[ClaimOut.of(c, now) for c in old], claim=ClaimOut.of(merged, now))
