"""The relay at low concurrency (ingest/relay.py): batches handed over one after another
go in one pass, and the ``queued`` marks of reports sent one pass at a time wait and go to
the store together, each with the time its report was sent."""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest

from ingest import relay as relay_module
from ingest.relay import Relay, ReportRows
from ingest.reports.repository import QueuedMark
from services.bus import EventProducer
from services.clock import utcnow
from services.outbox import Rendered
from services.runtime import Runtime
from tests.support.stack import Stack

DEADLINE = 30.0


@pytest.fixture
def rows(stack: Stack) -> Iterator[ReportRows]:
    runtime = Runtime(stack.settings, "test")
    try:
        yield ReportRows(runtime.producer, timedelta(seconds=30))
    finally:
        runtime.close()


def _marks(ids: list[str]) -> dict[str, object]:
    found = QueuedMark._get_collection().find({"_id": {"$in": ids}})
    return {d["_id"]: d["at"] for d in found}


def test_reports_sent_one_pass_at_a_time_are_marked_queued_together(rows: ReportRows) -> None:
    at = utcnow().replace(microsecond=0)
    ids = [f"r_{uuid.uuid4().hex}" for _ in range(3)]
    for n, report_id in enumerate(ids):  # three passes of one report, as at one connection
        rows.sent([Rendered(report_id)], rows.handoff_token, at + timedelta(seconds=n))
    assert _marks(ids) == {}  # waiting for the relay's poll: no insert per pass
    rows.write_marks()
    assert _marks(ids) == {r: at + timedelta(seconds=n) for n, r in enumerate(ids)}


def test_a_full_batch_of_marks_goes_without_waiting_for_the_poll(
    rows: ReportRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(relay_module, "MARKS_BATCH", 3)
    at = utcnow().replace(microsecond=0)
    ids = [f"r_{uuid.uuid4().hex}" for _ in range(3)]
    rows.sent([Rendered(ids[0])], rows.handoff_token, at)
    assert _marks(ids) == {}
    rows.sent([Rendered(i) for i in ids[1:]], rows.handoff_token, at)
    assert _marks(ids) == {r: at for r in ids}


class _WatchedQueue(queue.Queue[list[dict[str, Any]]]):
    """The relay's hand-over queue, telling when the relay waits on it for more."""

    def __init__(self) -> None:
        super().__init__()
        self.waiting = threading.Event()

    def get(self, block: bool = True, timeout: float | None = None) -> list[dict[str, Any]]:
        if block:
            self.waiting.set()
        return super().get(block, timeout)


class _Recording(Relay):
    def __init__(self, source: ReportRows, producer: EventProducer) -> None:
        super().__init__(source, producer, interval=3600.0)
        self.sends: list[list[str]] = []
        self._polled_at = time.monotonic()  # no poll of the store in this test

    def send_claimed(self, docs: list[dict[str, Any]], token: str, now: datetime) -> bool:
        self.sends.append([d["_id"] for d in docs])
        return True


def test_batches_handed_over_one_after_another_go_in_one_pass(
    rows: ReportRows, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At one connection each insert hands the relay a batch of one: while busy (a batch
    came just before), the relay waits a little for the next before it sends, so a pass
    serves several reports. After a quiet spell a report goes at once."""
    monkeypatch.setattr(relay_module, "BATCH", 2)
    monkeypatch.setattr(relay_module, "LINGER_SECONDS", 30.0)
    monkeypatch.setattr(relay_module, "BUSY_SECONDS", 30.0)
    relay = _Recording(rows, rows._producer)
    handed = _WatchedQueue()
    relay._handed = handed  # type: ignore[assignment]
    now = utcnow()
    relay._handed_at = time.monotonic() - 60.0  # quiet for a minute
    relay._take([{"_id": "quiet", "accepted_at": now}])
    relay.send_due()  # no wait for more: the relay was not busy
    assert (relay.sends, handed.waiting.is_set()) == ([["quiet"]], False)

    relay._take([{"_id": "first", "accepted_at": now}])
    passing = threading.Thread(target=relay.send_due)
    passing.start()
    assert handed.waiting.wait(DEADLINE)  # the relay waits for more before it sends
    relay._take([{"_id": "second", "accepted_at": now}])  # a full batch: it goes at once
    passing.join(DEADLINE)
    assert not passing.is_alive()
    assert relay.sends == [["quiet"], ["first", "second"]]


def test_marks_still_waiting_are_written_when_the_relay_stops(rows: ReportRows) -> None:
    relay = Relay(rows, rows._producer, interval=3600.0)
    at = utcnow().replace(microsecond=0)
    report_id = f"r_{uuid.uuid4().hex}"
    rows.sent([Rendered(report_id)], rows.handoff_token, at)
    assert _marks([report_id]) == {}
    relay.stop(timeout=DEADLINE)
    assert _marks([report_id]) == {report_id: at}
