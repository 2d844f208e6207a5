"""Edge: ``reports.submitted`` (group "verify") into revisions, each answered with a receipt,
a poll batch at a time (:class:`services.bus.batch.BatchConsumerLoop`).

- Detection, pure CPU, runs for the whole batch in a pool of processes, one per core, while
  the loop polls on (it pauses its partitions once ``consumer_max_in_flight_batches``
  batches are under way); a long body (``LONG_BODY``) in a pool of its own, one process at
  a lower CPU priority. Reports already stored are found with one read first and cost no
  detection.
- Each report's revision is then planned and written in short transactions
  (``verify.stories.intake.store_report``), in offset order.
- The batch's receipts (``reports.received``), also for a report seen before
  (``duplicate``, since ingest re-sends until it sees one), go out together with one wait
  for the acknowledgements; offsets are committed after that. A receipt the broker does
  not take makes the batch run again; its reports are then duplicates and change nothing.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol

from services.bus import EventProducer, Outgoing, event_context
from services.contracts import CloudEvent, ReportReceived, ReportSubmitted, Topic
from services.errors import InvalidMessage
from services.log import get_logger
from services.outbox import Rendered
from verify.common import utcnow
from verify.stories import intake
from verify.stories.analysis import Analysis, Declared, analyse_report, lower_priority
from verify.stories.records import ClaimRecord, StoryRecord

log = get_logger(__name__)

TOPIC = Topic.REPORTS_SUBMITTED  # what ingest sends: every report comes here first
# Verify's own queue for large reports (its second consumer, group "verify-large"). A
# partition is read in order and the loop holds a bounded number of reports, so large
# reports waiting for the long-body pool or the large lane (seconds each) once filled that
# bound and stopped every story behind them: 200 reports of 200 KB from four reporters
# held ordinary stories out of the queue for over two minutes. The first consumer hands
# them on unread (a long body, many declared claims) or after detection (many claims
# found), with a story's later reports while one of its reports is handed on, and goes on.
LARGE_TOPIC = Topic.REPORTS_LARGE
# Detections kept by report id, for copies of a report that come while it is under way.
RECENT = 256
# A report is written in the large lane (services/bus/batch.py) when it has this many
# claims, or when the story's stored revisions had: its writes and reads take seconds.
LARGE_CLAIMS = 200
# A report whose body is longer than this (ordinary stories are 1-5 KB) is detected in a
# pool of its own, one process at a lower CPU priority (niceness ``LONG_NICE`` more than
# the service's): detecting the largest body the limits allow takes a core for seconds,
# and on a busy machine the ordinary stories that came meanwhile (their detection, their
# writes and receipts, the broker, ingest) waited for CPU behind it; they were the slowest
# of the fault test. An ordinary story never waits for a long one's worker either.
LONG_BODY = 20_000
LONG_NICE = 10


def detection_processes(configured: int = 0) -> int:
    """The pool's size: as configured, else one process per core this process may use."""
    return configured if configured > 0 else len(os.sched_getaffinity(0))


def _value_of(analysed: Any) -> Any:
    """What the pool gave (or any prepared value) as ``handle`` takes it."""
    if isinstance(analysed, tuple):
        kind, reason, detail = analysed
        if kind == "invalid":
            return InvalidMessage(reason, detail)
        return RuntimeError(f"detection failed: {reason}: {detail}")
    return analysed


class _HandOn:
    """A report the first consumer sends on to ``LARGE_TOPIC`` instead of storing it."""


HAND_ON = _HandOn()


@dataclass(frozen=True)
class _Stored:
    """A report ``write`` stored with others: only its receipt is left to send, and its
    story's first snapshot (None: the outbox sends it)."""

    receipt: ReportReceived
    snapshot: Rendered | None = None


class Snapshots(Protocol):
    """Verify's snapshot outbox, as the consumer uses it (``verify.outbox.SnapshotOutbox``)."""

    def story_changed(self, story_id: str) -> None: ...
    def first_snapshot(
        self, story: StoryRecord, claims: list[ClaimRecord], trace_id: str | None
    ) -> Rendered: ...
    def handed_off(self, sent: list[Rendered]) -> None: ...


