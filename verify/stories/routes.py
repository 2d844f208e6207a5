"""HTTP edge of stories and their claims.

Claims: read, lease, review, reshape, approve, audit. Roles: reviewer and editor
(approval: editor only). Responses carry the claim's version as ETag.
Stories: the snapshot publish reads to heal missed ``stories.reviewed`` events. Story:
reviewer, editor, service, and a reporter for their own story. Snapshots: service, editor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Response, status

from services.auth import Principal, Role
from services.contracts import StoryReviewed
from services.errors import ValidationFailed
from services.http import require
from services.http.conditional import none_match
from services.http.deps import PageCursor
from services.http.openapi import AUTH_PROBLEMS, NOT_FOUND
from verify.common import utcnow
from verify.edge import REVIEWERS, ContextDep, actor_of, etag, optional_version, required_version
from verify.stories import restructure, review, snapshot
from verify.stories.records import ClaimRecord
from verify.stories.schemas import (
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
    SnapshotPageOut,
    SplitIn,
    SplitOut,
    StoryVersionOut,
    VersionPageOut,
)

router = APIRouter(prefix="/v1", tags=["claims"], responses={**AUTH_PROBLEMS, **NOT_FOUND})
stories_router = APIRouter(prefix="/v1", tags=["stories"], responses={**AUTH_PROBLEMS, **NOT_FOUND})

Reviewer = Annotated[Principal, Depends(require(*REVIEWERS))]
Editor = Annotated[Principal, Depends(require(Role.EDITOR))]
ClaimIdPath = Annotated[str, Path(min_length=1, max_length=64)]
StoryIdPath = Annotated[str, Path(min_length=1, max_length=200)]
IfMatch = Annotated[int, Depends(required_version)]
IfMatchOptional = Annotated[int | None, Depends(optional_version)]
HELD: dict[str, Any] = {
    "description": "Another reviewer holds the claim (`holder`, `lease_until`; `Retry-After`: "
    "whole seconds until the lease ends), or the claim is closed (`closed_reason`)",
    "headers": {
        "Retry-After": {
            "description": "While another holds the claim: seconds until the lease ends "
            "(rounded up, at least 1)",
            "schema": {"type": "integer", "minimum": 1},
        }
    },
}


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
    claim = review.get(claim_id)
    return _out(response, claim, suggested=review.suggested(claim) if prefill else None)


@router.get(
    "/claims/{claim_id}/suggested-attributions",
    summary="Attribution drafts prefilled from what detection found",
)
def suggested_attributions(claim_id: ClaimIdPath, _: Reviewer) -> list[AttributionDraft]:
    return review.suggested(review.get(claim_id))


@router.get("/claims/{claim_id}/history", summary="The claim's audit, oldest first")
def claim_history(claim_id: ClaimIdPath, _: Reviewer) -> History:
    entries = [HistoryEntry.model_validate(e) for e in review.history(claim_id)]
    return History(claim_id=claim_id, entries=entries)


@router.post(
    "/claims/{claim_id}/lease",
    summary="Check the claim out for review (or renew); 409 while another holds it",
    responses={409: HELD},
)
def lease_claim(
    claim_id: ClaimIdPath,
    principal: Reviewer,
    response: Response,
    context: ContextDep,
    given: Annotated[LeaseIn | None, Body()] = None,
) -> ClaimOut:
    seconds = (given.lease_seconds if given else None) or context.lease_seconds
    claim = review.lease(
        claim_id, actor_of(principal), seconds, utcnow(context.clock), context.story_changed
    )
    return _out(response, claim)


@router.delete("/claims/{claim_id}/lease", summary="Give the claim back (its holder, or an editor)")
def release_claim(
    claim_id: ClaimIdPath, response: Response, principal: Reviewer, context: ContextDep
) -> ClaimOut:
    claim = review.release(
        claim_id, actor_of(principal), utcnow(context.clock), context.story_changed
    )
    return _out(response, claim)


@router.post(
    "/claims/{claim_id}/review",
    summary="Mark the claim (If-Match: its ETag; 412 stale, 428 missing, 400 not an ETag)",
    responses={409: HELD},
)
def review_claim(
    claim_id: ClaimIdPath,
    principal: Reviewer,
    given: ReviewIn,
    version: IfMatch,
    response: Response,
    context: ContextDep,
) -> ClaimOut:
    claim = review.review(
        claim_id,
        given,
        version,
        actor_of(principal),
        utcnow(context.clock),
        context.story_changed,
    )
    context.claim_reviewed(claim)
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
    claim = review.dismiss(
        claim_id,
        given.reason,
        version,
        actor_of(principal),
        utcnow(context.clock),
        context.story_changed,
    )
    context.claim_reviewed(claim)
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
    claim = review.approve(
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
    responses={409: {"description": "It overlaps a claim, or the revision is at its claims "
                                    "limit (max_claims_per_revision)"}},
)  # fmt: skip
def add_claim(
    story_id: StoryIdPath,
    principal: Reviewer,
    given: AddClaimIn,
    response: Response,
    context: ContextDep,
) -> ClaimOut:
    span = _span(given)
    claim = restructure.add(
        story_id,
        span,
        given.text,
        actor_of(principal),
        utcnow(context.clock),
        context.story_changed,
        context.max_claims,
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
    responses={409: {"description": "The parts would take the revision over its claims "
                                    "limit (max_claims_per_revision)"}},
)  # fmt: skip
def split_claim(
    claim_id: ClaimIdPath,
    principal: Reviewer,
    given: SplitIn,
    version: IfMatchOptional,
    context: ContextDep,
) -> SplitOut:
    now = utcnow(context.clock)
    old, parts = restructure.split(
        claim_id, given.at, version, actor_of(principal), now, context.story_changed,
        context.max_claims,
    )  # fmt: skip
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
    old, merged = restructure.merge(
        given.claim_ids, actor_of(principal), now, context.story_changed
    )
    response.headers["Location"] = f"/v1/claims/{merged.claim_id}"
    return MergeOut(closed=[ClaimOut.of(c, now) for c in old], claim=ClaimOut.of(merged, now))


# --- stories ------------------------------------------------------------------------------

StoryReader = Annotated[
    Principal, Depends(require(Role.REVIEWER, Role.EDITOR, Role.SERVICE, Role.REPORTER))
]
SnapshotReader = Annotated[Principal, Depends(require(Role.SERVICE, Role.EDITOR))]


@stories_router.get(
    "/stories/{story_id}",
    response_model=StoryReviewed,
    summary="The story's current revision with its claims (the StoryReviewed snapshot)",
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
def get_story(
    story_id: Annotated[str, Path(min_length=1, max_length=200)],
    response: Response,
    principal: StoryReader,
    if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
    view: Annotated[
        snapshot.View,
        Query(
            description=(
                "`whole` (the default): every claim as the StoryReviewed event carries it. "
                "`desk`: the same shape with each claim's contest_signals, "
                "detected_attributions and hedges left empty (what publish keeps to show "
                "and gate a story, read and sent without detection's findings)."
            )
        ),
    ] = snapshot.View.WHOLE,
) -> StoryReviewed | Response:
    found = snapshot.story_for(story_id, principal, utcnow(), view)
    # One tag per representation: a desk view is not the whole snapshot of that version.
    tag = etag(found.version) if view == snapshot.View.WHOLE else f'"{found.version}-{view}"'
    if none_match(if_none_match, tag):
        return Response(status_code=304, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return found


# The query of both snapshot listings (whole stories, or their versions only).
ChangedAfter = Annotated[
    datetime | None, Query(description="ISO 8601; stories changed strictly after it")
]
# The snapshot listings (what publish catches up from) allow larger pages than a listing.
SnapshotLimit = Annotated[int, Query(ge=1, le=500)]


@stories_router.get(
    "/snapshots",
    summary="Snapshots of the stories changed after a time, oldest change first",
)
def list_snapshots(
    _: SnapshotReader,
    updated_after: ChangedAfter = None,
    limit: SnapshotLimit = 100,
    cursor: PageCursor = None,
) -> SnapshotPageOut:
    page = snapshot.snapshots_after(updated_after, limit, cursor, utcnow())
    return SnapshotPageOut(items=page.items, next_cursor=page.next_cursor)


@stories_router.get(
    "/snapshots/versions",
    summary="The id, version and change time of the stories changed after a time",
)
def list_snapshot_versions(
    _: SnapshotReader,
    updated_after: ChangedAfter = None,
    limit: SnapshotLimit = 100,
    cursor: PageCursor = None,
) -> VersionPageOut:
    page = snapshot.versions_after(updated_after, limit, cursor)
    items = [StoryVersionOut(**vars(v)) for v in page.items]
    return VersionPageOut(items=items, next_cursor=page.next_cursor)
