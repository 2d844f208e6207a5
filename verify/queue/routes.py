"""HTTP edge of the queue. Roles: reviewer, editor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.auth import Principal
from services.contracts import ReviewStatus
from services.http import require
from services.http.deps import PageCursor, PageLimit
from services.http.openapi import AUTH_PROBLEMS
from verify.common import utcnow
from verify.edge import REVIEWERS
from verify.queue import service
from verify.queue.schemas import QueueItem, QueuePageOut, StoryGroupOut, StoryGroupPageOut
from verify.stories.schemas import ClaimOut

router = APIRouter(prefix="/v1", tags=["queue"], responses=AUTH_PROBLEMS)


@router.get("/queue", summary="Claims waiting for review, oldest first, in cursor pages")
def get_queue(
    _: Annotated[Principal, Depends(require(*REVIEWERS))],
    section: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
    status: ReviewStatus = ReviewStatus.PENDING,
    contested: bool | None = None,
    limit: PageLimit = 50,
    cursor: PageCursor = None,
) -> QueuePageOut:
    found = service.page(
        status=status, section=section, contested=contested, limit=limit, cursor=cursor
    )
    now = utcnow()
    items = [
        QueueItem(
            **ClaimOut.of(claim, now).model_dump(), headline=found.headlines.get(claim.story_id, "")
        )
        for claim in found.claims
    ]
    return QueuePageOut(items=items, next_cursor=found.next_cursor)


@router.get(
    "/queue/stories",
    summary="The queue by story: a section's stories with a contested claim first, then the "
    "oldest, each with its waiting claims in body order",
)
def get_queue_by_story(
    _: Annotated[Principal, Depends(require(*REVIEWERS))],
    section: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
    status: ReviewStatus = ReviewStatus.PENDING,
    contested: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
    cursor: PageCursor = None,
) -> StoryGroupPageOut:
    found = service.by_story(
        status=status, section=section, contested=contested, limit=limit, cursor=cursor
    )
    now = utcnow()
    items = [
        StoryGroupOut(
            story_id=group.story_id,
            headline=group.headline,
            section=group.section,
            revision=group.revision,
            claims_waiting=group.count,
            contested=group.contested,
            oldest_queued_at=group.oldest,
            claims=[ClaimOut.of(claim, now) for claim in group.claims],
        )
        for group in found.stories
    ]
    return StoryGroupPageOut(items=items, next_cursor=found.next_cursor)
