"""The reviewers' console's pages and forms: an edge like the JSON routes, over the same
services. Every form answers with a redirect to the page it came from (post/redirect/get),
or with that page again and the reason when the change was refused (409, 412, 422)."""

# No ``from __future__ import annotations`` here: FastAPI must resolve the annotations of
# the routes, whose dependencies are built per console inside ``add_routes``.
import contextlib
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Form, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from services import text as text_policy
from services.contracts import ReviewStatus
from services.errors import (
    Conflict,
    NewsroomError,
    NotFound,
    PreconditionFailed,
    ValidationFailed,
)
from services.http.deps import PageCursor
from services.settings import Settings
from services.ui import Console, Viewer, Watch
from verify.common import Actor, utcnow
from verify.edge import VerifyContext, actor_of, get_context
from verify.memory import service as memory
from verify.stories import review as claims
from verify.stories.analysis import REVIEWER_FLAG
from verify.stories.schemas import AttributionIn
from verify.ui import service
from verify.ui.view import origin_label, signal_label, signal_labels
from verify.ui.words import DEFAULT_VIA, KIND_LABELS, STATUS_KEYS, VIA_LABELS

PAGE_SIZE = 20  # stories a page
CLAIM_ID = r"^[A-Za-z0-9_-]+$"
CONTESTED = {"yes": True, "no": False}


