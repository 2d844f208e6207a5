"""Public reading: feeds (JSON Feed, Atom, RSS) and the released story as ninjs.

No token: released content is public. The feed handlers are ``async`` and answer from
the in-process cache without touching the database; only a page not yet rendered for
the latest change goes to a worker thread.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from publish.deps import Publish, PublishDep
from publish.feeds import service
from publish.feeds.conditional import (
    CONDITIONAL_PARAMETERS,
    NOT_MODIFIED_HEADERS,
    PUBLIC_HEADERS,
    etag_of,
    http_date,
    not_modified,
)
from publish.feeds.ninjs import (
    EXTENSION_SCHEMA_PATH,
    FORMER_EXTENSION_SCHEMA_PATHS,
    extension_schema,
)
from publish.feeds.render import MEDIA_TYPES, public_json
from services.http.conditional import none_match

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
        },
        *CONDITIONAL_PARAMETERS,
    ]
}
_NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (ETag or Last-Modified matched)"}
}


def _responses(fmt: str) -> dict[int | str, dict[str, Any]]:
    media_type = MEDIA_TYPES[fmt].split(";")[0]
    return {
        200: {
            "description": "The feed page",
            "content": {media_type: {"schema": {"type": "string"}}},
        },
        **_NOT_MODIFIED,
        404: {"description": "No such section"},
    }


async def _serve(request: Request, section: str, fmt: str) -> Response:
    publish: Publish = request.app.state.publish
    position = service.parse_cursor(request.query_params.get("cursor"))
    entry = publish.feeds.get((section, fmt, position))
    if entry is None:
        entry = await run_in_threadpool(
            service.page, publish.feeds, publish.site, section, fmt, position
        )
    headers = {**PUBLIC_HEADERS, "ETag": entry.etag, "Last-Modified": entry.last_modified}
    if not_modified(request.headers, entry.etag, entry.last_modified_ts):
        return Response(status_code=304, headers={**headers, **NOT_MODIFIED_HEADERS})
    return Response(entry.body, media_type=entry.media_type, headers=headers)


@router.get(
    "/feeds/{section}.json",
    summary="JSON Feed 1.1 of a section, or 'all'",
    response_class=Response,
    responses=_responses("json"),
    openapi_extra=_CURSOR,
)
async def json_feed(request: Request, section: str) -> Response:
    return await _serve(request, section, "json")


@router.get(
    "/feeds/{section}.atom",
    summary="Atom 1.0 feed of a section, or 'all'",
    response_class=Response,
    responses=_responses("atom"),
    openapi_extra=_CURSOR,
)
async def atom_feed(request: Request, section: str) -> Response:
    return await _serve(request, section, "atom")


@router.get(
    "/feeds/{section}.rss",
    summary="RSS 2.0 feed of a section, or 'all'",
    response_class=Response,
    responses=_responses("rss"),
    openapi_extra=_CURSOR,
)
async def rss_feed(request: Request, section: str) -> Response:
    return await _serve(request, section, "rss")


@router.get(
    "/v1/published/{story_id}",
    summary="The released version as ninjs, with ClaimReview JSON-LD (public)",
    response_class=Response,
    responses={
        200: {"description": "ninjs 3.1", "content": {"application/json": {}}},
        **_NOT_MODIFIED,
        404: {"description": "Not released"},
    },
    openapi_extra={"parameters": CONDITIONAL_PARAMETERS},
)
def published(request: Request, story_id: str, publish: PublishDep) -> Response:
    found = service.published(publish.site, story_id)
    body = public_json(found.document)
    etag = etag_of(body)
    headers = {**PUBLIC_HEADERS, "ETag": etag, "Last-Modified": http_date(found.modified_at)}
    if not_modified(request.headers, etag, found.validator):
        return Response(status_code=304, headers={**headers, **NOT_MODIFIED_HEADERS})
    return Response(body, media_type="application/json", headers=headers)


@router.get(
    EXTENSION_SCHEMA_PATH,
    summary="The JSON Schema of our ninjs documents: IPTC ninjs 3.1 and our ClaimReview "
    "associations (public)",
    response_class=Response,
    responses={
        200: {"description": "JSON Schema", "content": {"application/schema+json": {}}},
        304: {"description": "Not modified"},
    },
    openapi_extra={"parameters": CONDITIONAL_PARAMETERS[:1]},
)
def ninjs_extension_schema(request: Request, publish: PublishDep) -> Response:
    """With an ``ETag`` (and 304 on ``If-None-Match``); no ``Last-Modified``: the schema
    changes with a release of Newsroom, not at a time the store knows."""
    body = public_json(extension_schema(publish.site.base_url))
    etag = etag_of(body)
    headers = {**PUBLIC_HEADERS, "ETag": etag}
    if none_match(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={**headers, **NOT_MODIFIED_HEADERS})
    return Response(body, media_type="application/schema+json", headers=headers)


def _moved(publish: PublishDep) -> Response:
    """ninjs documents a downstream site stored name the schema address of their day
    (``standard.schema``); today's validates them too (3.1 accepts what 3.0 did)."""
    location = f"{publish.site.base_url}{EXTENSION_SCHEMA_PATH}"
    return Response(status_code=308, headers={**PUBLIC_HEADERS, "Location": location})


for _former in FORMER_EXTENSION_SCHEMA_PATHS:
    router.add_api_route(
        _former,
        _moved,
        methods=["GET"],
        summary="Where our ninjs schema used to be: a permanent redirect to today's (public)",
        response_class=Response,
        responses={308: {"description": "Moved to today's schema"}},
    )
