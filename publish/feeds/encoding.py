"""Which clients get gzip: those whose ``Accept-Encoding`` accepts it (RFC 9110 12.5.3).

Starlette's ``GZipMiddleware`` compresses whenever the header contains the letters
``gzip``, so ``gzip;q=0`` (the client refuses it) got gzip, and ``GZIP`` (coding names
ignore case) did not. This layer, outside it, reads the header as the RFC does and hands
it on as ``gzip`` or not at all, so the middleware decides only how to compress.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

GZIP_NAMES = ("gzip", "x-gzip")


def _quality(parameters: list[str]) -> float:
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "q":
            try:
                return float(value.strip())
            except ValueError:
                return 0.0
    return 1.0


def accepts_gzip(header: str | None) -> bool:
    """True when ``header`` (an ``Accept-Encoding`` value) accepts gzip: named (or
    ``x-gzip``) with a quality above 0, or not named and ``*`` above 0."""
    if not header:
        return False
    named: float | None = None
    anything: float | None = None
    for coding in header.split(","):
        name, *parameters = coding.split(";")
        name = name.strip().lower()
        if name in GZIP_NAMES:
            named = max(named or 0.0, _quality(parameters))
        elif name == "*":
            anything = _quality(parameters)
    if named is not None:
        return named > 0
    return anything is not None and anything > 0


class AcceptGzip:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k != b"accept-encoding"]
        given = [v.decode("latin-1") for k, v in scope["headers"] if k == b"accept-encoding"]
        if accepts_gzip(", ".join(given)):
            headers.append((b"accept-encoding", b"gzip"))
        await self.app({**scope, "headers": headers}, receive, send)
