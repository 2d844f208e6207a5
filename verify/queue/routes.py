"""HTTP edge of the queue. Roles: reviewer, editor."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from services.auth import Principal
from services.contracts import ReviewStatus
from services.cursors import CURSOR_HELP
from services.http import require
from services.http.openapi import AUTH_PROBLEMS
from verify.common import utcnow
from verify.edge import REVIEWERS
from verify.queue import service
from verify.queue.schemas import QueueItem, QueuePageOut
from verify.stories.schemas import ClaimOut

router = APIRouter(prefix="/v1", tags=["queue"], responses=AUTH_PROBLEMS)


@router.get("/queue", summary="Claims waiting for review, oldest first, in cursor pages")
def get_queue(
    _: Annotated[Principal, Depends(require(*REVIEWERS))],
    section: Annotated[str | None, Query(min_length=1, max_length=50)] = None,
    status: ReviewStatus = ReviewStatus.PENDING,
    contested: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(description=CURSOR_HELP)] = None,
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
