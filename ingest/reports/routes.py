"""HTTP edge for reports: parse, authorise, hand to the service, shape the answer."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Request, Response

from ingest.reports import service
from ingest.reports.schemas import ReportAccepted, ReportIn, ReportPage, ReportView
from services.auth import Principal, Role
from services.http import require
from services.http.deps import PageCursor, PageLimit
from services.log import current_trace_id, get_logger

log = get_logger(__name__)

router = APIRouter(prefix="/v1/reports", tags=["reports"])
# Bodies up to this long are checked on the event loop (about 0.3 ms for 3 KB): cheaper
# than a hop to a worker thread and back.
LOOP_CHECK_CHARS = 16 * 1024

Reporter = Annotated[Principal, Depends(require(Role.REPORTER))]
Reader = Annotated[Principal, Depends(require(Role.REPORTER, Role.REVIEWER, Role.EDITOR))]
PROBLEMS = {
    400: {"description": "Missing or malformed Idempotency-Key"},
    401: {"description": "No valid token"},
    403: {"description": "Not a reporter, or not your story"},
    404: {"description": "Unknown story"},
    409: {"description": "Idempotency-Key reused with another body"},
    413: {"description": "Body too large"},
    422: {"description": "Not a valid report"},
    429: {"description": "Rate limit; see Retry-After"},
}


@router.post(
    "",
    status_code=202,
    response_model=ReportAccepted,
    summary="Submit a story, or a new revision of your story",
    responses=PROBLEMS,  # type: ignore[arg-type]
)
async def submit_report(
    payload: ReportIn,
    request: Request,
    response: Response,
    principal: Reporter,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> ReportAccepted:
    key = service.check_idempotency_key(idempotency_key)
    accepted = await accept(request.app.state, principal, payload, key)
    response.headers["Location"] = accepted.status_url
    return accepted


async def accept(state: Any, principal: Principal, payload: ReportIn, key: str) -> ReportAccepted:
    """Check a parsed report and store it: what ``POST /v1/reports`` does once the caller
    is known and the request is read (the route, and the shortcut before the router,
    ``ingest.reports.shortcut``). ``state`` is the app's (settings, rate limiter)."""
    settings = state.settings
    if len(payload.body) > LOOP_CHECK_CHARS:
        # A long body's checks would hold up every other request on the event loop.
        submission = await asyncio.to_thread(service.validate, payload, settings)
    else:
        submission = service.validate(payload, settings)
    limiter = state.rate_limiter
    # Stored, and handed to this process's relay (ingest.relay) by the insert itself.
    accepted = await service.submit(principal, submission, key, limiter, current_trace_id())
    # The request's first line of the story: its trace id (bound by the middleware, as
    # for every line of the request) is the one its events carry on.
    log.info(
        "report_accepted",
        report_id=accepted.report_id,
        story_id=accepted.story_id,
        revision=accepted.revision,
        replayed=accepted.replayed,
    )
    status_url = f"{settings.public_url_of('ingest')}/v1/reports/{accepted.report_id}"
    return ReportAccepted(
        report_id=accepted.report_id,
        story_id=accepted.story_id,
        revision=accepted.revision,
        status_url=status_url,
    )


@router.get(
    "/{report_id}",
    response_model=ReportView,
    summary="Where a report is: accepted, queued, in_review, cleared, published",
    responses={
        401: {"description": "No valid token"},
        404: {"description": "Not yours or unknown"},
    },
)
def get_report(report_id: str, request: Request, principal: Reader) -> ReportView:
    status = service.get_report(principal, report_id)
    return ReportView.model_validate(
        service.view_fields(status, request.app.state.settings.default_language)
    )


@router.get(
    "",
    response_model=ReportPage,
    summary="Your reports, newest first (editors: everyone's)",
    responses={401: {"description": "No valid token"}, 400: {"description": "Bad cursor"}},
)
def list_reports(
    request: Request,
    principal: Reader,
    cursor: PageCursor = None,
    limit: PageLimit = 50,
) -> ReportPage:
    items, next_cursor = service.list_reports(principal, cursor, limit)
    default = request.app.state.settings.default_language
    return ReportPage(
        items=[ReportView.model_validate(service.view_fields(s, default)) for s in items],
        next_cursor=next_cursor,
    )
