"""One handler renders every error as RFC 9457 ``application/problem+json``."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from services.errors import (
    BadRequest,
    Forbidden,
    MethodNotAllowed,
    NewsroomError,
    NotFound,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)
from services.log import get_logger
from services.store import STORE_UNAVAILABLE, is_store_unavailable

log = get_logger(__name__)

PROBLEM_JSON = "application/problem+json"

_BY_STATUS: dict[int, type[NewsroomError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
}


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def problem_response(error: NewsroomError, request: Request | None = None) -> ProblemResponse:
    instance = request.url.path if request is not None else None
    return ProblemResponse(
        error.problem(instance), status_code=error.status, headers=error.headers or None
    )


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for e in exc.errors()[:20]:
        errors.append(
            {
                "loc": [str(p) for p in e.get("loc", ())],
                "msg": str(e.get("msg", "")),
                "type": e.get("type"),
            }
        )
    return errors


def _not_json(error: Mapping[str, Any]) -> str:
    """What FastAPI's JSON decoding error says, as a sentence: why, and where."""
    why = str((error.get("ctx") or {}).get("error") or "cannot be decoded")
    where = next((p for p in reversed(error.get("loc", ())) if isinstance(p, int)), None)
    at = f" at character {where}" if where is not None else ""
    return f"The body is not valid JSON: {why}{at}."


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(NewsroomError)
    async def newsroom_error(request: Request, exc: NewsroomError) -> ProblemResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, exc: RequestValidationError) -> ProblemResponse:
        syntax = next((e for e in exc.errors() if e.get("type") == "json_invalid"), None)
        if syntax is not None:  # not JSON at all: malformed, not a value that breaks a rule
            return problem_response(BadRequest(_not_json(syntax)), request)
        errors = _validation_errors(exc)
        first = errors[0] if errors else {"loc": [], "msg": "invalid"}
        where = ".".join(p for p in first["loc"] if p != "body") or "request"
        detail = f"{where}: {first['msg']}"
        return problem_response(ValidationFailed(detail, errors), request)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> ProblemResponse:
        if exc.status_code == 405:
            return problem_response(method_not_allowed(request), request)
        return problem_response(error_of(exc), request)

    async def store_down(request: Request, exc: Exception) -> ProblemResponse:
        log.warning("store_unavailable", error=str(exc), error_type=type(exc).__name__)
        detail = "The database is not reachable; try again shortly."
        if request.headers.get("idempotency-key"):
            # A reporter whose submission met this does not know whether it was stored.
            detail += (
                " Send the same request again with the same Idempotency-Key: if it was "
                "stored before the database went away, you get its first answer, never a "
                "second copy."
            )
        return problem_response(Unavailable(detail, retry_after=5), request)

    # Registered by type, so they are answered by the router's exception middleware: a
    # handler for ``Exception`` answers too, but Starlette then re-raises to the server,
    # which logs the whole traceback on the event loop (seconds, even a minute on a busy
    # machine, with the console log format) and holds every request meanwhile, /readyz too.
    for kind in STORE_UNAVAILABLE:
        app.add_exception_handler(kind, store_down)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> ProblemResponse:
        if is_store_unavailable(exc):
            return await store_down(request, exc)
        log.exception("unhandled_error")
        return problem_response(NewsroomError("An unexpected error occurred."), request)


def error_of(exc: StarletteHTTPException) -> NewsroomError:
    """Starlette's HTTP error (a form the parser refuses: "Too many fields") as ours."""
    cls = _BY_STATUS.get(exc.status_code)
    headers = dict(exc.headers) if exc.headers else None
    if cls is not None:
        return cls(str(exc.detail), headers=headers)
    return _of_status(exc.status_code, str(exc.detail), headers)


def _of_status(status: int, detail: str, headers: dict[str, str] | None) -> NewsroomError:
    """A problem for a status we have no class of, typed and titled after the status."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    kind = type(
        f"Problem{status}",
        (NewsroomError,),
        {"status": status, "code": phrase.lower().replace(" ", "_"), "title": phrase},
    )
    return kind(detail, headers=headers)  # type: ignore[no-any-return]


_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# The name of a catch-all route (a console's "no such page"): it serves no method of its
# own, so it never counts towards ``Allow``.
NOT_A_PAGE = "not-a-page"


def allowed_methods(request: Request) -> set[str]:
    """Every method some route of this path answers (Starlette's own header names only the
    first route that matched the path), HEAD wherever GET is. Each method is tried against
    the routes as the router would (FastAPI's included routers match through ``matches``
    too), from the app's root even when a mounted app raised the 405."""
    scope = {
        **request.scope,
        "root_path": request.scope.get("app_root_path", request.scope.get("root_path", "")),
    }
    allowed: set[str] = set()
    for route in _flat(request.app.router.routes):
        if getattr(route, "name", None) == NOT_A_PAGE:
            continue
        if isinstance(route, Mount):
            # Our mounts are static files, which serve GET and HEAD whatever the method.
            if route.matches(scope)[0] == Match.FULL:
                allowed.add("GET")
            continue
        allowed.update(
            method
            for method in _METHODS
            if route.matches({**scope, "method": method})[0] == Match.FULL
        )
    if "GET" in allowed:
        allowed.add("HEAD")
    return allowed


def _flat(routes: Any) -> Any:
    """The routes, with an included router's own in its place, so that a route's name is
    seen (our routers are included without a prefix: their routes carry full paths)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat(inner.routes)
        else:
            yield route


def method_not_allowed(request: Request) -> MethodNotAllowed:
    """405 with ``Allow``: the methods :func:`allowed_methods` finds."""
    allow = ", ".join(sorted(allowed_methods(request)))
    return MethodNotAllowed(
        f"{request.method} is not allowed on {request.url.path}; allowed: {allow or 'none'}.",
        headers={"Allow": allow},
    )
