"""Small pieces every verify domain shares: the actor of a change, cursors, text checks.

Pure: no FastAPI, Kafka or mongoengine here.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import nh3
from pydantic import AfterValidator

from services.errors import ValidationFailed


def utcnow() -> datetime:
    """Now, at the store's precision (milliseconds), so what a change answers is what it stored."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


# Told after every committed change of a story, so its snapshot goes out promptly.
StoryChanged = Callable[[str], None]


@dataclass(frozen=True)
class Actor:
    """Who made a change: a user (from the bearer token) or, for a report, its reporter."""

    user_id: str
    name: str
    role: str

    def as_dict(self) -> dict[str, str]:
        return {"user_id": self.user_id, "name": self.name, "role": self.role}


# --- text --------------------------------------------------------------------------------

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "–": "-", "—": "-"})
_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = " \t\n.,;:!?\"'()[]"


def normalise(text: str) -> str:
    """The form two claim texts are compared in: case, quotes, dashes and spacing ignored."""
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    return _SPACE.sub(" ", folded).strip(_EDGE_PUNCT)


def no_markup(value: str) -> str:
    if nh3.is_html(value):
        raise ValueError("markup is not allowed here; send plain text")
    return value


PlainText = Annotated[str, AfterValidator(no_markup)]


# --- cursors -----------------------------------------------------------------------------


def encode_cursor(values: dict[str, Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """The values of an opaque cursor; 422 if it is not one of ours."""
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
        "cursor: not a cursor this endpoint gave out",
        [{"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "value_error"}],
    )
