"""Validators and conditional requests (RFC 9110) for everything publish serves publicly:
feeds, ninjs and pages. One rule: ``If-None-Match`` (weak comparison) wins over
``If-Modified-Since``."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime

from services.http.conditional import none_match

# Public reads: any origin may read them (no credentials), caches revalidate each time.
PUBLIC_HEADERS = {"Cache-Control": "public, no-cache", "Access-Control-Allow-Origin": "*"}
# A 304 names what its 200 would vary on (RFC 9110 15.4.5); gzip adds it to bodies itself.
NOT_MODIFIED_HEADERS = {"Vary": "Accept-Encoding"}


def etag_of(body: bytes) -> str:
    """A weak tag: gzip (outside the route) sends other bytes under the same tag, which
    only a weak validator may name (RFC 9110 8.8.3; nginx weakens tags it gzips alike).
    ``If-None-Match`` compares weakly, so a 304 is the same for either coding."""
    return f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'


def http_date(at: datetime) -> str:
    return format_datetime(at.astimezone(UTC), usegmt=True)


def date_validator(modified: datetime, *earlier: datetime | None) -> int | None:
    """``modified`` in the whole seconds of ``Last-Modified`` and ``If-Modified-Since``,
    or None when one of the ``earlier`` changes fell in the same second. A site that got
    the earlier version holds the same date as the current one, so the date cannot say
    which it has (RFC 9110 8.8.2.2: a date is a validator only when the server knows the
    representation did not change twice in its second): it then answers 200, never 304."""
    second = int(modified.timestamp())
    if any(at is not None and int(at.timestamp()) >= second for at in earlier):
        return None
    return second


def not_modified(headers: Mapping[str, str], etag: str, last_modified_ts: int | None) -> bool:
    """``last_modified_ts`` None: ``If-Modified-Since`` is not trusted (``date_validator``)."""
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        return none_match(if_none_match, etag)
    since = headers.get("if-modified-since")
    if since and last_modified_ts is not None:
        try:
            return last_modified_ts <= int(parsedate_to_datetime(since).timestamp())
        except (TypeError, ValueError, IndexError):
            return False
    return False


CONDITIONAL_PARAMETERS = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "An ETag from an earlier answer: 304 when it still matches",
        "schema": {"type": "string"},
    },
    {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "description": "An HTTP date: 304 when nothing changed since (ignored with If-None-Match)",
        "schema": {"type": "string"},
    },
]
