"""The console's story page, where the reviewers' flow ends after a story's last claim:
every claim with what the publish rule still needs, the text with its claims marked, and
rule 0: the sentences of the current revision no claim covers, a claim made of any of
them in one click, and the claim list confirmed in one more. The same rules as the JSON
API (``verify.stories.signoff``, ``restructure.add``)."""

# No ``from __future__ import annotations`` here: FastAPI resolves the routes' annotations.
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Form, Request, Response

from services.errors import NewsroomError
from services.ui import Console, Viewer
from verify.common import utcnow
from verify.edge import VerifyContext, actor_of, get_context
from verify.stories import restructure, signoff
from verify.ui import service

NOTICES = {
    "confirmed": "Claim list confirmed for this revision.",
    "claim_made": "Claim made; it waits in the queue.",
}


def add_story_routes(console: Console) -> None:
    router = console.router
    ViewerDep = Annotated[Viewer, Depends(console.viewer)]
    FormViewer = Annotated[Viewer, Depends(console.form_viewer)]
    Context = Annotated[VerifyContext, Depends(get_context)]

    def story_page(
        request: Request,
        viewer: Viewer,
        story_id: str,
        error: str | None = None,
        status_code: int = 200,
    ) -> Response:
        now = utcnow()
        end = service.story_end(story_id, viewer.principal.user_id, now)
        # ``k`` goes back to the last claim this reviewer can open.
        last = next(
            (c.claim_id for c, _ in reversed(end.claims) if c.holder in (None, viewer.name)),
            None,
        )
        return console.render(
            request,
            "verify_ui/story.html",
            {
                "end": end,
                "story": end.story,
                "last_id": last,
                "now": now,
                "claims": signoff.claim_list(story_id),
                "error": error,
            },
            status_code=status_code,
        )

    def act(
        request: Request, viewer: Viewer, story_id: str, change: Callable[[], Any], done: str
    ) -> Response:
        def refused(exc: NewsroomError) -> Response:
            return story_page(request, viewer, story_id, exc.detail, exc.status)

        return console.act(request, change, f"/ui/stories/{story_id}", refused, done)

    @router.get("/stories/{story_id}")
    def story(request: Request, story_id: str, viewer: ViewerDep) -> Response:
        return story_page(request, viewer, story_id)

    @router.post("/stories/{story_id}/claim-list/confirm")
    def confirm(
        request: Request,
        story_id: str,
        viewer: FormViewer,
        ctx: Context,
        revision: Annotated[int, Form(ge=1, le=1_000_000)],
    ) -> Response:
        actor = actor_of(viewer.principal)
        return act(
            request,
            viewer,
            story_id,
            lambda: signoff.confirm(
                story_id, revision, actor, utcnow(ctx.clock), ctx.story_changed
            ),
            "confirmed",
        )

    @router.post("/stories/{story_id}/claims")
    def make_claim(
        request: Request,
        story_id: str,
        viewer: FormViewer,
        ctx: Context,
        start: Annotated[int, Form(ge=0, le=10_000_000)],
        end: Annotated[int, Form(ge=0, le=10_000_000)],
    ) -> Response:
        actor = actor_of(viewer.principal)
        return act(
            request,
            viewer,
            story_id,
            lambda: restructure.add(
                story_id,
                (start, end),
                None,
                actor,
                utcnow(ctx.clock),
                ctx.story_changed,
                ctx.max_claims,
            ),
            "claim_made",
        )
