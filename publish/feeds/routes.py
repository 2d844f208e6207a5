"""Public reading: feeds (JSON Feed, Atom, RSS) and the released story as ninjs.

No token: released content is public. The feed handlers are ``async`` and answer from
the in-process cache without touching the database; only a page not yet rendered for
the latest change goes to a worker thread.
"""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from publish.deps import Publish, PublishDep
from publish.feeds import service
from publish.feeds.cache import Rendered
from publish.feeds.ninjs import EXTENSION_SCHEMA_PATH, extension_schema
from publish.feeds.render import public_json

router = APIRouter(tags=["feeds"])

# The cursor is read from the query string by hand, and documented here: declaring it as
# a FastAPI parameter costs a validation step on every request of the hot 304 path.
_CURSOR = {
    "parameters": [
        {
            "name": "cursor",
            "in": "query",
            "required": False,
            "description": "From a previous page's next link",
            "schema": {"type": "string", "maxLength": 20},
        }
    ]
}
_RESPONSES: dict[int | str, dict[str, str]] = {
    304: {"description": "Not modified (ETag or Last-Modified matched)"},
    404: {"description": "No such section"},
}


def _not_modified(request: Request, entry: Rendered) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        # Weak comparison, as RFC 9110 asks for If-None-Match; it wins over the date.
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or entry.etag in tags
    since = request.headers.get("if-modified-since")
    if since:
        try:
            return entry.last_modified_ts <= int(parsedate_to_datetime(since).timestamp())
        except (TypeError, ValueError, IndexError):
            return False
    return False


async def _serve(request: Request, section: str, fmt: str) -> Response:
    publish: Publish = request.app.state.publish
    position = service.parse_cursor(request.query_params.get("cursor"))
    entry = publish.feeds.get((section, fmt, position))
    if entry is None:
        entry = await run_in_threadpool(
            service.page, publish.feeds, publish.site, section, fmt, position
        )
    headers = {
        "ETag": entry.etag,
        "Last-Modified": entry.last_modified,
        "Cache-Control": "public, no-cache",
    }
    if _not_modified(request, entry):
        return Response(status_code=304, headers=headers)
    return Response(entry.body, media_type=entry.media_type, headers=headers)


@router.get(
    "/feeds/{section}.json",
    summary="JSON Feed 1.1 of a section, or 'all'",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra=_CURSOR,
)
async def json_feed(request: Request, section: str) -> Response:
    return await _serve(request, section, "json")


@router.get(
    "/feeds/{section}.atom",
    summary="Atom 1.0 feed of a section, or 'all'",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra=_CURSOR,
)
async def atom_feed(request: Request, section: str) -> Response:
    return await _serve(request, section, "atom")


@router.get(
    "/feeds/{section}.rss",
    summary="RSS 2.0 feed of a section, or 'all'",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra=_CURSOR,
)
async def rss_feed(request: Request, section: str) -> Response:
    return await _serve(request, section, "rss")


@router.get(
    "/v1/published/{story_id}",
    summary="The released version as ninjs, with ClaimReview JSON-LD (public)",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}}, 404: {"description": "Not released"}},
)
def published(story_id: str, publish: PublishDep) -> Response:
    document = service.published(publish.site, story_id)
    return Response(public_json(document), media_type="application/json")


@router.get(
    EXTENSION_SCHEMA_PATH,
    summary="The JSON Schema of our ninjs documents: ninjs 3.0 plus claimReviews (public)",
    response_class=Response,
    responses={200: {"content": {"application/schema+json": {}}}},
)
def ninjs_extension_schema(publish: PublishDep) -> Response:
    document = extension_schema(publish.site.base_url)
    return Response(public_json(document), media_type="application/schema+json")
