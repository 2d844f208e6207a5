"""Where a console request comes from and where it may go back to: this console's own
pages (same origin), the page a form was sent from, the page a form's address belongs to,
and redirects that stay inside the console (no open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import Request

from services.http.problems import allowed_methods

PREFIX = "/ui"


def same_origin(request: Request) -> bool:
    """Sent from one of this console's own pages (Fetch Metadata, else ``Origin``)."""
    site = request.headers.get("sec-fetch-site")
    if site:
        return site == "same-origin"
    origin = request.headers.get("origin")
    return bool(origin) and urlsplit(origin).netloc == request.headers.get("host")


def referring_page(request: Request) -> str | None:
    """The console page a form was sent from (same origin), without its one-time notice."""
    referer = request.headers.get("referer")
    if not referer or not same_origin(request):
        return None
    parts = urlsplit(referer)
    if parts.netloc != request.headers.get("host"):
        return None
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("done="))
    page = parts.path + (f"?{query}" if query else "")
    return page if safe_next(page) == page else None


def wants_a_page(request: Request) -> bool:
    """A browser navigating (Fetch Metadata, else an ``Accept`` naming HTML)."""
    mode = request.headers.get("sec-fetch-mode")
    if mode:
        return mode == "navigate"
    return "text/html" in request.headers.get("accept", "")


def page_of_form(request: Request) -> str | None:
    """The nearest console page above a form's address: ``/ui/claims/c_1/review`` is
    the claim's page, ``/ui/next`` the console's first page."""
    parts = request.url.path.rstrip("/").split("/")
    while len(parts) > 2:
        parts.pop()
        path = "/".join(parts) + ("/" if len(parts) == 2 else "")
        probe = Request({**request.scope, "method": "GET", "path": path, "raw_path": path.encode()})
        if "GET" in allowed_methods(probe):
            return path
    return None


def safe_next(value: str | None) -> str:
    """Only a path inside the console: never another site (open redirect)."""
    default = f"{PREFIX}/"
    if not value or not value.startswith(f"{PREFIX}/") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or value.startswith("//"):
        return default
    if parts.path.startswith(f"{PREFIX}/sign-"):
        return default
    return value
