"""Feed pages and the public ninjs view: what to render, from which publications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from publish.feeds import ninjs as ninjs_view
from publish.feeds.cache import FeedCache, Rendered
from publish.feeds.conditional import date_validator, etag_of, http_date
from publish.feeds.render import (
    EPOCH,
    MEDIA_TYPES,
    RENDERERS,
    FeedMeta,
    Item,
    item_of,
    moved_item_of,
)
from publish.stories import repository
from publish.stories.model import Departure, Publication
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


def last_change(
    section: str | None, newest: list[Publication] | None = None
) -> tuple[datetime, int | None]:
    """When a section's stories (every story: None) last changed, for ``Last-Modified`` on
    every page of its feeds and listings, and that time as a date validator. ``newest``:
    its two newest publications, when the caller has read them.

    The changes are its two newest items' (and the newest one's change before) and when a
    story last left the section: one that left changed it as much as one that came in,
    and without it ``Last-Modified`` would go back and If-Modified-Since answer 304. A
    later page changes when one of its items moves to the top, so it takes the same time,
    not its own items' newest."""
    latest = newest if newest is not None else repository.publications(section, None, 2)
    changes = [at for row in latest[:1] for at in (row.modified_at, row.previous_modified_at)]
    changes += [row.modified_at for row in latest[1:2]]
    changes.append(repository.section_left_at(section) if section is not None else None)
    newest_first = sorted((at.astimezone(UTC) for at in changes if at is not None), reverse=True)
    if not newest_first:
        return EPOCH, date_validator(EPOCH)
    return newest_first[0], date_validator(newest_first[0], *newest_first[1:2])


def render_page(site: FeedSite, section: str, fmt: str, cursor: int | None) -> Rendered:
    """Render one page from the store. The counter is read first, so the page is never
    labelled newer than the data in it."""
    only = check_section(site, section)
    seq = repository.feed_seq()
    stories = repository.publications(only, cursor, site.page_size + 1)
    # A section's feed also carries the markers of stories that left it, in one order
    # (both take their ``seq`` from the one counter): two ranges of two indexes, merged.
    gone = repository.departures(only, cursor, site.page_size + 1) if only is not None else []
    rows: list[Publication | Departure] = [*stories, *gone]
    rows.sort(key=lambda row: row.seq, reverse=True)
    rows = rows[: site.page_size + 1]
    more = len(rows) > site.page_size
    updated, validator = last_change(only, stories[:2] if cursor is None else None)
    rows = rows[: site.page_size]
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
    items: list[Item] = [
        item_of(row, site.base_url, site.newsroom, site.language)
        if isinstance(row, Publication)
        else moved_item_of(row, site.base_url, site.language)
        for row in rows
    ]
    body = RENDERERS[fmt](items, meta)
    return Rendered(
        seq=seq,
        body=body,
        etag=etag_of(body),
        last_modified=http_date(updated),
        last_modified_ts=validator,
        media_type=MEDIA_TYPES[fmt],
    )


def page(cache: FeedCache, site: FeedSite, section: str, fmt: str, cursor: int | None) -> Rendered:
    key = (section, fmt, cursor)
    entry = cache.get(key)
    if entry is None:
        entry = render_page(site, section, fmt, cursor)
        cache.put(key, entry)
    return entry


@dataclass(frozen=True)
class Published:
    """A released story as ninjs, when it last changed, and that time as a date validator
    (None when the change before it fell in the same second)."""

    document: dict[str, Any]
    modified_at: datetime
    validator: int | None


def published(site: FeedSite, story_id: str) -> Published:
    """The ninjs document of a released story, and when it last changed."""
    publication = repository.publication(story_id)
    if publication is None:
        raise NotFound(f"Story {story_id!r} has not been released.")
    document = ninjs_view.ninjs(
        publication, base_url=site.base_url, newsroom=site.newsroom, default_language=site.language
    )
    validator = date_validator(publication.modified_at, publication.previous_modified_at)
    return Published(document, publication.modified_at, validator)
