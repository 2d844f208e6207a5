"""Browser sessions of the consoles: an encrypted, authenticated cookie, and CSRF tokens.

The cookie carries the user's bearer token and a session id, never in plain text: it is
a Fernet token (AES-128-CBC + HMAC-SHA256, with its creation time) under a key derived
with HKDF-SHA256 from ``settings.session_secret`` and the console's name, so one
console's cookie means nothing to another. The session id names a record on the server
(``services.auth.console_sessions``) that signing out deletes. Every request decrypts
the cookie, checks that record and authenticates the token with the normal
``Authenticator``: sign-out, revocation and role changes apply on the next request.

Each session (a signed-out one too, so the sign-in form is protected) holds a random CSRF
secret. Forms carry ``csrf_token(secret)``, an HMAC of it, compared in constant time.

Pure: no FastAPI here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.clock import SYSTEM_CLOCK, Clock

SESSION_SECONDS = 12 * 60 * 60
_SALT = b"newsroom-ui-session-v1"
_CSRF_PURPOSE = b"newsroom-ui-csrf-v1"


@dataclass(frozen=True)
class SessionData:
    """What the cookie holds: the bearer token and the server-side session's id (None
    before sign-in), and the CSRF secret."""

    csrf_secret: str
    token: str | None = None
    session_id: str | None = None

    @classmethod
    def anonymous(cls) -> SessionData:
        return cls(csrf_secret=secrets.token_urlsafe(32))

    def signed_in(self, token: str, session_id: str) -> SessionData:
        # A new CSRF secret with every sign-in: a token seen before it is worth nothing.
        return SessionData(
            csrf_secret=secrets.token_urlsafe(32), token=token, session_id=session_id
        )

    @property
    def csrf_token(self) -> str:
        return csrf_token(self.csrf_secret)


def derive_key(secret: str, console: str) -> bytes:
    """A Fernet key for ``console`` from the session secret (HKDF-SHA256)."""
    raw = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=_SALT,
        info=f"newsroom console {console}".encode(),
    ).derive(secret.encode())
    return base64.urlsafe_b64encode(raw)


class SessionCodec:
    """Seals :class:`SessionData` into a cookie value and opens it again."""

    def __init__(
        self,
        secret: str,
        console: str,
        max_age: int = SESSION_SECONDS,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        if not secret:
            raise ValueError("the session secret is empty")
        self._fernet = Fernet(derive_key(secret, console))
        self.max_age = max_age
        self._clock = clock

    def _now(self) -> int:
        return int(self._clock.now().timestamp())

    def seal(self, data: SessionData) -> str:
        payload = json.dumps(
            {"c": data.csrf_secret, "t": data.token, "s": data.session_id}, separators=(",", ":")
        )
        # Without base64 padding: a cookie value needs no quoting then.
        sealed = self._fernet.encrypt_at_time(payload.encode(), self._now())
        return sealed.decode().rstrip("=")

    def open(self, value: str | None) -> SessionData | None:
        """The session in ``value``; None when it is missing, forged, or older than max_age."""
        if not value or len(value) > 4096:
            return None
        try:
            padded = value + "=" * (-len(value) % 4)
            raw = self._fernet.decrypt_at_time(padded.encode(), self.max_age, self._now())
            payload = json.loads(raw)
        except (InvalidToken, ValueError):
            return None
        if not isinstance(payload, dict):
            return None
        csrf, token, session_id = payload.get("c"), payload.get("t"), payload.get("s")
        if not isinstance(csrf, str) or not csrf or not (token is None or isinstance(token, str)):
            return None
        if not isinstance(session_id, str) or not session_id:
            # Signed out, or a cookie from before sessions were kept on the server.
            return SessionData(csrf_secret=csrf)
        return SessionData(csrf_secret=csrf, token=token, session_id=session_id)


def csrf_token(secret: str) -> str:
    """The token forms carry for a session whose CSRF secret is ``secret``."""
    digest = hmac.new(secret.encode(), _CSRF_PURPOSE, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_matches(secret: str, given: str | None) -> bool:
    if not given:
        return False
    return hmac.compare_digest(csrf_token(secret).encode(), given.encode())
