"""``HEAD`` for publish's public reads (feeds, ninjs, pages, schema, stylesheet).

FastAPI routes declared with ``GET`` answer ``HEAD`` with 405; feed readers and link
checkers send ``HEAD``. This layer runs such a request as ``GET`` and sends the same
status and headers (``Content-Length``, ``ETag``, ``Content-Encoding`` included) without
the body, as RFC 9110 asks.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

PUBLIC_PREFIXES = ("/feeds/", "/v1/published/", "/stories/", "/sections/", "/schemas/", "/assets/")


def is_public_read(path: str) -> bool:
    return path == "/" or path.startswith(PUBLIC_PREFIXES)


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "HEAD"
            or not is_public_read(scope["path"])
        ):
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
