"""Feed pages and the public ninjs view: what to render, from which publications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from publish.feeds import ninjs as ninjs_view
from publish.feeds.cache import FeedCache, Rendered
from publish.feeds.conditional import etag_of, http_date
from publish.feeds.render import EPOCH, MEDIA_TYPES, RENDERERS, FeedMeta, item_of
from publish.stories import repository
from services.cursors import decode_position
from services.errors import NotFound
from services.language import DEFAULT_LANGUAGE

FORMATS = tuple(RENDERERS)


@dataclass(frozen=True)
class FeedSite:
    newsroom: str
    base_url: str
    sections: tuple[str, ...]
    page_size: int
    language: str = DEFAULT_LANGUAGE  # the newsroom's: its feeds', and a story's unstated


def parse_cursor(cursor: str | None) -> int | None:
    return decode_position(cursor)


def check_section(site: FeedSite, section: str) -> str | None:
    """The section to filter by (None for "all"); 404 for a section we do not have."""
    if section == "all":
        return None
    if section not in site.sections:
        raise NotFound(f"No feed {section!r}; sections: all, {', '.join(site.sections)}.")
    return section


def render_page(site: FeedSite, section: str, fmt: str, cursor: int | None) -> Rendered:
    """Render one page from the store. The counter is read first, so the page is never
    labelled newer than the data in it."""
    only = check_section(site, section)
    seq = repository.feed_seq()
    rows = repository.publications(only, cursor, site.page_size + 1)
    more = len(rows) > site.page_size
    rows = rows[: site.page_size]
    newest = rows[0] if cursor is None and rows else None
    if newest is None:
        latest = repository.publications(only, None, 1)
        newest = latest[0] if latest else None
    updated = (newest.modified_at if newest else EPOCH).astimezone(UTC)
    left = repository.section_left_at(only) if only is not None else None
    if left is not None:
        # A story that left the section changed the feed as much as one that came in:
        # without it Last-Modified would go back and If-Modified-Since answer 304.
        updated = max(updated, left.astimezone(UTC))
    meta = FeedMeta(
        newsroom=site.newsroom,
        section=section,
        base_url=site.base_url,
        extension=fmt,
        cursor=cursor,
        next_cursor=rows[-1].seq if more and rows else None,
        updated=updated,
        language=site.language,
    )
    items = [item_of(row, site.base_url, site.newsroom, site.language) for row in rows]
    body = RENDERERS[fmt](items, meta)
    return Rendered(
        seq=seq,
        body=body,
        etag=etag_of(body),
        last_modified=http_date(updated),
        last_modified_ts=int(updated.timestamp()),
        media_type=MEDIA_TYPES[fmt],
    )


def page(cache: FeedCache, site: FeedSite, section: str, fmt: str, cursor: int | None) -> Rendered:
    key = (section, fmt, cursor)
    entry = cache.get(key)
    if entry is None:
        entry = render_page(site, section, fmt, cursor)
        cache.put(key, entry)
    return entry


def published(site: FeedSite, story_id: str) -> tuple[dict[str, Any], datetime]:
    """The ninjs document of a released story, and when it last changed."""
    publication = repository.publication(story_id)
    if publication is None:
        raise NotFound(f"Story {story_id!r} has not been released.")
    document = ninjs_view.ninjs(
        publication, base_url=site.base_url, newsroom=site.newsroom, default_language=site.language
    )
    return document, publication.modified_at
