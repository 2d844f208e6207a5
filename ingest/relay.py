"""The relay: sends accepted reports to ``reports.submitted`` until verify confirms them.

The reports collection is the outbox. A report is sent as soon as it is stored (the
route wakes the relay), then again every ``redeliver_after_seconds`` until its receipt
arrives on ``reports.received``: after a broker that restarted empty, after a crash
between storing and sending, or after verify lost it. Verify is idempotent on the report
id, so a re-send is harmless. Several ingest replicas may send the same report twice
for the same reason.
"""

from __future__ import annotations

from datetime import timedelta

from ingest.reports import repository as repo
from ingest.reports.service import as_event
from services.contracts import Topic, utcnow
from services.log import get_logger
from services.runtime import PeriodicWorker, Runtime

log = get_logger(__name__)
BATCH = 500


class Relay(PeriodicWorker):
    def __init__(self, runtime: Runtime) -> None:
        super().__init__("ingest-relay", runtime.settings.relay_interval_seconds, self.send_due)
        self._runtime = runtime
        self._resend_after = timedelta(seconds=runtime.settings.redeliver_after_seconds)

    def send_due(self) -> bool:
        now = utcnow()
        due = repo.due_for_sending(now, BATCH)
        if not due:
            return False
        producer = self._runtime.producer
        messages = [
            producer.message(
                Topic.REPORTS_SUBMITTED, as_event(r), key=r.story_id, trace_id=r.trace_id
            )
            for r in due
        ]
        acked = producer.send_all(messages)
        sent = [r for r, ok in zip(due, acked, strict=True) if ok]
        # Each unconfirmed send waits twice as long as the one before (up to 16 times the
        # first wait): a verify that is behind is not buried under its own backlog again.
        by_wait: dict[int, list[str]] = {}
        for record in sent:
            by_wait.setdefault(min(record.sent_count, 4), []).append(record.report_id)
        for doubling, report_ids in by_wait.items():
            repo.mark_sent(report_ids, now, self._resend_after * 2**doubling)
        resent = sum(1 for r in due if "queued" in r.timeline)
        log.info("reports_relayed", sent=len(sent), failed=len(due) - len(sent), resent=resent)
        # A full batch that went through: there may be more waiting right now.
        return len(due) == BATCH and len(sent) == len(due)
