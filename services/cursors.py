"""Opaque page cursors: the sort key of the last item seen, base64url JSON.

Every list endpoint pages the same way: ``next_cursor`` in the answer, ``?cursor=`` in
the next request; anything else (not base64url, not our JSON, too long, not ASCII) is a
400 problem naming the cursor.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from typing import Any

from services.errors import BadRequest

CURSOR_HELP = "next_cursor of a previous page (opaque)"
MAX_CURSOR_LENGTH = 500
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")
_DIGITS = re.compile(r"^[0-9]{1,18}$")


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """The string values of a cursor this API gave out; 400 otherwise."""
    if len(cursor) > MAX_CURSOR_LENGTH or not _BASE64URL.match(cursor):
        raise bad_cursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise bad_cursor() from exc
    if not isinstance(values, dict) or set(values) != set(keys):
        raise bad_cursor()
    if not all(isinstance(values[k], str) for k in keys):
        raise bad_cursor()
    return values


def encode_keyset(at: datetime, key: str, names: tuple[str, str] = ("at", "id")) -> str:
    """The cursor of a page ordered by (a time, an id): the last item's, under ``names``."""
    return encode_cursor({names[0]: at.isoformat(), names[1]: key})


def decode_keyset(cursor: str, names: tuple[str, str] = ("at", "id")) -> tuple[datetime, str]:
    """The (time, id) of a cursor :func:`encode_keyset` gave out under ``names``; 400
    otherwise (a time that does not parse, too)."""
    values = decode_cursor(cursor, names)
    try:
        return datetime.fromisoformat(values[names[0]]), values[names[1]]
    except ValueError as exc:
        raise bad_cursor() from exc


def decode_position(cursor: str | None) -> int | None:
    """A numeric cursor (a position, as the feeds' next links give): ASCII digits only
    (``str.isdigit`` would take ``²``), at most 18 of them; 400 otherwise."""
    if cursor is None or cursor == "":
        return None
    if not _DIGITS.match(cursor):
        raise bad_cursor()
    return int(cursor)


def bad_cursor() -> BadRequest:
    return BadRequest(
        "cursor: not a cursor this endpoint gave out; use next_cursor of a previous page",
        extra={"errors": [{"loc": ["query", "cursor"], "msg": "invalid cursor"}]},
    )
