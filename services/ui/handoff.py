"""One sign-in for both consoles: a short-lived, single-use hand-off from one console to
another (the desk's claim links open in the reviewers' console without asking again).

``GET /ui/go/{peer}?next=/ui/...`` on the console a person is signed in to first sends the
browser to the peer's ``/ui/hand-off/begin``, which gives this browser a random state in a
cookie of the peer's own and sends it back to ``/ui/go/{peer}?state=...``. Only then does
the console seal the person's token, the peer's name, the page wanted, the state and a
random nonce into a Fernet token (key: HKDF of the session secret for "hand-off"), valid
for ``HANDOFF_SECONDS``, and redirect to ``{peer}/ui/hand-off?h=...``. The peer opens it
(same secret: the deployments share ``NEWSROOM_SESSION_SECRET``), refuses it when it is
old, meant for another console, used before (the nonce is recorded once in the sessions'
store, which both share) or made for another browser (the state is not this browser's
cookie: without it, anyone could send a hand-off link of their own and sign the person
who opens it in as themselves, a login CSRF), authenticates the token as a sign-in
would, starts its own session and redirects to the page. Anything wrong sends the person
to the peer's sign-in form, with the page kept.
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
_MAX_STATE = 64


class HandOffCodec:
    def __init__(self, secret: str, clock: Clock = SYSTEM_CLOCK) -> None:
        self._fernet = Fernet(derive_key(secret, "hand-off"))
        self._clock = clock

    def _now(self) -> int:
        return int(self._clock.now().timestamp())

    def seal(self, token: str, peer: str, next_url: str, state: str) -> str:
        payload = {
            "t": token,
            "c": peer,
            "n": next_url,
            "s": state,
            "j": secrets.token_urlsafe(18),
        }
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return self._fernet.encrypt_at_time(raw, self._now()).decode().rstrip("=")

    def open(self, value: str | None, console: str) -> tuple[str, str, str, str] | None:
        """(token, next, nonce, state) of a hand-off to ``console`` made in the last
        minute."""
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
        fields = tuple(payload.get(name) for name in ("t", "n", "j", "s"))
        if not all(isinstance(v, str) and v for v in fields):
            return None
        token, next_url, nonce, state = (str(v) for v in fields)
        return token, next_url, nonce, state


def state_cookie(console: str) -> str:
    return f"nr_{console}_handoff"


def new_state() -> str:
    return secrets.token_urlsafe(18)


def same_state(cookie: str | None, sealed: str) -> bool:
    return cookie is not None and secrets.compare_digest(cookie.encode(), sealed.encode())


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
        console's sign-in first, then on). Without ``state``, the peer first marks this
        browser (``/hand-off/begin``), which sends it back here with one."""
        viewer = console.viewer(request)
        base = console.peers.get(peer)
        if base is None or console.session_secret is None:
            raise NotFound("There is no such console to go to.")
        next_url = safe_next(request.query_params.get("next"))
        state = request.query_params.get("state")
        if not state or len(state) > _MAX_STATE:
            query = urlencode({"from": console.name, "next": next_url})
            return console.redirect(request, f"{base}{prefix}/hand-off/begin?{query}")
        sealed = HandOffCodec(console.session_secret).seal(viewer.token, peer, next_url, state)
        return console.redirect(request, f"{base}{prefix}/hand-off?" + urlencode({"h": sealed}))

    @router.get("/hand-off/begin")
    def begin(request: Request) -> Response:
        """A hand-off is about to be made for this browser: a state of its own, in a
        cookie only this console reads, then back to the console the person came from."""
        source = request.query_params.get("from") or ""
        base = console.peers.get(source)
        if base is None:
            raise NotFound("There is no such console to come from.")
        state = new_state()
        next_url = safe_next(request.query_params.get("next"))
        query = urlencode({"next": next_url, "state": state})
        response = console.redirect(request, f"{base}{prefix}/go/{console.name}?{query}")
        response.set_cookie(
            state_cookie(console.name),
            state,
            max_age=HANDOFF_SECONDS,
            path=f"{prefix}/hand-off",
            secure=request.url.scheme == "https",
            httponly=True,
            # Sent when the other console's redirect brings the browser back: a
            # top-level navigation, which Lax allows and Strict may not.
            samesite="lax",
        )
        return response

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
        token, next_url, nonce, state = opened
        next_url = safe_next(next_url)
        again = f"{prefix}/sign-in?expired=1&next={quote(next_url, safe='')}"
        if not same_state(request.cookies.get(state_cookie(console.name)), state):
            log.warning("ui_hand_off_refused", console=console.name, reason="another_browser")
            return console.redirect(request, again)
        try:
            principal = console.authenticator.authenticate(token)
        except Unauthorized:
            return console.redirect(request, again)
        if not console_sessions.use_once(nonce, principal.user_id, HANDOFF_SECONDS):
            return console.redirect(request, again)
        console.check_role(principal)
        response = RedirectResponse(next_url, status_code=303)
        response.delete_cookie(state_cookie(console.name), path=f"{prefix}/hand-off")
        console.start_session(request, response, principal, token)
        log.info("ui_handed_off", console=console.name, user=principal.name)
        return response