def _optional(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _offset(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationFailed("start and end are character offsets in the story.")
    return int(value)


def add_routes(console: Console, settings: Settings) -> Watch:
    router = console.router
    ViewerDep = Annotated[Viewer, Depends(console.viewer)]
    FormViewer = Annotated[Viewer, Depends(console.form_viewer)]
    Context = Annotated[VerifyContext, Depends(get_context)]
    watch = Watch("verify-queue", service.change_marker)
    sections = list(settings.sections)

    def queue_context(
        request: Request,
        viewer: Viewer,
        status: ReviewStatus,
        section: str | None,
        contested: str,
        cursor: str | None,
    ) -> dict[str, Any]:
        if section is not None and section not in sections:
            section = None
        view = service.queue_view(
            status=status,
            section=section,
            contested=CONTESTED.get(contested),
            cursor=cursor,
            limit=PAGE_SIZE,
            user_id=viewer.principal.user_id,
            now=utcnow(),
        )
        query = {"status": status.value, "section": section or "", "contested": contested}

        def link(**changes: str) -> str:
            values = {**query, **changes}
            return "/ui/?" + urlencode({k: v for k, v in values.items() if v})

        fragment = "/ui/queue?" + urlencode(
            {k: v for k, v in {**query, "cursor": cursor or ""}.items() if v}
        )
        return {
            "view": view,
            "statuses": service.STATUSES,
            "sections": sections,
            "contested": contested,
            "link": link,
            "fragment": fragment,
            "now": utcnow(),
            "signal_labels": signal_labels,
        }

    @router.get("/")
    def queue_page(
        request: Request,
        viewer: ViewerDep,
        status: ReviewStatus = ReviewStatus.PENDING,
        section: Annotated[str | None, Query(max_length=50)] = None,
        contested: Annotated[str, Query(max_length=3)] = "",
        cursor: PageCursor = None,
    ) -> Response:
        context = queue_context(request, viewer, status, section or None, contested, cursor)
        return console.render(request, "verify_ui/queue.html", context)

    @router.get("/queue")
    def queue_fragment(
        request: Request,
        viewer: ViewerDep,
        status: ReviewStatus = ReviewStatus.PENDING,
        section: Annotated[str | None, Query(max_length=50)] = None,
        contested: Annotated[str, Query(max_length=3)] = "",
        cursor: PageCursor = None,
    ) -> Response:
        context = queue_context(request, viewer, status, section or None, contested, cursor)
        response = console.render(request, "verify_ui/_queue.html", context)
        response.headers["X-Live-Version"] = context["view"].marker
        return response

    @router.get("/events")
    def events(request: Request, viewer: ViewerDep) -> Response:
        return StreamingResponse(
            watch.stream(request, "queue"),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    # --- one claim ---------------------------------------------------------------------

    def claim_page(
        request: Request,
        viewer: Viewer,
        claim_id: str,
        error: str | None = None,
        status_code: int = 200,
        typed_note: str | None = None,
        typed_attribution: dict[str, str] | None = None,
    ) -> Response:
        view = service.claim_view(claim_id, viewer.principal.user_id, viewer.name, utcnow())
        return console.render(
            request,
            "verify_ui/claim.html",
            {
                "view": view,
                "claim": view.claim,
                "error": error,
                "status_keys": STATUS_KEYS,
                "kinds": KIND_LABELS,
                "vias": VIA_LABELS,
                "default_via": DEFAULT_VIA,
                "signal_label": signal_label,
                "origin_label": origin_label,
                "reviewer_flag": REVIEWER_FLAG,
                "editor": viewer.role == "editor",
                "typed_note": typed_note,
                # A refused typed attribution, as the reviewer typed it.
                "typed": typed_attribution or {},
                "now": utcnow(),
            },
            status_code=status_code,
        )

    def act(
        request: Request,
        viewer: Viewer,
        claim_id: str,
        change: Callable[[], Any],
        done: str,
        typed: dict[str, str] | None = None,
    ) -> Response:
        def refused(exc: NewsroomError) -> Response:
            words = console_words(exc, claim_id, viewer.name)
            return claim_page(request, viewer, claim_id, words, exc.status, typed_attribution=typed)

        return console.act(request, change, f"/ui/claims/{claim_id}", refused, done)

    @router.get("/claims/{claim_id}")
    def claim(request: Request, claim_id: str, viewer: ViewerDep) -> Response:
        return claim_page(request, viewer, claim_id)

    @router.post("/claims/{claim_id}/lease")
    def lease(request: Request, claim_id: str, viewer: FormViewer, ctx: Context) -> Response:
        actor = actor_of(viewer.principal)
        return act(
            request,
            viewer,
            claim_id,
            lambda: claims.lease(
                claim_id, actor, ctx.lease_seconds, utcnow(ctx.clock), ctx.story_changed
            ),
            "leased",
        )

    @router.post("/claims/{claim_id}/release")
    def release(request: Request, claim_id: str, viewer: FormViewer, ctx: Context) -> Response:
        actor = actor_of(viewer.principal)
        return act(
            request,
            viewer,
            claim_id,
            lambda: claims.release(claim_id, actor, utcnow(ctx.clock), ctx.story_changed),
            "released",
        )

    @router.post("/claims/{claim_id}/review")
    def review(
        request: Request,
        claim_id: str,
        viewer: FormViewer,
        ctx: Context,
        status: Annotated[ReviewStatus, Form()],
        version: Annotated[int, Form(ge=0)],
        note: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        actor = actor_of(viewer.principal)

        try:
            text = _optional(note)
            if text is not None:
                text = text_policy.check("note", text, multiline=True)
            now = utcnow(ctx.clock)
            marked = service.mark(claim_id, status, text, version, actor, now, ctx.story_changed)
            ctx.claim_reviewed(marked)  # claim memory: the same claim in other stories
            # Marked: the lease goes back, and the reviewer moves on to the story's next
            # free claim, or to the story's end when none is left. The mark is saved
            # whatever the give-back meets (the lease freed and taken by another
            # meanwhile, a busy story): the reviewer is told it was saved, never "Not done".
            with contextlib.suppress(NewsroomError):
                service.give_back(marked, actor, now, ctx.story_changed)
        except NotFound:
            raise
        except ValidationError as exc:
            error = ValidationFailed(_first_error(exc))
            return claim_page(request, viewer, claim_id, error.detail, error.status, note)
        except NewsroomError as exc:
            words = console_words(exc, claim_id, viewer.name)
            # Refused: the page again with why, and the note as the reviewer typed it.
            return claim_page(request, viewer, claim_id, words, exc.status, note)
        return move_on(request, actor, ctx, marked.story_id, marked.claim_id, True, "reviewed")

    def move_on(
        request: Request,
        actor: Actor,
        ctx: VerifyContext,
        story_id: str | None,
        after_id: str | None,
        this_story_only: bool,
        done: str,
        section: str | None = None,
    ) -> Response:
        """Lease the next free claim and open it; the story's end when it has none left
        (or, from the queue, the queue again when nothing is free anywhere)."""
        taken = service.take_next(
            actor,
            ctx.lease_seconds,
            utcnow(ctx.clock),
            ctx.story_changed,
            story_id=story_id,
            after_id=after_id,
            section=section,
            this_story_only=this_story_only,
        )
        if taken is not None:
            return console.redirect(request, f"/ui/claims/{taken.claim_id}", done)
        if story_id is not None:
            return console.redirect(request, f"/ui/stories/{story_id}", done + "-end")
        return console.redirect(request, "/ui/", "none-free")

    @router.post("/next")
    def next_claim(
        request: Request,
        viewer: FormViewer,
        ctx: Context,
        story_id: Annotated[str, Form(max_length=64)] = "",
        after: Annotated[str, Form(max_length=64)] = "",
        section: Annotated[str, Form(max_length=50)] = "",
        only: Annotated[str, Form(max_length=3)] = "",
    ) -> Response:
        """Take the next claim: of this story (after ``after``), then of the next
        stories of ``section``, then of any section; ``only=yes`` stays in the story."""
        actor = actor_of(viewer.principal)
        if after.strip():
            # Skipping a claim gives it back: nobody is named holder of a claim passed by.
            with contextlib.suppress(NewsroomError):
                skipped = claims.get(after.strip())
                service.give_back(skipped, actor, utcnow(ctx.clock), ctx.story_changed)
        return move_on(
            request,
            actor,
            ctx,
            story_id.strip() or None,
            after.strip() or None,
            only == "yes",
            "leased",
            section if section in sections else None,
        )

    @router.post("/claims/{claim_id}/attributions")
    def add_attribution(
        request: Request,
        claim_id: str,
        viewer: FormViewer,
        ctx: Context,
        version: Annotated[int, Form(ge=0)],
        source_name: Annotated[str, Form(max_length=200)] = "",
        source_kind: Annotated[str, Form(max_length=40)] = "",
        obtained_via: Annotated[str, Form(max_length=40)] = "",
        affiliation: Annotated[str, Form(max_length=200)] = "",
        url: Annotated[str, Form(max_length=2000)] = "",
        quote: Annotated[str, Form(max_length=2000)] = "",
        start: Annotated[str, Form(max_length=12)] = "",
        end: Annotated[str, Form(max_length=12)] = "",
    ) -> Response:
        actor = actor_of(viewer.principal)

        def change() -> None:
            missing = [
                label
                for label, value in (
                    ("the source's name", source_name),
                    ("the kind of source", source_kind),
                    ("how it was obtained", obtained_via),
                )
                if not value.strip()
            ]
            if missing:
                raise ValidationFailed("An attribution needs " + ", ".join(missing) + ".")
            try:
                record = AttributionIn(
                    source_name=source_name.strip(),
                    source_kind=source_kind,  # type: ignore[arg-type]
                    obtained_via=obtained_via,  # type: ignore[arg-type]
                    affiliation=_optional(affiliation),
                    url=_optional(url),
                    quote=_optional(quote),
                    start=_offset(start),
                    end=_offset(end),
                )
            except ValidationError as exc:
                raise ValidationFailed(_first_error(exc)) from exc
            service.add_attribution(
                claim_id,
                record,
                version,
                actor,
                utcnow(ctx.clock),
                ctx.story_changed,
            )

        typed = {
            "source_name": source_name,
            "source_kind": source_kind,
            "obtained_via": obtained_via,
            "affiliation": affiliation,
            "url": url,
            "quote": quote,
        }
        # Only the typed form comes back filled in (a suggestion is offered again as it was).
        from_text = bool(start.strip() or end.strip())
        return act(request, viewer, claim_id, change, "added", None if from_text else typed)

    @router.post("/claims/{claim_id}/attributions/{attribution_id}/remove")
    def remove_attribution(
        request: Request,
        claim_id: str,
        attribution_id: str,
        viewer: FormViewer,
        ctx: Context,
        version: Annotated[int, Form(ge=0)],
    ) -> Response:
        actor = actor_of(viewer.principal)
        return act(
            request,
            viewer,
            claim_id,
            lambda: ctx.claim_reviewed(
                service.remove_attribution(
                    claim_id,
                    attribution_id,
                    version,
                    actor,
                    utcnow(ctx.clock),
                    ctx.story_changed,
                )
            ),
            "removed",
        )

    @router.post("/claims/{claim_id}/apply-review")
    def apply_review(
        request: Request,
        claim_id: str,
        viewer: FormViewer,
        ctx: Context,
        version: Annotated[int, Form(ge=0)],
        from_claim_id: Annotated[str, Form(min_length=1, max_length=64, pattern=CLAIM_ID)],
    ) -> Response:
        actor = actor_of(viewer.principal)
        return act(
            request,
            viewer,
            claim_id,
            lambda: ctx.claim_reviewed(
                memory.apply(
                    claim_id,
                    from_claim_id,
                    version,
                    actor,
                    utcnow(ctx.clock),
                    ctx.story_changed,
                )
            ),
            "applied",
        )

    @router.post("/claims/{claim_id}/not-same")
    def not_same(
        request: Request,
        claim_id: str,
        viewer: FormViewer,
        other_id: Annotated[str, Form(min_length=1, max_length=64, pattern=CLAIM_ID)],
    ) -> Response:
        actor = actor_of(viewer.principal)
        return act(
            request, viewer, claim_id, lambda: memory.not_same(claim_id, other_id, actor), "kept"
        )

    return watch


def console_words(exc: NewsroomError, claim_id: str | None = None, viewer: str = "") -> str:
    """The API's sentence, except where it speaks in stamps and ids: a claim another
    reviewer holds is said the console's way (the lease's end on the page shows the time),
    and a claim changed since the page was opened (the API's "at version 2, not 1") says
    what it is now and who marked it."""
    extra = getattr(exc, "extra", None) or {}
    if isinstance(exc, Conflict) and extra.get("holder"):
        return (
            f"{extra['holder']} holds this claim now; take another, or wait for their lease to end."
        )
    if isinstance(exc, PreconditionFailed) and claim_id is not None:
        with contextlib.suppress(NewsroomError):
            return changed_meanwhile(claims.get(claim_id), viewer)
    return exc.detail


def changed_meanwhile(claim: Any, viewer: str) -> str:
    status = str(claim.status).replace("_", " ")
    who = claim.reviewed_by
    by = f", marked by {'you (in another tab)' if who == viewer else who}" if who else ""
    return (
        f"This claim changed while you had the page open: it is now {status}{by}. "
        "Your change was not saved; here is the claim as it stands, to do again if you "
        "still mean it."
    )


def _first_error(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where.replace('_', ' ')}: {message}" if where else message
