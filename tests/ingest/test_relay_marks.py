"""The relay's ``queued`` marks (ingest/relay.py): the marks of reports sent one pass at a
time wait and go to the store together, each with the time its report was sent."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from ingest import relay as relay_module
from ingest.relay import ReportRows
from ingest.reports.repository import QueuedMark
from services.clock import utcnow
from services.outbox import Rendered
from services.runtime import Runtime
from tests.support.stack import Stack


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
