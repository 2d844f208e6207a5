"""``POST /v1/reports`` answered before FastAPI's router: the hot path of ingest.

The services' middlewares still run first (request and trace ids, metrics, the body's
size and type, ``services.http.build_app``); this layer then does what the route does
for a plain submission: the same bearer token read, the same role rule, the same
``ReportIn`` model on the same parsed JSON, the same Idempotency-Key check, and the
route's own :func:`ingest.reports.routes.accept` (text policy, rate limit, the store),
answered with the route's status, headers and body. Routing, dependency resolution and
the response model's second validation were about a third of ingest's CPU per report
(``make bench``).

Anything that is not plain goes on to the router as it came, body included (a request
the route refuses, another content type, a query string): the route answers it, so
every refusal is the route's own. An error of the store or the rules is rendered by the
app's own exception handlers, as the router would.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from prometheus_client import Counter
from pydantic import ValidationError
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ingest.reports import service
from ingest.reports.routes import accept, router
from ingest.reports.schemas import ReportIn
from services.auth import Role
from services.errors import NewsroomError

PATH = "/v1/reports"
SHORTCUTS = Counter(
    "newsroom_report_shortcuts_total", "Reports submitted through the shortcut before routing"
)


class SubmitShortcut:
    def __init__(self, app: ASGIApp, service_app: FastAPI) -> None:
        self.app = app
        self.service_app = service_app
        # The route this layer stands in for: the request is labelled with it (metrics),
        # as the router labels it.
        self.route = next(
            r
            for r in router.routes
            if isinstance(r, APIRoute) and r.path == PATH and "POST" in (r.methods or ())
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != PATH
            or scope.get("query_string")
        ):
            await self.app(scope, receive, send)
            return
        token, key, plain = _head(scope)
        if not plain:
            await self.app(scope, receive, send)
            return
        message = await receive()
        if message["type"] != "http.request" or message.get("more_body", False):
            # The body limit's layer hands the body over whole; anything else goes on.
            await self.app(scope, _replaying(message, receive), send)
            return
        body: bytes = message.get("body", b"")
        onward = _replaying(message, receive)
        try:
            payload = ReportIn.model_validate(json.loads(body))
        except (ValueError, ValidationError, RecursionError):  # not JSON, too deep, invalid
            await self.app(scope, onward, send)
            return
        state = self.service_app.state
        try:
            principal = await state.runtime.authenticator.authenticate_async(token)
            if principal.role is not Role.REPORTER:
                raise PermissionError
            checked_key = service.check_idempotency_key(key)
        except (NewsroomError, PermissionError):
            # Refused: the route answers (and reads the token again), in its own order.
            await self.app(scope, onward, send)
            return
        except Exception as exc:  # the store down while reading the token: as the route
            scope["route"] = self.route
            await self._answer(exc, scope, onward, send)
            return
        scope["route"] = self.route
        scope.setdefault("state", {})["principal"] = principal
        try:
            accepted = await accept(state, principal, payload, checked_key)
        except Exception as exc:
            await self._answer(exc, scope, onward, send)
            return
        SHORTCUTS.inc()
        content = accepted.model_dump_json().encode()
        headers = [
            (b"content-length", str(len(content)).encode()),
            (b"content-type", b"application/json"),
            (b"location", accepted.status_url.encode("latin-1")),
        ]
        await send({"type": "http.response.start", "status": 202, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    async def _answer(self, exc: Exception, scope: Scope, receive: Receive, send: Send) -> None:
        """What the app's handler for ``exc`` answers, as it would from the route."""
        handler = _handler_of(self.service_app, exc)
        if handler is None:
            raise exc  # as from the route: to the server-error layer
        response = await handler(Request(scope, receive), exc)
        await response(scope, receive, send)


def _head(scope: Scope) -> tuple[str, str | None, bool]:
    """The bearer token and the Idempotency-Key, and whether the request is plain enough
    to take here: one ``Bearer`` token, at most one key, a JSON body."""
    token = ""
    key: str | None = None
    tokens = keys = 0
    json_body = False
    for name, value in scope["headers"]:
        if name == b"authorization":
            tokens += 1
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            if scheme == "Bearer" and credentials.split(None, 1) == [credentials]:
                token = credentials
        elif name == b"idempotency-key":
            keys += 1
            key = value.decode("latin-1")
        elif name == b"content-type":
            json_body = value.split(b";", 1)[0].strip().lower() == b"application/json"
    return token, key, tokens == 1 and bool(token) and keys <= 1 and json_body


def _replaying(first: Message, receive: Receive) -> Receive:
    """``receive`` with the message already read handed out once more, first."""
    replayed = False

    async def again() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return first

    return again


def _handler_of(app: FastAPI, exc: Exception) -> Any:
    """The app's handler for ``exc`` as the router's exception layer finds it (by the
    exception's class, most specific first); None for one only the server-error layer
    answers (``Exception``)."""
    handlers = app.exception_handlers
    for cls in type(exc).__mro__:
        if cls is Exception:
            return None
        if cls in handlers:
            return handlers[cls]
    return None
