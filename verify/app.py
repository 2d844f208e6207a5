"""The verify service's app factory."""

from __future__ import annotations

from fastapi import FastAPI

from services.bus.batch import BatchConsumerLoop
from services.contracts import Topic
from services.http import build_app
from services.runtime import Runtime
from services.settings import Settings
from verify.claims.repository import DOCUMENTS as CLAIM_DOCUMENTS
from verify.claims.routes import router as claims_router
from verify.consumer import ReportStrategy, detection_processes
from verify.edge import VerifyContext
from verify.outbox import SnapshotOutbox
from verify.queue.routes import router as queue_router
from verify.stories.repository import DOCUMENTS as STORY_DOCUMENTS
from verify.stories.routes import router as stories_router
from verify.ui import install as install_console

DESCRIPTION = """Every claim of a story held in a reviewers' queue until it is marked,
with its attribution found in the text. Consumes `reports.submitted`; produces
`reports.received` (receipts) and `stories.reviewed` (snapshots)."""


def create_app(settings: Settings) -> FastAPI:
    runtime = Runtime(settings, "verify", documents=[*STORY_DOCUMENTS, *CLAIM_DOCUMENTS])
    outbox = SnapshotOutbox(runtime)
    runtime.add_worker(outbox.worker)
    strategy = ReportStrategy(
        runtime.producer,
        outbox.story_changed,
        processes=detection_processes(settings.verify_detection_processes),
        max_claims=settings.max_claims_per_revision,
    )
    runtime.add_worker(
        BatchConsumerLoop(
            settings=settings,
            topics=[Topic.REPORTS_SUBMITTED],
            group="verify",
            strategy=strategy,
            max_in_flight=settings.consumer_max_in_flight_batches,
            producer=runtime.producer,
            admin=runtime.admin,
            name="verify-reports",
        )
    )
    app = build_app(
        runtime,
        title="Newsroom verify",
        description=DESCRIPTION,
        routers=[stories_router, queue_router, claims_router],
    )
    app.state.verify = VerifyContext(settings.lease_seconds, outbox.story_changed)
    install_console(app, runtime)
    return app
