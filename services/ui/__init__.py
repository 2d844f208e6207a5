"""What the browser consoles share: sessions, CSRF, sign-in, error pages, the base
template, stylesheet and script, and server-sent events. Core code: imports no service."""

from services.ui.console import Console, SignInRequired, Viewer
from services.ui.live import Watch
from services.ui.sessions import SessionCodec, SessionData, csrf_matches, csrf_token

__all__ = [
    "Console",
    "SessionCodec",
    "SessionData",
    "SignInRequired",
    "Viewer",
    "Watch",
    "csrf_matches",
    "csrf_token",
]
