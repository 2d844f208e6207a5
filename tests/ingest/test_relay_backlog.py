"""The relay does not re-send what verify simply has not reached yet: while receipts keep
coming, a due report accepted well before the newest one confirmed is re-sent (it was
lost), one accepted after that waits; when receipts stop, every due report goes. A
polled pass claims fewer rows while the store is slow (services/outbox/worker.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest

from ingest.relay import ReceiptWatch
from services.clock import utcnow
from services.outbox import DUE
from services.outbox.worker import BatchSize
from tests.outbox.support import Scratch, scratch
from tests.support.infra import Infra
from tests.support.stack import Stack

LONGEST = timedelta(minutes=8)


@pytest.fixture
def box(infra: Infra) -> Iterator[Scratch]:
    made = scratch(infra.settings())
    try:
        yield made
    finally:
        made.producer.close()


def test_a_resend_waits_while_verify_is_behind_it_and_goes_when_receipts_stop(
    box: Scratch,
) -> None:
    now = utcnow()
    [lost] = box.add(1)
    [queued] = box.add(1)
    # Due 30 s after they were accepted (10 min ago, and 40 s ago): both due now.
    for row, accepted in (
        (lost, now - timedelta(minutes=10)),
        (queued, now - timedelta(seconds=40)),
    ):
        box.collection.update_one({"_id": row}, {"$set": {DUE: accepted + timedelta(seconds=30)}})
    ticks = [0.0]
    watch = ReceiptWatch(
        slack=timedelta(seconds=30), quiet=30.0, longest=LONGEST, clock=lambda: ticks[0]
    )
    # Verify's receipt for a report accepted 20 s after `queued`: not far enough past it.
    watch.handed([{"_id": "newest", "accepted_at": now - timedelta(seconds=20)}])
    watch.confirmed("newest")
    worker = box.worker(batch=100)
    worker.hold_back = watch.hold_back  # type: ignore[method-assign]

    worker.send_due()

    assert "due" not in box.row(lost)["outbox"]  # accepted 10 min before: lost, sent again
    assert "due" in box.row(queued)["outbox"]  # still behind verify's progress: waits
    ticks[0] += 31  # no receipt for longer than `quiet`: verify may be down, send it all
    worker.send_due()
    assert "due" not in box.row(queued)["outbox"]
    assert set(box.keys_on_topic({lost, queued})) >= {lost, queued}


def test_a_receipt_or_a_snapshot_tells_the_relay_how_far_verify_has_got(stack: Stack) -> None:
    from ingest.reports import repository as repo

    now = utcnow()
    watch = ReceiptWatch(slack=timedelta(seconds=30), quiet=30.0, longest=LONGEST)
    old, new = f"r_{uuid.uuid4().hex}", f"r_{uuid.uuid4().hex}"
    watch.handed([{"_id": old, "accepted_at": now - timedelta(minutes=5)},
                  {"_id": new, "accepted_at": now}])  # fmt: skip
    ours = repo.Handoff("watch-test", timedelta(seconds=30), lambda docs: None, watch.confirmed)
    live = repo.hand_stored_to(ours)
    try:
        repo.mark_delivered(old, now)  # its receipt
        assert watch.hold_back() == {DUE: {"$lte": now - timedelta(minutes=5)}}
        repo.mark_held(new, [], 1)  # its story's snapshot, before its receipt
        assert watch.hold_back() == {DUE: {"$lte": now}}
    finally:
        repo.hand_stored_to(live)


def test_a_receipt_for_a_report_this_relay_did_not_hand_over_changes_nothing() -> None:
    watch = ReceiptWatch(slack=timedelta(seconds=30), quiet=30.0, longest=LONGEST)
    watch.confirmed("another-replicas-report")
    assert watch.hold_back() is None


def test_a_report_is_held_back_no_longer_than_the_longest_resend_wait() -> None:
    """Reviews keep other stories' events coming: a lost last report still goes."""
    now = utcnow()
    wall = [now]
    watch = ReceiptWatch(
        slack=timedelta(seconds=30), quiet=30.0, longest=LONGEST, wall=lambda: wall[0]
    )
    watch.handed([{"_id": "first", "accepted_at": now}])
    watch.confirmed("first")
    assert watch.hold_back() == {DUE: {"$lte": now}}
    wall[0] = now + timedelta(minutes=20)
    watch.confirmed("a-snapshot-of-another-story")
    assert watch.hold_back() == {DUE: {"$lte": wall[0] - LONGEST + timedelta(seconds=30)}}


def test_a_polled_pass_claims_fewer_rows_while_passes_are_slow_or_fail() -> None:
    size = BatchSize(most=500, slow=2.0)
    size.after(5.0)
    assert size.current == 250
    size.after(0.1, failed=True)  # a store timeout
    assert size.current == 125
    for _ in range(10):
        size.after(30.0)
    assert size.current == 10  # never below `least`
    size.after(1.0)  # neither slow nor quick: stays
    assert size.current == 10
    for _ in range(10):
        size.after(0.1)
    assert size.current == 500  # back to the most, never above it
