"""HTTP edge of claim memory: a claim's earlier reviews in other stories, applying one
(If-Match on the claim's version, like a review), and refusing one as not the same claim.
Roles: reviewer and editor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status

from services.auth import Principal
from services.http import require
from services.http.openapi import AUTH_PROBLEMS, NOT_FOUND
from verify.common import utcnow
from verify.edge import REVIEWERS, ContextDep, actor_of, etag, required_version
from verify.memory import service
from verify.memory.schemas import ApplyIn, EarlierReviewOut, EarlierReviewsOut, NotSameIn
from verify.stories.schemas import ClaimOut

# 409 on apply: not the same claim, same story, not reviewed, or refused before.
CONFLICT: dict[int | str, dict[str, Any]] = {409: {"description": "Not an earlier review"}}
router = APIRouter(prefix="/v1", tags=["claim memory"], responses={**AUTH_PROBLEMS, **NOT_FOUND})

Reviewer = Annotated[Principal, Depends(require(*REVIEWERS))]
ClaimIdPath = Annotated[str, Path(min_length=1, max_length=64)]
IfMatch = Annotated[int, Depends(required_version)]


@router.get(
    "/claims/{claim_id}/earlier-reviews",
    summary="Reviews of the same claim in other stories, closest first",
)
def earlier_reviews(claim_id: ClaimIdPath, _: Reviewer) -> EarlierReviewsOut:
    found = service.earlier_reviews(claim_id)
    return EarlierReviewsOut(claim_id=claim_id, items=[EarlierReviewOut.of(f) for f in found])


@router.post(
    "/claims/{claim_id}/apply-review",
    summary="Give the claim an earlier review's status and attributions (If-Match)",
    responses=CONFLICT,
)
def apply_review(
    claim_id: ClaimIdPath,
    principal: Reviewer,
    given: ApplyIn,
    version: IfMatch,
    response: Response,
    context: ContextDep,
) -> ClaimOut:
    now = utcnow(context.clock)
    claim = service.apply(
        claim_id,
        given.from_claim_id,
        version,
        actor_of(principal),
        now,
        context.story_changed,
    )
    context.claim_reviewed(claim)
    response.headers["ETag"] = etag(claim.version)
    return ClaimOut.of(claim, now)


@router.post(
    "/claims/{claim_id}/not-same",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="A suggested earlier review is not the same claim: never offered again",
)
def not_same(claim_id: ClaimIdPath, principal: Reviewer, given: NotSameIn) -> Response:
    service.not_same(claim_id, given.claim_id, actor_of(principal))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
