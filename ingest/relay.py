"""The relay: sends accepted reports to ``reports.submitted`` until verify confirms them.

Each report is its own row of the shared outbox (:mod:`services.outbox`). It is sent as
soon as it is stored (the route wakes the relay), then again after
``redeliver_after_seconds``, doubling with each unconfirmed send (up to 16 times the
first wait), until its receipt arrives on ``reports.received`` and closes the row
(:func:`ingest.reports.service.on_receipt`): after a broker that restarted empty, after
a crash between storing and sending, or after verify lost it. Verify is idempotent on
the report id, so a re-send is harmless. Replicas claim rows, so two ingest processes do
not send the same report at the same moment; a replica killed holding rows gives them
up when its claim expires.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from ingest.reports import repository as repo
from ingest.reports.service import as_event
from services.bus import EventProducer
from services.contracts import Topic
from services.outbox import OutboxRows, OutboxWorker, Rendered, render_each
from services.runtime import Runtime

BATCH = 500
# An unconfirmed send waits twice as long as the one before, up to 2**4 times the first.
MAX_DOUBLINGS = 4


class ReportRows:
    """The outbox source of ingest: reports waiting for verify's receipt."""

    name = "ingest-reports"
    # Stored before the shared outbox: still to be sent.
    legacy: Mapping[str, Any] | None = {"delivered_at": None}
    projection: Mapping[str, Any] | None = None

    def __init__(self, producer: EventProducer, resend_after: timedelta) -> None:
        self.rows: OutboxRows = repo.RELAY_ROWS
        self._producer = producer
        self._resend_after = resend_after

    def render(self, docs: list[dict[str, Any]]) -> list[Rendered]:
        def one(doc: dict[str, Any]) -> Rendered:
            record = repo.record_of(doc)
            message = self._producer.message(
                Topic.REPORTS_SUBMITTED, as_event(record), key=record.story_id,
                trace_id=record.trace_id,
            )  # fmt: skip
            return Rendered(record.report_id, message, doc=doc)

        return render_each(docs, one)

    def sent(self, sent: list[Rendered], token: str, now: datetime) -> None:
        # Each unconfirmed send waits twice as long as the one before: a verify that is
        # behind is not buried under its own backlog again.
        by_doubling: dict[int, list[Any]] = {}
        for r in sent:
            sends = int(r.doc.get("outbox", {}).get("sends", 0))
            by_doubling.setdefault(min(sends, MAX_DOUBLINGS), []).append(r.row_id)
        for doubling, ids in by_doubling.items():
            self.rows.again_after(
                ids, token, now, self._resend_after * 2**doubling, at_most={"timeline.queued": now}
            )


def relay(runtime: Runtime) -> OutboxWorker:
    settings = runtime.settings
    source = ReportRows(runtime.producer, timedelta(seconds=settings.redeliver_after_seconds))
    return OutboxWorker(
        source,
        runtime.producer,
        interval=settings.relay_interval_seconds,
        batch=BATCH,
        stuck_after=settings.readiness_stall_seconds,
    )
