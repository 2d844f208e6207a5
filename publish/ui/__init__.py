"""The editors' desk at ``/ui/``: stories by state, each story's gate with every blocking
claim, approvals of anonymous sources, publish and retract, and the feed entry as
readers get it. Editors only."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from publish.ui.routes import NOTICES, add_routes
from services.auth import Role
from services.runtime import Runtime
from services.ui import Console

TEMPLATES = Path(__file__).parent / "templates"


def install(app: FastAPI, runtime: Runtime) -> Console:
    settings = runtime.settings
    secret = settings.session_secret.get_secret_value() if settings.session_secret else None
    console = Console(
        name="publish",
        title="Editors' desk",
        roles=(Role.EDITOR,),
        authenticator=runtime.authenticator,
        session_secret=secret,
        template_dirs=[TEMPLATES],
        nav=[("/ui/", "Stories")],
        notices=NOTICES,
        # One sign-in for both consoles: links to the other one hand the session over.
        peers={"verify": settings.public_url_of("verify")},
    )
    app.state.desk_watch = add_routes(console, settings)
    console.install(app)
    return console
