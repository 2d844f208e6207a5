"""How a service is served: uvicorn's options, and the limits on a request's head.

uvicorn's httptools protocol reads request headers without a size limit and waits for
them without a deadline (a 64 MB header was read and kept; 200 idle connections were
held for 40 s and more). :class:`GuardedHttpTools` adds both, below the ASGI app where
headers are parsed:

- the request line and headers together may hold at most ``max_header_bytes`` (counted
  as they are parsed, and by the bytes of a head that has not ended); past that the
  answer is ``431`` (a problem) and the connection is closed;
- a request's head must arrive within ``header_timeout`` seconds of the connection
  opening or of the request's first byte; otherwise ``408`` and the connection is closed;
- a request the parser cannot read (a malformed request line, header or chunk framing)
  is answered ``400`` as a problem, not uvicorn's plain text, and the connection closed;
  so is an HTTP/1.1 request without a ``Host`` (RFC 9112 3.2), and one that repeats a
  header that holds one value (``SINGLE_HEADERS``: two ``Host``, ``Content-Type``,
  ``Authorization`` or ``Idempotency-Key`` lines, of which each layer read another: the
  body check the last ``Content-Type``, the router the first).

A connection closed while the client is still sending its request (a 408, 413 or 431
that cuts it off) is closed lingering (RFC 9112 9.6): closing a socket with unread bytes
makes the kernel reset the connection, and a client still sending then gets a reset
rather than the answer (seen under load: a slow body's 408). The answer is sent, the
writing side shut (the client reads the answer, then the end), and what the client still
sends is read and dropped until it closes, for at most ``linger_seconds``.

``newsroom serve`` and the tests serve through :func:`server_options`, so both run the
same protocol.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from services.http.problems import PROBLEM_JSON
from services.settings import Settings

# Seconds an idle keep-alive connection is kept between requests (uvicorn's default).
KEEP_ALIVE_SECONDS = 5


class _LingeringTransport:
    """The transport uvicorn writes to, whose ``close`` lingers while the request is still
    arriving (``lingering``); everything else is the real transport's."""

    def __init__(self, transport: asyncio.Transport, protocol: GuardedHttpTools) -> None:
        self._transport = transport
        self._protocol = protocol

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def is_closing(self) -> bool:
        return self._protocol.lingering or self._transport.is_closing()

    def close(self) -> None:
        if self.is_closing():
            return
        if not self._protocol.client_still_sending() or not self._transport.can_write_eof():
            self._transport.close()
            return
        self._protocol.linger()


class HeadTooLarge(Exception):
    """Raised inside a parser callback: httptools stops parsing and reports it."""


class HeadAmbiguous(Exception):
    """A header that holds one value came twice, or an HTTP/1.1 request has no Host."""


SINGLE_HEADERS = frozenset({b"host", b"content-type", b"authorization", b"idempotency-key"})


def _problem(status: int, code: str, title: str, detail: str) -> bytes:
    """A whole HTTP response (problem+json), written before any ASGI app has run."""
    problem = {"type": f"urn:newsroom:problem:{code}", "title": title, "status": status,
               "detail": detail}  # fmt: skip
    body = json.dumps(problem).encode()
    head = (
        b"HTTP/1.1 %d %s\r\ncontent-type: %s\r\ncontent-length: %d\r\nconnection: close\r\n\r\n"
        % (status, title.encode(), PROBLEM_JSON.encode(), len(body))
    )
    return head + body


