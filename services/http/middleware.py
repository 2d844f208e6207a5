"""Pure ASGI middleware: request context (ids, metrics), the request body's size and
type, and HEAD.

Pure ASGI rather than ``BaseHTTPMiddleware`` because it is cheaper per request and
lets the size limit refuse a body before it is read whole.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from typing import Any

import structlog
from prometheus_client import Counter, Histogram
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.bus.producer import trace_id_from
from services.errors import (
    BadRequest,
    NewsroomError,
    NotFound,
    PayloadTooLarge,
    RequestTimeout,
    UnsupportedMediaType,
)
from services.ids import random_hex
from services.log import bind_trace

REQUESTS = Counter(
    "newsroom_http_requests_total", "HTTP requests", ["service", "method", "route", "status"]
)
LATENCY = Histogram(
    "newsroom_http_request_seconds",
    "HTTP request latency",
    ["service", "route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)


class RequestContextMiddleware:
    """Binds a request id and a trace id (from ``traceparent`` or new) to every log line
    of the request, echoes them in response headers, and records metrics."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ""
        traced: list[tuple[str, bytes | None]] = []
        for key, value in scope.get("headers", ()):
            if key == b"x-request-id" and not request_id:
                request_id = value.decode("latin-1")
            elif key == b"traceparent":
                traced.append(("traceparent", value))
        if not request_id or len(request_id) > 64 or not request_id.isprintable():
            request_id = random_hex()
        structlog.contextvars.clear_contextvars()
        trace_id = bind_trace(trace_id_from(traced), request_id=request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_ids(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                extra = [
                    (b"x-request-id", request_id.encode()),
                    (b"x-trace-id", trace_id.encode()),
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            raw_path = scope.get("raw_path") or b""
            if b"%2f" in raw_path or b"%2F" in raw_path:
                # A "/" inside a segment: no id of ours holds one, and the router matches
                # the decoded path, so "/v1/stories/..%2fclaims" would reach another route.
                from services.http.problems import problem_response

                missing = NotFound("No such resource: a path segment holds an encoded '/'.")
                await problem_response(missing, Request(scope))(scope, receive, send_with_ids)
                return
            await self.app(scope, receive, send_with_ids)
        finally:
            route = _route_of(scope)
            self._series(scope["method"], route, status).inc()
            self._latency(route).observe(time.perf_counter() - started)
            structlog.contextvars.clear_contextvars()

    # Each series' child, looked up once: ``labels()`` takes a lock and builds a key on
    # every call, a measurable share of a small request (``make bench``).
    @functools.cache  # noqa: B019 (one instance per app, for the process's lifetime)
    def _series(self, method: str, route: str, status: int) -> Any:
        return REQUESTS.labels(self.service, method, route, str(status))

    @functools.cache  # noqa: B019
    def _latency(self, route: str) -> Any:
        return LATENCY.labels(self.service, route)


def _route_of(scope: Scope) -> str:
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class BodyLimitMiddleware:
    """The request body: at most ``limit`` bytes (413), JSON outside the consoles (415), and
    that JSON in UTF-8 (415 for another ``charset``, 400 for bytes that are not UTF-8: the
    parser would otherwise say "There was an error parsing the body").

    A body is read here, whole, before the app sees it (the routes read it whole anyway),
    so that a chunked body over the limit is answered 413 like one with a Content-Length.
    A refused body is read and thrown away, up to ``DRAIN_BYTES`` and ``DRAIN_SECONDS``,
    before the answer: a client that sends its whole body before reading (Python's urllib
    and requests, without ``Expect: 100-continue``) then gets the 413 rather than a reset
    connection. With ``Expect: 100-continue`` nothing is read: the client never sends it.

    The body must arrive within ``timeout`` seconds: a client that sends its headers and
    then trickles the body gets a 408 and the connection is closed. Reading waits on the
    event loop, so a slow client holds no worker thread meanwhile.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        timeout: float = 30.0,
        form_paths: tuple[str, ...] = ("/ui",),
    ) -> None:
        self.app = app
        self.limit = limit
        self.timeout = timeout
        self.form_paths = form_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        head = _Head(scope)
        if not head.has_body:
            await self.app(scope, receive, send)
            return
        json_only = not scope["path"].startswith(self.form_paths)
        if json_only and not head.is_json:
            error: NewsroomError = UnsupportedMediaType(
                f"Send the request body as application/json (not {head.content_type})."
            )
            await _refuse(scope, receive, send, error, head)
            return
        if json_only and head.charset not in UTF_8:
            error = UnsupportedMediaType(
                "Send JSON in UTF-8 (charset=utf-8, or no charset), "
                f"not charset={head.charset[:40]}."
            )
            await _refuse(scope, receive, send, error, head)
            return
        if head.length is not None and head.length > self.limit:
            await _refuse(
                scope, receive, send, PayloadTooLarge(_too_large_detail(self.limit)), head
            )
            return
        chunks: list[bytes] = []
        received = 0
        complete = False
        try:
            async with asyncio.timeout(self.timeout):
                while received <= self.limit:
                    message = await receive()
                    if message["type"] != "http.request":
                        return  # the client went away
                    chunk = message.get("body", b"")
                    received += len(chunk)
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        complete = True
                        break
        except TimeoutError:
            detail = f"The request body did not arrive within {self.timeout:g} seconds."
            await _answer(scope, send, RequestTimeout(detail), close=True)
            return
        if received > self.limit:
            too_large = PayloadTooLarge(_too_large_detail(self.limit))
            if complete:  # nothing left to drain
                await _answer(scope, send, too_large, close=False)
            else:
                await _drain_then_answer(scope, receive, send, too_large, received)
            return
        body = b"".join(chunks)
        if json_only:
            try:
                body.decode("utf-8")  # C speed: a few microseconds for a story
            except UnicodeDecodeError as exc:
                detail = (
                    f"The body is not UTF-8 (byte 0x{body[exc.start]:02x} at position "
                    f"{exc.start}); send JSON in UTF-8."
                )
                await _answer(scope, send, BadRequest(detail), close=False)
                return
            repeated = repeated_name(body)
            if repeated is not None:
                detail = (
                    f"The body is not valid JSON here: one object holds the name "
                    f"{repeated[:100]!r} twice; send each name once."
                )
                await _answer(scope, send, BadRequest(detail), close=False)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()  # http.disconnect, for streaming responses
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)


class _Repeated(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def _once_each(pairs: list[tuple[str, Any]]) -> None:
    seen: set[str] = set()
    for name, _ in pairs:
        if name in seen:
            raise _Repeated(name)
        seen.add(name)


def repeated_name(body: bytes) -> str | None:
    """A name one object of the JSON body holds twice (RFC 8259 4: parsers then differ,
    and ours kept the last: '{"headline": "<b>", "headline": "ok"}' passed a check that
    read the first); None when there is none, or the body is not JSON (the route says
    why, and where)."""
    try:
        json.loads(body, object_pairs_hook=_once_each)
    except _Repeated as exc:
        return exc.name
    except (ValueError, RecursionError):
        return None
    return None


# JSON is UTF-8 (RFC 8259 8.1); the names a charset parameter may give it by.
UTF_8 = frozenset({"", "utf-8", "utf8"})

# A refused body is read and thrown away up to this much (or for this long) before the
# answer; past it the connection is closed after the answer.
DRAIN_BYTES = 16 * 1024 * 1024
DRAIN_SECONDS = 10.0


class _Head:
    def __init__(self, scope: Scope) -> None:
        self.length: int | None = None
        self.chunked = False
        self.expect_continue = False
        self.content_type = ""
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    self.length = int(value)
                except ValueError:
                    self.length = None
            elif key == b"transfer-encoding":
                self.chunked = b"chunked" in value.lower()
            elif key == b"expect":
                self.expect_continue = value.lower() == b"100-continue"
            elif key == b"content-type":
                self.content_type = value.decode("latin-1")
        self.has_body = self.chunked or bool(self.length)

    @property
    def charset(self) -> str:
        """The ``charset`` parameter of the Content-Type, lower case ("" when none)."""
        for parameter in self.content_type.split(";")[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "charset":
                return value.strip().strip('"').lower()
        return ""

    @property
    def is_json(self) -> bool:
        media = self.content_type.split(";", 1)[0].strip().lower()
        # No Content-Type at all is read as JSON (FastAPI does); another type is refused.
        return media in ("", "application/json") or (
            media.startswith("application/") and media.endswith("+json")
        )


async def _refuse(
    scope: Scope, receive: Receive, send: Send, error: NewsroomError, head: _Head
) -> None:
    if head.expect_continue or (head.length is not None and head.length > DRAIN_BYTES):
        await _answer(scope, send, error, close=True)
        return
    await _drain_then_answer(scope, receive, send, error, 0)


async def _drain_then_answer(
    scope: Scope, receive: Receive, send: Send, error: NewsroomError, drained: int
) -> None:
    complete = False
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            while drained <= DRAIN_BYTES:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client went away: nobody to answer
                drained += len(message.get("body", b""))
                if not message.get("more_body", False):
                    complete = True
                    break
    except TimeoutError:
        pass
    await _answer(scope, send, error, close=not complete)


def _too_large_detail(limit: int) -> str:
    return f"The request body is larger than this endpoint accepts ({limit} bytes)."


async def _answer(scope: Scope, send: Send, error: NewsroomError, *, close: bool) -> None:
    from services.http.problems import problem_response

    if close:
        error.headers = {**error.headers, "Connection": "close"}
    # ``instance`` names the path, as every route's problem does.
    response = problem_response(error, Request(scope))
    await response(scope, _noop_receive, send)


async def _noop_receive() -> Message:
    return {"type": "http.disconnect"}


class HeadAsGetMiddleware:
    """``HEAD`` wherever ``GET`` is served: the GET route answers, with the same headers
    (Content-Length included) and no body. FastAPI routes, unlike Starlette's, do not
    add HEAD to GET."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def send_head(message: Message) -> None:
            nonlocal finished
            if finished:
                return
            if message["type"] == "http.response.start":
                await send(message)
            elif message["type"] == "http.response.body":
                # One empty, final body: a streaming GET stops when its client "leaves".
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        await self.app({**scope, "method": "GET"}, receive, send_head)
