"""Pure ASGI middleware: request context (ids, metrics) and the request size limit.

Pure ASGI rather than ``BaseHTTPMiddleware`` because it is cheaper per request and
lets the size limit refuse a body before it is read whole.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import structlog
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.bus.producer import trace_id_from
from services.errors import PayloadTooLarge
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
        headers = [(k.decode("latin-1"), v) for k, v in scope.get("headers", [])]
        request_id = next((v.decode("latin-1") for k, v in headers if k == "x-request-id"), "")
        if not request_id or len(request_id) > 64 or not request_id.isprintable():
            request_id = uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        trace_id = bind_trace(trace_id_from(headers))
        structlog.contextvars.bind_contextvars(request_id=request_id)
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
            await self.app(scope, receive, send_with_ids)
        finally:
            route = _route_of(scope)
            REQUESTS.labels(self.service, scope["method"], route, str(status)).inc()
            LATENCY.labels(self.service, route).observe(time.perf_counter() - started)
            structlog.contextvars.clear_contextvars()


def _route_of(scope: Scope) -> str:
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class BodyLimitMiddleware:
    """Refuses a request body over ``limit`` bytes with 413, by its Content-Length before
    reading, or as soon as a chunked body passes the limit."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = False
                if too_big:
                    await _send_413(scope, send, self.limit)
                    return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise PayloadTooLarge(_too_large_detail(self.limit))
            return message

        await self.app(scope, limited_receive, send)


def _too_large_detail(limit: int) -> str:
    return f"The request body is larger than this endpoint accepts ({limit} bytes)."


async def _send_413(scope: Scope, send: Send, limit: int) -> None:
    from services.http.problems import problem_response

    response = problem_response(PayloadTooLarge(_too_large_detail(limit)))
    await response(scope, _noop_receive, send)


async def _noop_receive() -> Message:
    return {"type": "http.disconnect"}
