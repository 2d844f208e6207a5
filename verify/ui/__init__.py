"""The reviewers' console at ``/ui/``: the queue, one claim at a time, live updates.

Reviewers and editors sign in with their API token (kept in an encrypted session
cookie); everything they do goes through verify's own services, as the JSON API does.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.auth import Role
from services.runtime import Runtime
from services.ui import Console
from verify.ui.routes import add_routes
from verify.ui.story_routes import NOTICES as STORY_NOTICES
from verify.ui.story_routes import add_story_routes
from verify.ui.words import NOTICES

TEMPLATES = Path(__file__).parent / "templates"


def install(app: FastAPI, runtime: Runtime) -> Console:
    settings = runtime.settings
    secret = settings.session_secret.get_secret_value() if settings.session_secret else None
    console = Console(
        name="verify",
        title="Reviewers' console",
        roles=(Role.REVIEWER, Role.EDITOR),
        authenticator=runtime.authenticator,
        session_secret=secret,
        template_dirs=[TEMPLATES],
        nav=[("/ui/", "Queue")],
        notices={**NOTICES, **STORY_NOTICES},
        # One sign-in for both consoles: links to the other one hand the session over.
        peers={"publish": settings.public_url_of("publish")},
    )
    app.state.queue_watch = add_routes(console, settings)
    add_story_routes(console)
    console.install(app)
    return console
