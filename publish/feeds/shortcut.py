"""Conditional feed requests answered before routing.

A downstream site polls a feed with ``If-None-Match`` and, nearly always, nothing has
changed. When the in-process cache holds the first page of that feed for the newest
change it knows of and its ETag matches, this layer answers ``304`` at once, ahead of
the request-context middleware, the router and the handler: that per-request framework
work was most of a 304's cost (``make bench``). Anything else — another page, a date
validator, a stale or missing entry — goes on to the route, which answers the same way.
"""

from __future__ import annotations

import re

from prometheus_client import Counter
from starlette.types import ASGIApp, Receive, Scope, Send

from publish.feeds.cache import FeedCache
from services.http.conditional import none_match

_FEED = re.compile(r"^/feeds/([A-Za-z0-9_-]{1,50})\.(json|atom|rss)$")
SHORTCUTS = Counter(
    "newsroom_feed_not_modified_shortcuts_total",
    "Feed requests answered 304 from the cache before routing",
)


class FeedNotModified:
    def __init__(self, app: ASGIApp, cache: FeedCache) -> None:
        self.app = app
        self.cache = cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and not scope.get("query_string")
        ):
            match = _FEED.match(scope["path"])
            if match is not None:
                entry = self.cache.get((match.group(1), match.group(2), None))
                if entry is not None and _matches(scope, entry.etag):
                    SHORTCUTS.inc()
                    headers = [
                        (b"etag", entry.etag.encode()),
                        (b"last-modified", entry.last_modified.encode()),
                        (b"cache-control", b"public, no-cache"),
                        (b"access-control-allow-origin", b"*"),
                        (b"vary", b"Accept-Encoding"),
                    ]
                    await send({"type": "http.response.start", "status": 304, "headers": headers})
                    await send({"type": "http.response.body", "body": b""})
                    return
        await self.app(scope, receive, send)


def _matches(scope: Scope, etag: str) -> bool:
    for name, value in scope["headers"]:
        if name == b"if-none-match":
            return none_match(value.decode("latin-1"), etag)
    return False
