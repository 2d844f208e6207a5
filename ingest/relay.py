"""The relay: sends accepted reports to ``reports.submitted`` until verify confirms them.

Each report is its own row of the shared outbox (:mod:`services.outbox`). It is sent as
soon as it is stored: the insert hands each batch it stored to this process's relay
(:class:`ingest.reports.repository.Handoff`), which sends it from memory. The reports of
a handed batch are stored claimed by this relay and due at their first re-send, so
sending them costs the store no write to the reports, only their ``queued`` marks: one
small insert for the sends of each poll interval. A report is sent again
``redeliver_after_seconds`` after it was stored, then after twice as long with each
unconfirmed send (up to 16 times the first wait), until its receipt arrives on
``reports.received`` and closes the row (:func:`ingest.reports.service.move_timeline`):
after a broker that restarted empty, after a crash between storing and sending, or after
verify lost it. Verify is idempotent on the report id, so a re-send is harmless; but
while verify works off a backlog, a re-send only adds to it (and to the store's work).
So a due re-send waits while verify is visibly behind it (:class:`ReceiptWatch`): its
events keep arriving, and none yet for a report accepted ``resend_after`` or more after
it; never longer than the longest re-send wait. Replicas claim rows, so two ingest
processes do not send the same report at the same moment; a replica killed holding rows
gives them up when its claim expires.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from ingest.reports import repository as repo
from ingest.reports.service import as_event
from services.bus import EventProducer
from services.clock import utcnow
from services.contracts import Topic
from services.log import get_logger
from services.outbox import DUE, OutboxRows, OutboxWorker, Rendered, render_each
from services.runtime import Runtime

log = get_logger(__name__)

BATCH = 500
# Sent reports' ``queued`` marks wait for the relay's next poll of the store (every
# ``interval``) and go as one insert, or sooner once this many wait. An insert per sent
# batch was a store command per report at low concurrency (a batch of one), beside the
# next request's token read: at one connection the store's CPU per report was 3.2 ms with
# it, 2.9 ms without (medians of 5 interleaved pairs). A mark is only the timeline's
# ``queued`` time: the report is stored, claimed and due at its first re-send before it
# is sent, and a receipt that finds no ``queued`` time sets it.
MARKS_BATCH = 500
# Once a batch is handed over, the relay waits this long for more before it sends. At low
# concurrency every report was a relay pass of its own (rendering, the producer's send and
# flush, its log line): about 2 ms of ingest's CPU per report, on the GIL beside the next
# request. At one connection this wait took ingest's CPU per report from 4.8 to 2.7 ms
# and its p50 from 7.0 to 4.9 ms (``make bench``'s load, 3 interleaved pairs); a report
# reaches the broker at most this much later.
LINGER_SECONDS = 0.02
# The relay waits so only while busy: when the batch before was handed over within this
# time. A report after a quiet spell goes at once; every ordinary story of the large
# story's fault test (one every 250 ms) reached the broker 22 ms after it was accepted,
# a third of its way into verify's queue.
BUSY_SECONDS = 0.1
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
        # The claim of the reports this process stores and hands to its relay at once.
        self.handoff_token = uuid.uuid4().hex
        self._marks: list[tuple[str, datetime]] = []
        self._marks_lock = threading.Lock()

    @property
    def resend_after(self) -> timedelta:
        return self._resend_after

    def write_marks(self) -> None:
        """Store the waiting ``queued`` marks; kept for the next try if the store fails.
        (A mark the process dies holding is lost, not the report: a receipt that finds no
        ``queued`` time sets it.)"""
        with self._marks_lock:
            marks, self._marks = self._marks, []
        try:
            repo.mark_queued(marks)
        except BaseException:
            with self._marks_lock:
                self._marks[:0] = marks
            raise

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
        if token == self.handoff_token:
            # Handed over at once: stored due at its first re-send, claimed until then.
            # Marked queued with the next poll (see MARKS_BATCH), each at its own time.
            with self._marks_lock:
                self._marks += [(r.row_id, now) for r in sent]
                full = len(self._marks) >= MARKS_BATCH
            if full:
                self.write_marks()
            return
        # Each unconfirmed send waits twice as long as the one before: a verify that is
        # behind is not buried under its own backlog again. (A handed report's first
        # send is not counted on its row: it was the first wait.)
        by_doubling: dict[int, list[Any]] = {}
        for r in sent:
            outbox = r.doc.get("outbox", {})
            sends = int(outbox.get("sends", 0)) + (1 if outbox.get("handed") else 0)
            by_doubling.setdefault(min(sends, MAX_DOUBLINGS), []).append(r.row_id)
        for doubling, ids in by_doubling.items():
            self.rows.again_after(
                ids, token, now, self._resend_after * 2**doubling, at_most={"timeline.queued": now}
            )


class ReceiptWatch:
    """How far verify has got, from the receipts (and snapshots) of the reports this
    process handed to its relay: the newest acceptance time among them (the watermark),
    and when the last receipt or snapshot of any report came. Verify reads each
    partition in order, so a report accepted well before the watermark and still without
    a receipt was lost on the way (a broker that restarted empty, a crash): it is
    re-sent. One accepted later is most likely still queued: it waits, as long as
    verify's events keep coming, and for at most ``longest`` after it was accepted (a
    lost last report is re-sent even while reviews keep other stories' events coming).
    When events stop for ``quiet`` seconds (verify down, or every message lost), every
    due report is re-sent."""

    REMEMBERED = 100_000  # handed reports followed at most (the oldest are forgotten)

    def __init__(
        self,
        slack: timedelta,
        quiet: float,
        longest: timedelta,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = utcnow,
    ) -> None:
        self._slack = slack
        self._quiet = quiet
        self._longest = longest
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()
        self._handed: dict[str, datetime] = {}  # report id -> accepted_at, oldest first
        self._watermark: datetime | None = None
        self._heard_at: float | None = None
        self._silent = False  # said once when receipts stop, once when they come back

    def handed(self, docs: list[dict[str, Any]]) -> None:
        with self._lock:
            for doc in docs:
                self._handed[doc["_id"]] = doc["accepted_at"]
            while len(self._handed) > self.REMEMBERED:
                del self._handed[next(iter(self._handed))]

    def confirmed(self, report_id: str) -> None:
        """Verify has this report (a receipt, or its story's snapshot): events flow,
        even when ingest's own consumer is behind them."""
        with self._lock:
            self._heard_at = self._clock()
            accepted = self._handed.pop(report_id, None)
            if accepted is not None and (self._watermark is None or accepted > self._watermark):
                self._watermark = accepted

    def hold_back(self) -> Mapping[str, Any] | None:
        """The due reports to leave unsent for now (None: send every due one)."""
        with self._lock:
            if self._watermark is None or self._heard_at is None:
                return None
            silent = self._clock() - self._heard_at > self._quiet
            if silent != self._silent:
                self._silent = silent
                log.info("relay_receipts_stopped" if silent else "relay_receipts_flowing",
                         watermark=self._watermark.isoformat())  # fmt: skip
            if silent:
                return None
            passed = max(self._watermark - self._slack, self._wall() - self._longest)
            # As a bound on the due time (a report falls due ``slack`` after it was
            # accepted), so the store answers from the outbox's index instead of reading
            # every held row on every poll.
            return {DUE: {"$lte": min(passed + self._slack, self._wall())}}


class Relay(OutboxWorker):
    """The shared outbox worker, fed at once with what this process stores, and polling
    every ``interval`` for the rest (re-sends, rows whose sending failed, other
    replicas' expired claims)."""

    def __init__(self, source: ReportRows, producer: EventProducer, **options: Any) -> None:
        super().__init__(source, producer, **options)
        self._rows_source = source
        self._handed: queue.SimpleQueue[list[dict[str, Any]]] = queue.SimpleQueue()
        self._handed_at = -BUSY_SECONDS  # when the last batch was taken (monotonic)
        self._polled_at = 0.0
        # Verify's progress is judged against the first wait for a receipt; silence, over
        # twice that (ingest's own consumer may take a while to reach queued receipts).
        wait = source.resend_after
        self.receipts = ReceiptWatch(
            slack=wait, quiet=2 * wait.total_seconds(), longest=wait * 2**MAX_DOUBLINGS
        )

    def start(self) -> None:
        source = self._rows_source
        repo.hand_stored_to(
            repo.Handoff(
                source.handoff_token, source.resend_after, self._take, self.receipts.confirmed
            )
        )
        super().start()

    def hold_back(self) -> Mapping[str, Any] | None:
        return self.receipts.hold_back()

    def stop(self, timeout: float = 15.0) -> None:
        previous = repo.hand_stored_to(None)
        if previous is not None and previous.token != self._rows_source.handoff_token:
            repo.hand_stored_to(previous)  # another relay's (an app started after this one)
        super().stop(timeout)
        try:
            self._rows_source.write_marks()
        except Exception as exc:  # the store is down: only the marks' times are lost
            log.warning("relay_marks_not_written", error=str(exc))

    def _take(self, docs: list[dict[str, Any]]) -> None:
        self.receipts.handed(docs)
        self._handed.put(docs)
        self.wake()

    def _handed_batch(self) -> list[dict[str, Any]]:
        """What was handed over, up to BATCH reports: once there is some, and the relay
        is busy (``BUSY_SECONDS``), what else is handed over within LINGER_SECONDS goes
        with it (one pass for several inserts)."""
        docs: list[dict[str, Any]] = []
        try:
            docs += self._handed.get_nowait()
        except queue.Empty:
            return docs
        now = time.monotonic()
        busy, self._handed_at = now - self._handed_at < BUSY_SECONDS, now
        if not busy:
            return docs
        deadline = now + LINGER_SECONDS
        while len(docs) < BATCH:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                docs += self._handed.get(timeout=left)
            except queue.Empty:
                break
        return docs

    def send_due(self) -> bool:
        """Send what was handed over; poll the store every ``interval`` all the same,
        so re-sends are not starved while reports keep arriving."""
        docs = self._handed_batch()
        if docs:
            self.send_claimed(docs, self._rows_source.handoff_token, self._clock())
        busy = bool(docs)  # more may have been handed over meanwhile
        if time.monotonic() - self._polled_at >= self._interval:
            self._rows_source.write_marks()
            more = super().send_due()
            # A full batch polled: poll again at once, the rest is waiting.
            self._polled_at = 0.0 if more else time.monotonic()
            busy = busy or more
        return busy


def relay(runtime: Runtime) -> Relay:
    settings = runtime.settings
    source = ReportRows(runtime.producer, timedelta(seconds=settings.redeliver_after_seconds))
    return Relay(
        source,
        runtime.producer,
        interval=settings.relay_interval_seconds,
        batch=BATCH,
        stuck_after=settings.readiness_stall_seconds,
    )