class GuardedHttpTools(HttpToolsProtocol):
    max_header_bytes = 64 * 1024
    header_timeout = 10.0
    linger_seconds = 5.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_bytes = 0
        self._unfinished_head_bytes = 0
        self._head_open = False  # waiting for a request's head
        self._head_started = False  # ...and some of it has arrived
        self._head_too_large = False
        self._singles: set[bytes] = set()  # SINGLE_HEADERS seen in this request's head
        self._ambiguous: str | None = None  # why the head is refused, when it is ambiguous
        self._head_timer: asyncio.TimerHandle | None = None
        self.lingering = False
        self._linger_timer: asyncio.TimerHandle | None = None
        self._raw: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._raw = transport
        super().connection_made(_LingeringTransport(transport, self))  # type: ignore[arg-type]
        self._head_open = True
        self._arm_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        if self._linger_timer is not None:
            self._linger_timer.cancel()
            self._linger_timer = None
        super().connection_lost(exc)

    def client_still_sending(self) -> bool:
        """A request's head or body has begun arriving and has not all arrived."""
        cycle = self.cycle
        body_pending = cycle is not None and not cycle.disconnected and cycle.more_body
        return self._head_started or body_pending

    def linger(self) -> None:
        """Shut the writing side once the answer is out, read and drop what still
        comes, close when the client does or after ``linger_seconds``."""
        self.lingering = True
        self._cancel_head_timer()
        raw = self._raw
        assert raw is not None
        raw.write_eof()
        raw.resume_reading()  # uvicorn may have paused it, waiting for the app
        self._linger_timer = self.loop.call_later(self.linger_seconds, raw.close)

    def data_received(self, data: bytes) -> None:
        if self.lingering:
            return  # the answer is sent: what the client still sends is dropped
        super().data_received(data)
        # httptools keeps a header value until it ends, without calling back: a head that
        # never finishes is counted here, by the bytes that arrived while it was open.
        if self._head_open and not self.transport.is_closing():
            self._unfinished_head_bytes += len(data)
            if self._unfinished_head_bytes > self.max_header_bytes:
                self._head_too_large = True
                self.send_400_response("head too large")

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._singles = set()
        self._head_open = self._head_started = True
        self._arm_head_timer()

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        single = name.lower()
        if single in SINGLE_HEADERS:
            if single in self._singles:
                self._ambiguous = f"The request has more than one {name.decode('latin-1')} header."
                raise HeadAmbiguous
            self._singles.add(single)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if b"host" not in self._singles and self.parser.get_http_version() == "1.1":
            self._ambiguous = "An HTTP/1.1 request needs a Host header."
            raise HeadAmbiguous
        self._head_open = self._head_started = False
        self._unfinished_head_bytes = 0
        self._cancel_head_timer()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        # uvicorn answers every parser error with a plain-text 400: ours is a problem, as
        # every other error is, and a head over the limit is a 431.
        self._cancel_head_timer()
        if self._head_too_large:
            detail = f"The request line and headers are over {self.max_header_bytes} bytes."
            answer = _problem(431, "header_too_large", "Request Header Fields Too Large", detail)
        else:
            detail = "The request is not valid HTTP/1.1 (its request line, headers or framing)."
            if self._ambiguous is not None:
                detail = self._ambiguous
            answer = _problem(400, "bad_request", "Bad Request", detail)
        self.transport.write(answer)
        self.transport.close()

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.max_header_bytes:
            self._head_too_large = True
            raise HeadTooLarge

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        """The head has not arrived in time: close (between requests, uvicorn's
        keep-alive timer closes an idle connection instead)."""
        self._head_timer = None
        if not self._head_open or self.transport.is_closing():
            return
        if self._head_started:
            detail = "The request's headers did not arrive in time."
            self.transport.write(_problem(408, "timeout", "Request Timeout", detail))
        self.transport.close()


def protocol_for(settings: Settings) -> type[GuardedHttpTools]:
    return type(
        "GuardedHttpTools",
        (GuardedHttpTools,),
        {
            "max_header_bytes": settings.max_header_bytes,
            "header_timeout": settings.header_timeout_seconds,
        },
    )


def server_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn options every service runs with (besides app, host and port)."""
    return {
        "http": protocol_for(settings),
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        # Only used if someone serves with uvicorn's h11 protocol instead.
        "h11_max_incomplete_event_size": settings.max_header_bytes,
        "log_config": None,
        "access_log": False,
        # The request's scheme and client come from forwarded headers only when the
        # gateway sent them (https behind TLS makes the consoles' cookie Secure).
        "proxy_headers": True,
        "forwarded_allow_ips": settings.forwarded_allow_ips,
    }
