"""HTTP edge of stories: the snapshot publish reads to heal missed ``stories.reviewed``
events. Story: reviewer, editor, service, and a reporter for their own story. Snapshots:
service, editor."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Response

from services.auth import Principal, Role
from services.contracts import StoryReviewed
from services.cursors import CURSOR_HELP
from services.http import require
from services.http.openapi import AUTH_PROBLEMS, NOT_FOUND
from verify.common import utcnow
from verify.edge import etag
from verify.stories import service
from verify.stories.schemas import SnapshotPageOut

router = APIRouter(prefix="/v1", tags=["stories"], responses={**AUTH_PROBLEMS, **NOT_FOUND})

StoryReader = Annotated[
    Principal, Depends(require(Role.REVIEWER, Role.EDITOR, Role.SERVICE, Role.REPORTER))
]
SnapshotReader = Annotated[Principal, Depends(require(Role.SERVICE, Role.EDITOR))]


@router.get(
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
) -> StoryReviewed | Response:
    found = service.story_for(story_id, principal, utcnow())
    tag = etag(found.version)
    if if_none_match is not None and tag in (t.strip() for t in if_none_match.split(",")):
        return Response(status_code=304, headers={"ETag": tag})
    response.headers["ETag"] = tag
    return found


@router.get(
    "/snapshots",
    summary="Snapshots of the stories changed after a time, oldest change first",
)
def list_snapshots(
    _: SnapshotReader,
    updated_after: Annotated[
        datetime | None, Query(description="ISO 8601; stories changed strictly after it")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(description=CURSOR_HELP)] = None,
) -> SnapshotPageOut:
    page = service.snapshots_after(updated_after, limit, cursor, utcnow())
    return SnapshotPageOut(items=page.items, next_cursor=page.next_cursor)
