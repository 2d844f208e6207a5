"""Token format and hashing: ``nr_<token id>_<secret>``.

The id finds the stored record without scanning; only the secret's SHA-256 is stored,
and it is compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX = "nr"
_TOKEN = re.compile(r"^nr_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$")


@dataclass(frozen=True)
class NewToken:
    token_id: str
    secret: str

    @property
    def value(self) -> str:
        return f"{PREFIX}_{self.token_id}_{self.secret}"


def generate() -> NewToken:
    return NewToken(token_id=secrets.token_hex(8), secret=secrets.token_urlsafe(32))


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse(value: str) -> tuple[str, str] | None:
    """``(token_id, secret)`` of a well-formed token, else None."""
    match = _TOKEN.match(value)
    return (match.group(1), match.group(2)) if match else None


def matches(secret: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)
