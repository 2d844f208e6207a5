"""The ingest service: reporters submit reports; each reaches verify exactly once."""

from __future__ import annotations

from fastapi import FastAPI

from ingest.consumer import timeline_consumer
from ingest.relay import relay as relay_worker
from ingest.reports import repository
from ingest.reports.rate import RateLimiter
from ingest.reports.routes import router as reports_router
from ingest.reports.shortcut import SubmitShortcut
from services.http import build_app
from services.http.users import router as users_router
from services.runtime import Runtime
from services.settings import Settings

DESCRIPTION = """Reporters submit stories here. A report answered `202` is stored before the
answer and re-sent to verify until verify confirms it. Send an `Idempotency-Key` with
every submission: a retry with the same key and body gets the same answer and queues
nothing new. Admins manage users and tokens under `/v1/users`."""


def create_app(settings: Settings) -> FastAPI:
    runtime = Runtime(settings, "ingest", documents=repository.DOCUMENTS)
    runtime.add_worker(relay_worker(runtime))
    runtime.add_worker(timeline_consumer(runtime))
    app = build_app(
        runtime,
        title="Newsroom ingest",
        description=DESCRIPTION,
        routers=[reports_router, users_router],
        shortcuts=[SubmitShortcut],
    )
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    return app
