"""A browser console mounted under ``/ui/`` of a service: sessions, CSRF, sign-in and out,
pages for errors, security headers, the shared templates and static files.

A service makes one :class:`Console` (its name, title, the roles allowed in), adds its own
routes to :attr:`Console.router` with the dependencies below, and calls :meth:`install`.

- ``Viewer``: the signed-in user of a page; no valid session redirects to the sign-in
  page, a role the console does not allow gets a 403 page.
- ``FormViewer``: the same for a form post, after checking its CSRF token (403 otherwise).
- Errors of ``services.errors`` raised by a console route render as pages, not JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.templating import Jinja2Templates

from services.auth import Authenticator, Principal, Role, console_sessions
from services.errors import (
    Forbidden,
    FormInvalid,
    FormRefused,
    NewsroomError,
    NotFound,
    Unauthorized,
    Unavailable,
)
from services.http.problems import (
    NOT_A_PAGE,
    allowed_methods,
    error_of,
    method_not_allowed,
    problem_response,
)
from services.log import get_logger
from services.store import is_store_unavailable
from services.text import shorten
from services.ui import handoff
from services.ui.origin import (
    PREFIX,
    page_of_form,
    referring_page,
    safe_next,
    same_origin,
    wants_a_page,
)
from services.ui.sessions import SESSION_SECONDS, SessionCodec, SessionData, csrf_matches
from services.ui.times import ago, iso, parse_time, stamp
from services.ui.words import ROLE_NAMES, article, sign_in_words


def shortened(text: str, length: int = 255, end: str = "...") -> str:
    """Jinja's ``truncate`` (at the last space, five characters' leeway) at a
    grapheme-cluster boundary, with no direction mark or joiner left dangling."""
    return text if len(text) <= length + 5 else shorten(text, length, end, words=True)


log = get_logger(__name__)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class SignInRequired(Exception):
    """No session, an expired one, or a token that no longer works."""

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Viewer:
    """The signed-in person on a console page."""

    principal: Principal
    session: SessionData

    @property
    def token(self) -> str:
        assert self.session.token is not None
        return self.session.token

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token

    @property
    def name(self) -> str:
        return self.principal.name

    @property
    def role(self) -> str:
        return self.principal.role.value


@dataclass
class Console:
    """One console: ``name`` keys its cookie and session key (``verify``, ``publish``)."""

    name: str
    title: str
    roles: tuple[Role, ...]
    authenticator: Authenticator
    session_secret: str | None
    template_dirs: Sequence[Path] = ()
    nav: Sequence[tuple[str, str]] = ()
    # ``?done=<code>`` after a form post -> the notice shown on the next page.
    notices: Mapping[str, str] = field(default_factory=dict)
    max_age: int = SESSION_SECONDS
    # Other consoles one sign-in reaches (name -> public base URL): ``/ui/go/{name}``.
    peers: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.cookie_name = f"nr_{self.name}_session"
        self.codec = (
            SessionCodec(self.session_secret, self.name, self.max_age)
            if self.session_secret
            else None
        )
        env = Environment(
            loader=FileSystemLoader([*map(str, self.template_dirs), str(TEMPLATES)]),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            undefined=StrictUndefined,
        )
        env.globals["role_names"] = {r.value: n for r, n in ROLE_NAMES.items()}
        env.filters["iso"] = iso
        env.filters["stamp"] = stamp
        env.filters["ago"] = ago
        env.filters["parse_time"] = parse_time
        # Jinja's truncate cuts at a character count: inside a grapheme cluster (an
        # Arabic letter from its vowel mark, an emoji sequence) where a text has no space
        # to cut at, and before a dangling direction mark where it has.
        env.filters["shorten"] = shortened
        self.templates = Jinja2Templates(env=env)
        self.router = APIRouter(
            prefix=PREFIX, include_in_schema=False, route_class=self._route_class()
        )
        self._add_session_routes()

    # --- the app ---------------------------------------------------------------------

    def install(self, app: FastAPI) -> None:
        """Mount the shared static files and this console's routes (a catch-all last)."""
        app.mount(f"{PREFIX}/static", StaticFiles(directory=STATIC), name=f"{self.name}-ui-static")

        @app.get(PREFIX, include_in_schema=False)
        def console_root() -> Response:
            return RedirectResponse(f"{PREFIX}/", status_code=308)

        @self.router.api_route(
            "/{rest:path}",
            methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
            name=NOT_A_PAGE,
        )
        def unknown(request: Request, rest: str) -> Response:
            # A page asked for with a method it does not serve: 405 with Allow, as the
            # router answers PATCH (the catch-all took these methods before the router could).
            if allowed_methods(request):
                # A browser opening a form's address (signing in again after a form, the
                # address of a refused form's page, a bookmark) gets the page the form
                # belongs to, not a JSON problem; a program still gets the 405.
                page = page_of_form(request) if wants_a_page(request) else None
                if page is not None:
                    return self._finish(request, RedirectResponse(page, status_code=303))
                return problem_response(method_not_allowed(request), request)
            raise NotFound("There is no such page in this console.")

        app.include_router(self.router)

    # --- sessions --------------------------------------------------------------------

    def check_secret(self) -> None:
        self._codec()

    def _codec(self) -> SessionCodec:
        if self.codec is None:
            raise Unavailable(
                "The console is not configured: set NEWSROOM_SESSION_SECRET and restart."
            )
        return self.codec

    def session_of(self, request: Request) -> SessionData:
        """The request's session, or a new signed-out one. Only the sign-in form sets that
        one as the cookie (its CSRF token needs it): a request may come without the
        cookie the browser holds (a form posted from another site carries no Lax cookie),
        and an answer that set a signed-out cookie would sign the person out."""
        found: SessionData | None = getattr(request.state, "ui_session", None)
        if found is not None:
            return found
        if self.codec is not None:
            found = self.codec.open(request.cookies.get(self.cookie_name))
        if found is None:
            found = SessionData.anonymous()
            request.state.ui_session_unsent = found
        request.state.ui_session = found
        return found

    def set_cookie(self, request: Request, response: Response, data: SessionData) -> None:
        # The scheme the client used: uvicorn takes it from X-Forwarded-Proto only when
        # the gateway (NEWSROOM_FORWARDED_ALLOW_IPS) sent it.
        secure = request.url.scheme == "https"
        response.set_cookie(
            self.cookie_name,
            self._codec().seal(data),
            max_age=self.max_age,
            path=PREFIX,
            secure=secure,
            httponly=True,
            # Lax, not Strict: a link to the console from mail or chat (a top-level GET
            # from another site) must carry the session. Under Strict it came without
            # one, and the signed-out session set on that answer replaced the browser's
            # own: every such link signed the person out. Writes stay safe: a form
            # posted from another site carries no Lax cookie, and each form's CSRF token
            # is checked besides.
            samesite="lax",
        )

    def _finish(self, request: Request, response: Response) -> Response:
        new: SessionData | None = getattr(request.state, "ui_session_new", None)
        if new is not None and self.codec is not None:
            self.set_cookie(request, response, new)
            request.state.ui_session_new = None
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.media_type is None or response.media_type.startswith("text/html"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    def start_session(
        self, request: Request, response: Response, principal: Principal, token: str
    ) -> None:
        """Signed in: a server-side session, and its cookie on ``response``."""
        session_id = console_sessions.start(principal.user_id, self.name, self.max_age)
        session = self.session_of(request).signed_in(token, session_id)
        self.set_cookie(request, response, session)
        request.state.ui_session_new = None  # this cookie, not a signed-out one, goes out

    def viewer(self, request: Request) -> Viewer:
        """The signed-in user, allowed here; else redirect to sign in, or 403."""
        self._codec()
        session = self.session_of(request)
        if session.token is None or session.session_id is None:
            raise SignInRequired()
        try:
            principal = self.authenticator.authenticate(session.token)
            if not console_sessions.alive(session.session_id, principal.user_id, self.name):
                raise Unauthorized("you signed out, or the session ended.")
        except Unauthorized as exc:
            request.state.ui_session_new = SessionData.anonymous()
            raise SignInRequired("Your sign-in is no longer valid: " + exc.detail) from exc
        self.check_role(principal)
        viewer = Viewer(principal, session)
        request.state.ui_viewer = viewer
        return viewer

    def check_role(self, principal: Principal) -> None:
        if principal.role not in self.roles:
            allowed = " and ".join(f"{ROLE_NAMES[r]}s" for r in self.roles)
            raise Forbidden(
                f"The {self.title} is for {allowed} only; {principal.name} is "
                f"{article(ROLE_NAMES[principal.role])}."
            )

    def check_csrf(self, request: Request, given: str | None) -> None:
        session = self.session_of(request)
        header = request.headers.get(CSRF_HEADER)
        if not (
            csrf_matches(session.csrf_secret, given) or csrf_matches(session.csrf_secret, header)
        ):
            raise FormRefused(
                "This form has expired or did not come from this console (CSRF check). "
                "Go back, reload the page and try again."
            )

    async def form_viewer(self, request: Request) -> Viewer:
        """The signed-in user of a form post whose CSRF token matches the session.

        A form sent from one of our own pages after the session ended (signed out in
        another tab, the cookie expired) carries a token of the old session: that is
        not a forgery but a person to sign in again, back to the page they were on. A
        form from another site, or with no session behind it at all, is still refused."""
        form = await request.form()
        given = form.get(CSRF_FIELD)
        try:
            self.check_csrf(request, given if isinstance(given, str) else None)
        except FormRefused:
            if self.session_of(request).token is None and same_origin(request):
                raise SignInRequired("the session ended") from None
            raise
        return self.viewer(request)

    # --- responses -------------------------------------------------------------------

    def render(
        self,
        request: Request,
        template: str,
        context: Mapping[str, Any] | None = None,
        status_code: int = 200,
    ) -> Response:
        session = self.session_of(request)
        done = request.query_params.get("done", "")
        values: dict[str, Any] = {
            "console": self,
            "viewer": getattr(request.state, "ui_viewer", None),
            "csrf_token": session.csrf_token,
            "notice": self.notices.get(done),
            "error": None,
            "signed_in": session.token is not None,
            "path": request.url.path,
        }
        values.update(context or {})
        response = self.templates.TemplateResponse(request, template, values, status_code)
        return self._finish(request, response)

    def redirect(self, request: Request, url: str, done: str | None = None) -> Response:
        if done:
            url += ("&" if "?" in url else "?") + f"done={quote(done)}"
        return self._finish(request, RedirectResponse(url, status_code=303))

    def act(
        self,
        request: Request,
        change: Callable[[], object],
        back: str,
        refused: Callable[[NewsroomError], Response],
        done: str | None = None,
    ) -> Response:
        """A form's change: made, a 303 back to ``back`` with its notice (``done``, or what
        ``change`` returned); refused, the page again with why (``refused``). A missing
        thing is not a refusal: ``NotFound`` goes on to the console's error page."""
        try:
            outcome = change()
        except NotFound:
            raise
        except NewsroomError as exc:
            return refused(exc)
        return self.redirect(request, back, done if done is not None else str(outcome))

    def error_page(self, request: Request, error: NewsroomError) -> Response:
        return self.render(
            request,
            "ui/error.html",
            {"status": error.status, "title": error.title, "detail": error.detail},
            status_code=error.status,
        )

    def sign_in_redirect(self, request: Request, reason: str) -> Response:
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        if request.method not in ("GET", "HEAD"):
            # A form: back to the page it was sent from, not to the form's address.
            target = referring_page(request) or target
        url = f"{PREFIX}/sign-in?next={quote(target, safe='')}"
        if reason:
            url += "&expired=1"
        if request.headers.get("x-fragment"):
            # A script asking for a fragment: tell it to go to the sign-in page.
            response = Response(status_code=401, headers={"X-Sign-In": url})
            return self._finish(request, response)
        return self.redirect(request, url)

    def _route_class(self) -> type[APIRoute]:
        console = self

        class ConsoleRoute(APIRoute):
            def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
                original = super().get_route_handler()

                async def handler(request: Request) -> Response:
                    try:
                        response = await original(request)
                    except SignInRequired as exc:
                        return console.sign_in_redirect(request, exc.reason)
                    except NewsroomError as exc:
                        return console.error_page(request, exc)
                    except StarletteHTTPException as exc:  # a form the parser refuses
                        return console.error_page(request, error_of(exc))
                    except RequestValidationError as exc:
                        first = exc.errors()[0] if exc.errors() else {}
                        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
                        detail = f"{where}: {first.get('msg', 'invalid')}" if where else "Invalid"
                        return console.error_page(
                            request,
                            FormInvalid(f"Something in the request is not valid: {detail}."),
                        )
                    except Exception as exc:
                        if is_store_unavailable(exc):
                            return console.error_page(
                                request, Unavailable("The database is not reachable; try again.")
                            )
                        log.exception("ui_unhandled_error", console=console.name)
                        return console.error_page(
                            request, NewsroomError("Something went wrong on our side.")
                        )
                    return console._finish(request, response)

                return handler

        return ConsoleRoute

    # --- sign in and out -------------------------------------------------------------

    def _add_session_routes(self) -> None:
        router = self.router

        @router.get("/sign-in")
        def sign_in_page(request: Request) -> Response:
            self._codec()
            session = self.session_of(request)
            next_url = safe_next(request.query_params.get("next"))
            if session.token is not None:
                try:
                    self.viewer(request)
                    return self.redirect(request, next_url)
                except (SignInRequired, Forbidden):
                    pass
            expired = request.query_params.get("expired") == "1"
            signed_out = request.query_params.get("signed_out") == "1"
            # The form's CSRF token belongs to this signed-out session: it goes out now.
            unsent = getattr(request.state, "ui_session_unsent", None)
            if unsent is not None:
                request.state.ui_session_new = unsent
            return self.render(
                request,
                "ui/sign_in.html",
                {
                    "next": next_url,
                    "message": (
                        "Your session ended; sign in again."
                        if expired
                        else "You are signed out."
                        if signed_out
                        else None
                    ),
                },
            )

        @router.post("/sign-in")
        async def sign_in(request: Request) -> Response:
            self._codec()
            form = await request.form()
            given = form.get(CSRF_FIELD)
            self.check_csrf(request, given if isinstance(given, str) else None)
            raw_token = form.get("token")
            token = raw_token.strip() if isinstance(raw_token, str) else ""
            raw_next = form.get("next")
            next_url = safe_next(raw_next if isinstance(raw_next, str) else None)
            try:
                principal = self.authenticator.authenticate(token)
            except Unauthorized as exc:
                return self.render(
                    request,
                    "ui/sign_in.html",
                    {"next": next_url, "message": None, "error": sign_in_words(exc.detail)},
                    status_code=401,
                )
            self.check_role(principal)
            response = RedirectResponse(next_url, status_code=303)
            self.start_session(request, response, principal, token)
            log.info("ui_signed_in", console=self.name, user=principal.name)
            return response

        handoff.add_routes(self, PREFIX, safe_next)

        @router.post("/sign-out")
        async def sign_out(request: Request) -> Response:
            form = await request.form()
            given = form.get(CSRF_FIELD)
            self.check_csrf(request, given if isinstance(given, str) else None)
            ending = self.session_of(request).session_id
            if ending is not None:
                console_sessions.end(ending)  # the cookie, even a copy of it, is out now
            request.state.ui_session_new = SessionData.anonymous()
            return self.redirect(request, f"{PREFIX}/sign-in?signed_out=1")
