"""Readers' pages: ``/`` (front page), ``/sections/{section}``, ``/stories/{story_id}``
and their stylesheet ``/assets/site.css``. Public, no JavaScript, ``ETag``/``304`` like
the feeds, and a strict Content-Security-Policy (the page loads nothing but its CSS)."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from publish.deps import PublishDep
from publish.feeds.conditional import (
    CONDITIONAL_PARAMETERS,
    NOT_MODIFIED_HEADERS,
    PUBLIC_HEADERS,
    date_validator,
    etag_of,
    http_date,
    not_modified,
)
from publish.feeds.service import last_change, parse_cursor
from publish.pages import view
from publish.stories import repository
from publish.stories.model import Publication
from services.errors import NotFound

HERE = Path(__file__).parent
CSP = "; ".join(
    (
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    **PUBLIC_HEADERS,
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
_HTML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/html": {}}},
    304: {"description": "Not modified"},
}
_OPENAPI = {"parameters": CONDITIONAL_PARAMETERS}

router = APIRouter(tags=["pages"])


def readable(value: str) -> str:
    """An RFC 3339 date as readers write it: 3 December 2026, 14:05 UTC."""
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return f"{at.day} {at:%B %Y, %H:%M} UTC"


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
    )
    env.filters["readable"] = readable
    return env


@cache
def _stylesheet() -> bytes:
    return (HERE / "static" / "site.css").read_bytes()


def _site(publish: PublishDep) -> view.Site:
    site = publish.site
    return view.Site(
        newsroom=site.newsroom,
        base_url=site.base_url,
        sections=site.sections,
        language=site.language,
    )


def _page(
    request: Request,
    template: str,
    context: dict[str, object],
    updated: datetime,
    validator: int | None,
) -> Response:
    """``validator``: ``updated`` as If-Modified-Since may compare it (conditional.py)."""
    body = _environment().get_template(template).render(context).encode()
    etag = etag_of(body)
    headers = {**PAGE_HEADERS, "ETag": etag, "Last-Modified": http_date(updated)}
    if not_modified(request.headers, etag, validator):
        return Response(status_code=304, headers={**headers, **NOT_MODIFIED_HEADERS})
    return Response(body, media_type="text/html; charset=utf-8", headers=headers)


def _missing(request: Request, publish: PublishDep, detail: str) -> Response:
    """404: for a browser (it accepts HTML), a page in the site's frame with a way back to
    the front page; for anything else, the API's problem answer."""
    if "text/html" not in request.headers.get("accept", ""):
        raise NotFound(detail)
    site = _site(publish)
    context = {**view.listing(site, None, [], None), "canonical": None, "detail": detail}
    body = _environment().get_template("pages/missing.html").render(context).encode()
    headers = {**PAGE_HEADERS, "Cache-Control": "no-cache"}
    return Response(body, 404, media_type="text/html; charset=utf-8", headers=headers)


def _listing(request: Request, publish: PublishDep, section: str | None) -> Response:
    cursor = parse_cursor(request.query_params.get("cursor"))
    size = publish.site.page_size
    rows: list[Publication] = repository.publications(section, cursor, size + 1)
    more = len(rows) > size
    # The section's last change, as its feeds say it: a later page loses an item when one
    # moves to the top, and its own items' newest change would then go back.
    updated, validator = last_change(section, rows[:2] if cursor is None else None)
    rows = rows[:size]
    context = view.listing(_site(publish), section, rows, rows[-1].seq if more else None)
    return _page(request, "pages/listing.html", context, updated, validator)


@router.get(
    "/",
    summary="Front page: the latest released stories (HTML, public)",
    response_class=Response,
    responses=_HTML,
    openapi_extra=_OPENAPI,
)
def front_page(request: Request, publish: PublishDep) -> Response:
    return _listing(request, publish, None)


@router.get(
    "/sections/{section}",
    summary="A section's released stories (HTML, public)",
    response_class=Response,
    responses={**_HTML, 404: {"description": "No such section (an HTML page for a browser)"}},
    openapi_extra=_OPENAPI,
)
def section_page(request: Request, section: str, publish: PublishDep) -> Response:
    if section not in publish.site.sections:
        return _missing(request, publish, "We have no section of that name.")
    return _listing(request, publish, section)


@router.get(
    "/stories/{story_id}",
    summary="A released story for readers, with how it was checked and ClaimReview (HTML)",
    response_class=Response,
    responses={**_HTML, 404: {"description": "Not released (an HTML page for a browser)"}},
    openapi_extra=_OPENAPI,
)
def story_page(request: Request, story_id: str, publish: PublishDep) -> Response:
    publication = repository.publication(story_id)
    if publication is None:
        return _missing(request, publish, "No story has been released at this address.")
    context = view.story(_site(publish), publication)
    validator = date_validator(publication.modified_at, publication.previous_modified_at)
    return _page(request, "pages/story.html", context, publication.modified_at, validator)


@router.get("/assets/site.css", include_in_schema=False)
def stylesheet() -> Response:
    return Response(
        _stylesheet(),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"},
    )
