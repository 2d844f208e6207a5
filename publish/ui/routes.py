"""The editors' desk's pages and forms: an edge over publish's own services (gate,
release, retract) and, for approving an anonymous source, verify's API called with the
editor's own token. Forms answer with a redirect (post/redirect/get), or with the page
again and the reason when the change was refused."""

# No ``from __future__ import annotations`` here: FastAPI must resolve the annotations of
# the routes, whose dependencies are built per console inside ``add_routes``.
import contextlib
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Form, Query, Request, Response
from fastapi.responses import StreamingResponse

from publish.deps import Publish, get_publish
from publish.stories import service as stories
from publish.stories.model import State
from publish.ui import view
from services import text
from services.errors import NewsroomError, PreconditionFailed, ValidationFailed
from services.settings import Settings
from services.ui import Console, Viewer, Watch

STATE_LABELS = {
    State.HELD: "Held",
    State.PUBLISHABLE: "Publishable",
    State.PUBLISHED: "Published",
    State.NEEDS_CORRECTION: "Needs correction",
    State.RETRACTED: "Retracted",
}
STATE_HINTS = {
    State.HELD: "A claim blocks the current revision.",
    State.PUBLISHABLE: "Every claim passes the publish rule: ready to release.",
    State.PUBLISHED: "Readers have it.",
    State.NEEDS_CORRECTION: "A released claim changed: correct or retract.",
    State.RETRACTED: "Withdrawn, with a reason shown to readers.",
}
NOTICES = {
    "published": "Published. The feed entry below is what readers get.",
    "corrected": "Correction published.",
    "unchanged": "Nothing new to release: readers already have this version.",
    "retracted": "Retracted. Feeds now show the story as withdrawn, with your reason.",
    "approved": "Anonymous source approved.",
    "refreshed": "Checked with verify.",
}


def claim_link(claim_id: str) -> str:
    """A claim in the reviewers' console, reached through the hand-off (one sign-in)."""
    return "/ui/go/verify?" + urlencode({"next": f"/ui/claims/{claim_id}"})


def story_link(story_id: str) -> str:
    """A story's page in the reviewers' console (its claim list), through the hand-off."""
    return "/ui/go/verify?" + urlencode({"next": f"/ui/stories/{story_id}"})


