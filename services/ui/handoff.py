"""One sign-in for both consoles: a short-lived, single-use hand-off from one console to
another (the desk's claim links open in the reviewers' console without asking again).

``GET /ui/go/{peer}?next=/ui/...`` on the console a person is signed in to seals their
token, the peer's name, the page wanted and a random nonce into a Fernet token (key:
HKDF of the session secret for "hand-off"), valid for ``HANDOFF_SECONDS``, and redirects
to ``{peer}/ui/hand-off?h=...``. The peer opens it (same secret: the deployments share
``NEWSROOM_SESSION_SECRET``), refuses it when it is old, meant for another console or
used before (the nonce is recorded once in the sessions' store, which both share),
authenticates the token as a sign-in would, starts its own session and redirects to the
page. Anything wrong sends the person to the peer's sign-in form, with the page kept.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Mapping
from typing import Protocol
from urllib.parse import quote, urlencode

from cryptography.fernet import Fernet, InvalidToken
from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse

from services.auth import Authenticator, Principal, console_sessions
from services.clock import SYSTEM_CLOCK, Clock
from services.errors import NotFound, Unauthorized
from services.log import get_logger
from services.ui.sessions import derive_key

log = get_logger(__name__)

HANDOFF_SECONDS = 60
_MAX_LENGTH = 4096


class HandOffCodec:
    def __init__(self, secret: str, clock: Clock = SYSTEM_CLOCK) -> None:
        self._fernet = Fernet(derive_key(secret, "hand-off"))
        self._clock = clock

    def _now(self) -> int:
        return int(self._clock.now().timestamp())

    def seal(self, token: str, peer: str, next_url: str) -> str:
        payload = {"t": token, "c": peer, "n": next_url, "j": secrets.token_urlsafe(18)}
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return self._fernet.encrypt_at_time(raw, self._now()).decode().rstrip("=")

    def open(self, value: str | None, console: str) -> tuple[str, str, str] | None:
        """(token, next, nonce) of a hand-off to ``console`` made in the last minute."""
        if not value or len(value) > _MAX_LENGTH:
            return None
        try:
            padded = value + "=" * (-len(value) % 4)
            raw = self._fernet.decrypt_at_time(padded.encode(), HANDOFF_SECONDS, self._now())
            payload = json.loads(raw)
        except (InvalidToken, ValueError):
            return None
        if not isinstance(payload, dict) or payload.get("c") != console:
            return None
        token, next_url, nonce = payload.get("t"), payload.get("n"), payload.get("j")
        if not all(isinstance(v, str) and v for v in (token, next_url, nonce)):
            return None
        return str(token), str(next_url), str(nonce)


class _Viewer(Protocol):
    @property
    def token(self) -> str: ...


class _Console(Protocol):
    """What the hand-off uses of ``services.ui.console.Console`` (which calls
    :func:`add_routes`; the modules do not import each other)."""

    name: str
    router: APIRouter
    peers: Mapping[str, str]
    session_secret: str | None
    authenticator: Authenticator

    def viewer(self, request: Request) -> _Viewer: ...
    def redirect(self, request: Request, url: str, done: str | None = None) -> Response: ...
    def check_secret(self) -> None: ...
    def check_role(self, principal: Principal) -> None: ...
    def start_session(
        self, request: Request, response: Response, principal: Principal, token: str
    ) -> None: ...


def add_routes(console: _Console, prefix: str, safe_next: Callable[[str | None], str]) -> None:
    """``/go/{peer}`` and ``/hand-off`` on ``console``."""
    router = console.router

    @router.get("/go/{peer}")
    def go(request: Request, peer: str) -> Response:
        """To a page of another console, signed in there as here (signed out here: this
        console's sign-in first, then on)."""
        viewer = console.viewer(request)
        base = console.peers.get(peer)
        if base is None or console.session_secret is None:
            raise NotFound("There is no such console to go to.")
        next_url = safe_next(request.query_params.get("next"))
        sealed = HandOffCodec(console.session_secret).seal(viewer.token, peer, next_url)
        return console.redirect(request, f"{base}{prefix}/hand-off?" + urlencode({"h": sealed}))

    @router.get("/hand-off")
    def hand_off(request: Request) -> Response:
        """A hand-off from another console: signed in here too, then the page."""
        console.check_secret()
        assert console.session_secret is not None
        opened = HandOffCodec(console.session_secret).open(
            request.query_params.get("h"), console.name
        )
        if opened is None:
            return console.redirect(request, f"{prefix}/sign-in?expired=1")
        token, next_url, nonce = opened
        next_url = safe_next(next_url)
        again = f"{prefix}/sign-in?expired=1&next={quote(next_url, safe='')}"
        try:
            principal = console.authenticator.authenticate(token)
        except Unauthorized:
            return console.redirect(request, again)
        if not console_sessions.use_once(nonce, principal.user_id, HANDOFF_SECONDS):
            return console.redirect(request, again)
        console.check_role(principal)
        response = RedirectResponse(next_url, status_code=303)
        console.start_session(request, response, principal, token)
        log.info("ui_handed_off", console=console.name, user=principal.name)
        return response
