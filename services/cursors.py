"""Opaque page cursors: the sort key of the last item seen, base64url JSON.

Every list endpoint pages the same way: ``next_cursor`` in the answer, ``?cursor=`` in
the next request; anything else is a 422 naming the cursor.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from services.errors import ValidationFailed


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """The string values of a cursor this API gave out; 422 otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise bad_cursor() from exc
    if not isinstance(values, dict) or set(values) != set(keys):
        raise bad_cursor()
    if not all(isinstance(values[k], str) for k in keys):
        raise bad_cursor()
    return values


def bad_cursor() -> ValidationFailed:
    return ValidationFailed(
        "cursor: not a cursor this endpoint gave out; use next_cursor of a previous page",
        [{"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "value_error"}],
    )