class ReportStrategy:
    def __init__(
        self,
        producer: EventProducer,
        snapshots: Snapshots,
        story_revised: Callable[[], None],
        *,
        processes: int,
        max_claims: int,
        large: bool = False,
    ) -> None:
        # False: the first consumer, which hands large reports on; True: the consumer of
        # LARGE_TOPIC, which detects every report in the long-body pool and stores it.
        self._large_queue = large
        self._topic = LARGE_TOPIC if large else TOPIC
        self._handed_on: OrderedDict[str, None] = OrderedDict()  # stories with one handed on
        self._producer = producer
        self._snapshots = snapshots
        self._story_revised = story_revised
        self._processes = processes
        self._max_claims = max_claims
        # The detection pools: ordinary reports' (False), long bodies' (True, ``LONG_BODY``).
        self._pools: dict[bool, ProcessPoolExecutor] = {}
        self._changed: list[str] = []
        self._handed: list[Rendered] = []  # this round's first snapshots, sent with receipts
        self._revised = False
        self._recent: OrderedDict[str, Future[Any]] = OrderedDict()
        self._large: OrderedDict[str, None] = OrderedDict()  # stories with many claims

    def _executor(self, long: bool = False) -> ProcessPoolExecutor:
        pool = self._pools.get(long)
        if pool is None:
            # forkserver: the service process runs threads (uvicorn, the bus, the store's
            # client), and a child forked from it could inherit a lock held by one of them.
            context = multiprocessing.get_context("forkserver")
            if long:
                pool = ProcessPoolExecutor(
                    1, mp_context=context, initializer=lower_priority, initargs=(LONG_NICE,)
                )
            else:
                pool = ProcessPoolExecutor(self._processes, mp_context=context)
            self._pools[long] = pool
        return pool

    def prepare(self, events: list[CloudEvent]) -> list[Future[Any]]:
        """A future per event: a receipt for a report stored before (one read for the
        batch), detection in the pool for the others, each its own task so a long story
        holds up no other."""
        futures: list[Future[Any]] = [Future() for _ in events]
        reports: list[tuple[int, ReportSubmitted]] = []
        for place, event in enumerate(events):
            try:
                report = event.payload()
            except InvalidMessage as exc:  # to the DLQ with its reason, in turn
                futures[place].set_result(exc)
                continue
            if isinstance(report, ReportSubmitted):
                reports.append((place, report))
            else:
                futures[place].set_result(InvalidMessage("unexpected_type", event.type))
        try:
            known = intake.known_receipts([r for _, r in reports], utcnow())
        except Exception as exc:  # only saves detection: the unique report id decides
            log.warning("duplicates_lookup_failed", error=str(exc))
            known = {}
        revised = [r.story_id for _, r in reports if r.revision > 1]
        try:
            self._remember_large(intake.large_stories(revised, LARGE_CLAIMS) if revised else [])
        except Exception as exc:  # only decides where the revision is written
            log.warning("large_stories_lookup_failed", error=str(exc))
        for place, report in reports:
            if report.report_id in known:
                futures[place].set_result(known[report.report_id])
            elif self._hands_on(report):
                futures[place].set_result(HAND_ON)
            else:
                futures[place] = self._detect(report)
        return futures

    def _hands_on(self, report: ReportSubmitted) -> bool:
        """Is ``report`` for the large queue, to be sent there unread? A long body, many
        declared claims, a story known to have many, or one with a report handed on
        (its revisions then stay in order)."""
        if self._large_queue:
            return False
        story = report.story_id
        if not (
            len(report.body) > LONG_BODY
            or len(report.claims) >= LARGE_CLAIMS
            or story in self._large
            or story in self._handed_on
        ):
            return False
        _remember(self._handed_on, [story])
        return True

    def _detect(self, report: ReportSubmitted) -> Future[Any]:
        """Detection of ``report`` in the pool. A copy ingest sent again while the first
        is under way or not yet stored (a long story) takes the same detection instead of
        running it again: the last ``RECENT`` detections are kept for that."""
        running = self._recent.get(report.report_id)
        if running is not None and not (running.done() and running.exception() is not None):
            return running
        future = self._submit(report)
        self._recent[report.report_id] = future
        while len(self._recent) > RECENT:
            self._recent.popitem(last=False)
        return future

    def _submit(self, report: ReportSubmitted) -> Future[Any]:
        long = self._large_queue or len(report.body) > LONG_BODY
        for attempt in (1, 2):
            try:
                # Declared claims as plain values: a worker unpickles them without
                # importing the contracts (it imports detection alone).
                declared = [Declared.of(c) for c in report.claims]
                return self._executor(long).submit(
                    analyse_report, report.body, declared, self._max_claims, report.headline
                )
            except BrokenProcessPool:
                log.warning("detection_pool_rebuilt", attempt=attempt, long=long)
                self._close_pool(long)
        failed: Future[Any] = Future()
        failed.set_exception(BrokenProcessPool("the detection pool could not be started"))
        return failed

    def _found_large(self, report: ReportSubmitted, value: Any) -> bool:
        """Did detection find so many claims in ``report`` that the first consumer hands it
        on (to be written in the large queue's lane), or was an earlier report of its story
        handed on since (it follows, in order)?"""
        if self._large_queue or not isinstance(value, Analysis):
            return False
        story = report.story_id
        known = story in self._handed_on or story in self._large
        if len(value.candidates) < LARGE_CLAIMS and not known:
            return False
        _remember(self._handed_on, [story])
        return True

    def _remember_large(self, story_ids: Any) -> None:
        _remember(self._large, story_ids)

    def heavy(self, event: CloudEvent, prepared: Any) -> bool:
        """A report with ``LARGE_CLAIMS`` claims or more, or a revision of a story that had
        as many: stored in the large lane, apart from the batch's other reports."""
        value = _value_of(prepared)
        if not isinstance(value, Analysis):  # a duplicate's receipt, or a failure
            return False
        report = event.payload()
        assert isinstance(report, ReportSubmitted)
        if not self._large_queue:
            return False  # the first consumer hands such reports on instead (``write``)
        if len(value.candidates) >= LARGE_CLAIMS:
            self._remember_large([report.story_id])
            return True
        return report.story_id in self._large

    def write(self, events: list[CloudEvent], prepared: list[Any]) -> list[Any]:
        """Store together the reports that begin new stories (one transaction for many);
        the rest are stored one by one in ``handle``. A round begins here: a round that
        failed to send left nothing handed off."""
        self._handed = []
        prepared = [_value_of(v) for v in prepared]
        fresh = []
        # Each report's message, for its lines (the round's one write binds none of them).
        messages: dict[str, dict[str, str]] = {}
        for place, (event, value) in enumerate(zip(events, prepared, strict=True)):
            if isinstance(value, Analysis):  # detection ran: the payload is a report
                report = event.payload()
                assert isinstance(report, ReportSubmitted)
                if self._found_large(report, value):
                    prepared[place] = HAND_ON
                    continue
                fresh.append((report, value))
                messages[report.report_id] = {"topic": self._topic.value, **event_context(event)}
        stored = intake.store_new_stories(fresh, utcnow(), messages) if fresh else {}
        out = list(prepared)
        for place, (event, value) in enumerate(zip(events, prepared, strict=True)):
            if isinstance(value, Analysis):
                new = stored.get(str(getattr(event.payload(), "report_id", "")))
                if new is not None:
                    out[place] = _Stored(new.receipt, self._first_snapshot(new, event))
        return out

    def _first_snapshot(self, new: intake.NewStory, event: CloudEvent) -> Rendered | None:
        try:
            rendered = self._snapshots.first_snapshot(new.story, new.claims, event.traceid)
        except Exception as exc:  # the outbox sends it, after repository.HANDOFF
            log.warning("first_snapshot_failed", story_id=new.story.story_id, error=str(exc)[:300])
            return None
        return rendered if rendered.message is not None and rendered.reason is None else None

    def handle(self, event: CloudEvent, prepared: Any) -> list[Outgoing]:
        prepared = _value_of(prepared)
        if isinstance(prepared, BaseException):
            raise prepared
        report = event.payload()
        assert isinstance(report, ReportSubmitted)
        if prepared is HAND_ON or self._found_large(report, prepared):
            log.info("report_handed_on", report_id=report.report_id, story_id=report.story_id)
            return [self._producer.forwarded(LARGE_TOPIC, event, key=report.story_id)]
        intake.check_report(report)
        if isinstance(prepared, _Stored):
            receipt = prepared.receipt
            if prepared.snapshot is not None and prepared.snapshot.message is not None:
                self._handed.append(prepared.snapshot)
                return [self._receipt(receipt, report), prepared.snapshot.message]
        elif isinstance(prepared, ReportReceived):
            log.info("report_duplicate", report_id=report.report_id, story_id=report.story_id)
            receipt = prepared
        elif report.story_id in self._large:  # in the large lane (``heavy``)
            receipt = intake.store_large_report(report, prepared, utcnow())
        else:
            receipt = intake.store_report(report, prepared, utcnow())
        if not receipt.duplicate:
            self._changed.append(report.story_id)
            self._revised = self._revised or report.revision > 1
        return [self._receipt(receipt, report)]

    def _receipt(self, receipt: ReportReceived, report: ReportSubmitted) -> Outgoing:
        return self._producer.message(Topic.REPORTS_RECEIVED, receipt, key=report.story_id)

    def finished(self) -> None:
        """The round's messages went out: mark the first snapshots sent with them, and wake
        the snapshot outbox for the other changed stories, so it sends the batch's
        snapshots together instead of one per report while the writes go on."""
        handed, self._handed = self._handed, []
        try:
            self._snapshots.handed_off(handed)
        except Exception as exc:  # the outbox sends them again after HANDOFF: harmless
            log.warning("handed_off_mark_failed", stories=len(handed), error=str(exc)[:300])
        changed, self._changed = self._changed, []
        sent = {str(r.row_id) for r in handed}
        for story_id in dict.fromkeys(changed):
            if story_id not in sent:
                self._snapshots.story_changed(story_id)
        if self._revised:  # a revision may have dropped claims: the sweep closes them
            self._revised = False
            self._story_revised()

    def _close_pool(self, long: bool) -> None:
        pool = self._pools.pop(long, None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        for long in list(self._pools):
            self._close_pool(long)


def _remember(kept: OrderedDict[str, None], story_ids: Any) -> None:
    """Add ``story_ids`` to ``kept``, the most recent ``RECENT`` of them."""
    for story_id in story_ids:
        kept[story_id] = None
        kept.move_to_end(story_id)
    while len(kept) > RECENT:
        kept.popitem(last=False)
