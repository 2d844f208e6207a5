"""The verify service's app factory."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from services.bus.batch import BatchConsumerLoop
from services.clock import SYSTEM_CLOCK, Clock
from services.http import build_app
from services.log import get_logger
from services.runtime import PeriodicWorker, Runtime
from services.settings import Settings
from verify.common import utcnow
from verify.consumer import LARGE_TOPIC, TOPIC, ReportStrategy, detection_processes
from verify.detection import COMPILED
from verify.detection import STATE as DETECTION_STATE
from verify.edge import VerifyContext
from verify.memory.backfill import backfill_worker
from verify.memory.flags import flag_outbox, review_hook
from verify.memory.repository import DOCUMENTS as MEMORY_DOCUMENTS
from verify.memory.routes import router as memory_router
from verify.outbox import SnapshotOutbox
from verify.queue.metrics import install as install_queue_metrics
from verify.queue.routes import router as queue_router
from verify.stories import intake
from verify.stories.documents import DOCUMENTS
from verify.stories.revoked import RevokedLeases
from verify.stories.routes import router as claims_router
from verify.stories.routes import stories_router
from verify.stories.signoff_routes import router as signoff_router
from verify.ui import install as install_console

log = get_logger(__name__)

# The sweep (closing the claims a revision dropped) also runs this often, after a crash.
SWEEP_SECONDS = 5.0
# A revoked reviewer's leases end within this (a pass: one read of the users collection).
REVOKED_LEASES_SECONDS = 5.0

DESCRIPTION = """Every claim of a story held in a reviewers' queue until it is marked,
with its attribution found in the text. Consumes `reports.submitted`; produces
`reports.received` (receipts) and `stories.reviewed` (snapshots)."""


def create_app(settings: Settings, clock: Clock = SYSTEM_CLOCK) -> FastAPI:
    runtime = Runtime(settings, "verify", documents=[*DOCUMENTS, *MEMORY_DOCUMENTS])
    # compiled detection costs about 0.7 of the plain sources' CPU: say which one runs
    log.info("detection_loaded", compiled=COMPILED, state=DETECTION_STATE)
    outbox = SnapshotOutbox(runtime)
    runtime.add_worker(outbox.worker)
    flags = flag_outbox(runtime)
    runtime.add_worker(flags)
    runtime.add_worker(backfill_worker())
    sweeper = PeriodicWorker("claims-sweep", SWEEP_SECONDS, lambda: intake.sweep(utcnow()))
    runtime.add_worker(sweeper)
    revoked = RevokedLeases(
        outbox.story_changed,
        late=timedelta(seconds=settings.auth_cache_seconds + REVOKED_LEASES_SECONDS),
        margin=timedelta(seconds=2 * REVOKED_LEASES_SECONDS),
    )
    runtime.add_worker(
        PeriodicWorker("revoked-leases", REVOKED_LEASES_SECONDS, lambda: revoked.run(utcnow()))
    )
    runtime.add_worker(install_queue_metrics(settings.queue_metrics_seconds))
    # Two consumers: every report, and the large ones the first hands on (LARGE_TOPIC),
    # each with its own bound on what it holds, so large reports wait apart.
    for topic, group, large in ((TOPIC, "verify", False), (LARGE_TOPIC, "verify-large", True)):
        strategy = ReportStrategy(
            runtime.producer,
            outbox,
            sweeper.wake,
            processes=detection_processes(settings.verify_detection_processes),
            max_claims=settings.max_claims_per_revision,
            large=large,
        )
        runtime.add_worker(
            BatchConsumerLoop(
                settings=settings,
                topics=[topic],
                group=group,
                strategy=strategy,
                max_in_flight=settings.consumer_max_in_flight_batches
                * settings.consumer_max_poll_records,
                producer=runtime.producer,
                admin=runtime.admin,
                name=f"{group}-reports",
            )
        )
    app = build_app(
        runtime,
        title="Newsroom verify",
        description=DESCRIPTION,
        routers=[stories_router, signoff_router, queue_router, claims_router, memory_router],
    )
    app.state.verify = VerifyContext(
        settings.lease_seconds,
        outbox.story_changed,
        clock,
        review_hook(settings, flags),
        max_claims=settings.max_claims_per_revision,
    )
    install_console(app, runtime)
    return app
