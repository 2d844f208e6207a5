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


def not_modified(headers: Mapping[str, str], etag: str, last_modified_ts: int) -> bool:
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        return none_match(if_none_match, etag)
    since = headers.get("if-modified-since")
    if since:
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