def add_routes(console: Console, settings: Settings) -> Watch:
    router = console.router
    ViewerDep = Annotated[Viewer, Depends(console.viewer)]
    FormViewer = Annotated[Viewer, Depends(console.form_viewer)]
    Ctx = Annotated[Publish, Depends(get_publish)]
    watch = Watch("publish-desk", view.change_marker)
    sections = list(settings.sections)

    def board_context(only: State | None, section: str | None) -> dict[str, Any]:
        if section not in sections:
            section = None
        query = {"state": only.value if only else "", "section": section or ""}

        def link(**changes: str) -> str:
            values = {k: v for k, v in {**query, **changes}.items() if v}
            return "/ui/" + ("?" + urlencode(values) if values else "")

        return {
            "columns": view.board(only, section),
            "only": only,
            "section": section,
            "sections": sections,
            "link": link,
            "duties": view.row_duties,
            "labels": STATE_LABELS,
            "hints": STATE_HINTS,
            "states": list(State),
            "fragment": "/ui/board?" + urlencode({k: v for k, v in query.items() if v}),
            "marker": view.change_marker(),
        }

    @router.get("/")
    def board(
        request: Request,
        viewer: ViewerDep,
        state: State | None = None,
        section: Annotated[str | None, Query(max_length=50)] = None,
    ) -> Response:
        return console.render(request, "publish_ui/board.html", board_context(state, section))

    @router.get("/board")
    def board_fragment(
        request: Request,
        viewer: ViewerDep,
        state: State | None = None,
        section: Annotated[str | None, Query(max_length=50)] = None,
    ) -> Response:
        context = board_context(state, section)
        response = console.render(request, "publish_ui/_board.html", context)
        response.headers["X-Live-Version"] = context["marker"]
        return response

    @router.get("/events")
    def events(request: Request, viewer: ViewerDep) -> Response:
        return StreamingResponse(
            watch.stream(request, "desk"),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    def story_page(
        request: Request,
        ctx: Publish,
        story_id: str,
        error: str | None = None,
        status: int = 200,
        typed: dict[str, str] | None = None,
    ) -> Response:
        found = view.story_view(ctx.feeds, ctx.site, story_id)
        return console.render(
            request,
            "publish_ui/story.html",
            {
                "view": found,
                "row": found.row,
                "labels": STATE_LABELS,
                "error": error,
                "feed_url": f"/feeds/{found.row.section}.json",
                "claim_link": claim_link,
                "story_link": story_link,
                # A refused form's text, as the editor typed it (by the field it goes back in).
                "typed": typed or {},
            },
            status_code=status,
        )

    def act(
        request: Request,
        ctx: Publish,
        story_id: str,
        change: Callable[[], str],
        typed: dict[str, str] | None = None,
    ) -> Response:
        def refused(exc: NewsroomError) -> Response:
            return story_page(request, ctx, story_id, exc.detail, exc.status, typed)

        return console.act(request, change, f"/ui/stories/{story_id}", refused)

    @router.get("/stories/{story_id}")
    def story(request: Request, story_id: str, viewer: ViewerDep, ctx: Ctx) -> Response:
        return story_page(request, ctx, story_id)

    @router.post("/stories/{story_id}/publish")
    def publish(
        request: Request,
        story_id: str,
        viewer: FormViewer,
        ctx: Ctx,
        revision: Annotated[int, Form(ge=1)],
        version: Annotated[int | None, Form(ge=1)] = None,
        correction: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        def change() -> str:
            note = (
                text.check("correction", correction, multiline=True) if correction.strip() else None
            )
            outcome = stories.release(
                ctx.desk,
                ctx.verify,
                story_id,
                actor=viewer.name,
                revision=revision,
                version=version,
                note=note,
            )
            ctx.released(outcome)
            return outcome.action or "unchanged"

        return act(request, ctx, story_id, change, {"correction": correction})

    @router.post("/stories/{story_id}/retract")
    def retract(
        request: Request,
        story_id: str,
        viewer: FormViewer,
        ctx: Ctx,
        reason: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        def change() -> str:
            if not reason.strip():
                raise ValidationFailed("Give readers a reason for the retraction.")
            given = text.check("reason", reason, multiline=True)
            outcome = stories.retract(ctx.desk, story_id, reason=given, actor=viewer.name)
            ctx.released(outcome)
            return "retracted"

        return act(request, ctx, story_id, change, {"retract": reason})

    def refresh(ctx: Publish, story_id: str) -> None:
        """Bring the desk's view of the story up to verify's (as a release would)."""
        applied = stories.apply_snapshot(ctx.desk, ctx.verify.fetch(story_id))
        if applied is not None and applied.flagged is not None:
            ctx.released(applied.flagged)

    @router.post("/stories/{story_id}/approve")
    def approve(
        request: Request,
        story_id: str,
        viewer: FormViewer,
        ctx: Ctx,
        claim_id: Annotated[str, Form(min_length=1, max_length=64)],
        attribution_id: Annotated[str, Form(min_length=1, max_length=64)],
        reason: Annotated[str, Form(max_length=1000)] = "",
        version: Annotated[int | None, Form(ge=1)] = None,
    ) -> Response:
        def change() -> str:
            if not reason.strip():
                raise ValidationFailed("Say why this source may stay anonymous.")
            given = text.check("reason", reason, multiline=True)
            try:
                ctx.verify.approve_anonymous(
                    viewer.token, claim_id, attribution_id, given, version=version
                )
            except PreconditionFailed:
                # The claim changed since the page was read (its source perhaps): the page
                # comes back with it as verify has it now, so the editor reads it again.
                with contextlib.suppress(NewsroomError):
                    refresh(ctx, story_id)
                raise
            # The approval is made; if verify cannot be read back now, the event brings it.
            with contextlib.suppress(NewsroomError):
                refresh(ctx, story_id)
            return "approved"

        return act(request, ctx, story_id, change, {f"approve-{attribution_id}": reason})

    @router.post("/stories/{story_id}/refresh")
    def check_with_verify(
        request: Request, story_id: str, viewer: FormViewer, ctx: Ctx
    ) -> Response:
        def change() -> str:
            refresh(ctx, story_id)
            return "refreshed"

        return act(request, ctx, story_id, change)

    return watch
