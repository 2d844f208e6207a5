"""The editors' desk over HTTP: gate, publish, retract, list by state."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Response

from publish.deps import PublishDep
from publish.feeds.links import story_url
from publish.stories import service
from publish.stories.model import State, StoryRow
from publish.stories.schemas import (
    CorrectionFlagOut,
    GateOut,
    PublishRequest,
    ReleaseOut,
    RetractRequest,
    StoryOut,
    StoryPage,
)
from services.auth import Principal, Role
from services.cursors import decode_keyset, encode_keyset
from services.http import require
from services.http.deps import PageCursor, PageLimit

router = APIRouter(prefix="/v1/stories", tags=["stories"])

GateReader = Annotated[Principal, Depends(require(Role.EDITOR, Role.REVIEWER))]
Editor = Annotated[Principal, Depends(require(Role.EDITOR))]

_PROBLEMS: dict[int | str, dict[str, str]] = {
    401: {"description": "No or bad token"},
    403: {"description": "Role not allowed"},
    404: {"description": "Unknown story"},
}


@router.get("/{story_id}/gate", response_model=GateOut, responses=_PROBLEMS)
def gate(story_id: str, _: GateReader) -> Response:
    """Whether the story's current revision may be released, and if not, why: every
    blocking claim, what it lacks and who holds it."""
    state, verdict = service.gate_verdict(story_id)
    # The verdict is stored as the JSON object GateOut's other fields complete; it is
    # spliced in, not decoded and validated again (a 1,000-claim verdict is 250 kB).
    head = json.dumps({"story_id": story_id, "state": state.value})
    return Response(f"{head[:-1]},{verdict[1:]}", media_type="application/json")


@router.post(
    "/{story_id}/publish",
    response_model=ReleaseOut,
    responses={
        **_PROBLEMS,
        409: {"description": "Blocked by the publish rule (with blockers), or changed meanwhile"},
        412: {"description": "The story changed since the `version` given: nothing released"},
        503: {"description": "Verify could not confirm the story: nothing released"},
    },
)
def publish(
    story_id: str,
    principal: Editor,
    ctx: PublishDep,
    body: Annotated[PublishRequest | None, Body()] = None,
) -> ReleaseOut:
    """Release the current revision (or correct a released story) after confirming it
    with verify. Refused (409) with the blockers when the publish rule does not hold."""
    ask = body or PublishRequest()
    note = ask.correction or None
    outcome = service.release(
        ctx.desk,
        ctx.verify,
        story_id,
        actor=principal.name,
        revision=ask.revision,
        version=ask.version,
        note=note,
    )
    ctx.released(outcome)
    return _release_out(ctx.desk.base_url, outcome)


@router.post(
    "/{story_id}/retract",
    response_model=ReleaseOut,
    responses={**_PROBLEMS, 409: {"description": "The story was never released"}},
)
def retract(story_id: str, body: RetractRequest, principal: Editor, ctx: PublishDep) -> ReleaseOut:
    """Withdraw a released story: every feed shows it as retracted, with the reason."""
    outcome = service.retract(ctx.desk, story_id, reason=body.reason, actor=principal.name)
    ctx.released(outcome)
    return _release_out(ctx.desk.base_url, outcome)


@router.get("", response_model=StoryPage, responses=_PROBLEMS)
def list_stories(
    _: Editor,
    state: State | None = None,
    section: Annotated[str | None, Query(max_length=50)] = None,
    cursor: PageCursor = None,
    limit: PageLimit = 50,
) -> StoryPage:
    """Stories by state (held, publishable, published, needs_correction, retracted),
    latest change first."""
    rows = service.list_stories(state, section, _decode(cursor), limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = _encode(rows[-1]) if more else None
    return StoryPage(items=[_story_out(row) for row in rows], next_cursor=next_cursor)


def _release_out(base_url: str, outcome: service.Released) -> ReleaseOut:
    publication = outcome.publication
    return ReleaseOut(
        story_id=publication.story_id,
        action=outcome.action or "unchanged",
        revision=publication.revision,
        version=publication.version,
        url=story_url(base_url, publication.story_id),
        first_published_at=publication.first_published_at,
        modified_at=publication.modified_at,
        retracted=publication.retracted is not None,
    )


def _story_out(row: StoryRow) -> StoryOut:
    return StoryOut(
        story_id=row.story_id,
        headline=row.headline,
        section=row.section,
        revision=row.revision,
        version=row.version,
        state=row.state,
        publishable=row.publishable,
        blockers=row.blockers,
        needs_correction=row.needs_correction,
        correction_reasons=row.correction_reasons,
        correction_flags=[
            CorrectionFlagOut.model_validate(f.model_dump(exclude={"flag_id"}))
            for f in row.correction_flags
        ],
        published_revision=row.published_revision,
        publish_when_cleared=row.snapshot.publish_when_cleared,
        changed_at=row.changed_at,
    )


def _encode(row: StoryRow) -> str:
    return encode_keyset(row.changed_at, row.story_id)


def _decode(cursor: str | None) -> tuple[datetime, str] | None:
    return decode_keyset(cursor) if cursor else None
