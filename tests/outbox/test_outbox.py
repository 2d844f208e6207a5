"""The shared outbox (services/outbox) on the real store and broker: rows are claimed per
worker, sent once, set aside when they can never be sent, taken over after a crash, and
retried with backoff while the broker does not answer; readiness says when it is stuck."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from prometheus_client import REGISTRY

from newsroom.stack import free_port
from services.bus import EventProducer, TopicAdmin
from services.clock import utcnow
from services.contracts import MAX_EVENT_BYTES
from services.http.health import readyz
from services.outbox import OutboxWorker
from services.outbox.worker import BACKLOG_EVERY_SECONDS, BACKLOG_REST
from services.runtime import Runtime
from tests.outbox.support import Scratch, scratch
from tests.support.infra import Infra
from tests.support.servers import wait_for
from tests.support.stack import Stack


@pytest.fixture
def box(infra: Infra) -> Iterator[Scratch]:
    made = scratch(infra.settings())
    try:
        yield made
    finally:
        made.producer.close()


def metric(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_two_workers_claim_each_row_once_and_send_it_once(box: Scratch) -> None:
    ids = box.add(120)
    now = utcnow()
    claimed: list[list[str]] = [[], []]
    start = threading.Barrier(2)

    def claim(slot: int) -> None:
        start.wait()
        got = box.rows.claim(now, timedelta(seconds=30), 80)
        claimed[slot] = [d["_id"] for d in got.docs]

    threads = [threading.Thread(target=claim, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not set(claimed[0]) & set(claimed[1])  # no row is held by both
    assert claimed[0]
    assert claimed[1]
    # Claimed rows are not claimable again until their claim expires.
    assert not set(d["_id"] for d in box.rows.claim(now, timedelta(seconds=30), 200).docs) & set(
        claimed[0] + claimed[1]
    )

    # Two workers draining the same rows at once (the claims above expire for them).
    later = lambda: utcnow() + timedelta(seconds=60)  # noqa: E731
    workers = [box.worker(clock=later, batch=25) for _ in (0, 1)]

    def drain(worker: OutboxWorker) -> None:
        while box.rows.backlog(later()):
            worker.send_due()

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert box.rows.backlog(later()) == 0
    keys = box.keys_on_topic(set(ids))
    counts = Counter(k for k in keys if k in set(ids))
    assert set(counts) == set(ids)
    assert max(counts.values()) == 1, [k for k, n in counts.items() if n > 1][:5]


def test_a_row_that_cannot_be_sent_is_set_aside_and_the_next_one_goes(box: Scratch) -> None:
    before_large = metric("newsroom_outbox_set_aside_total", outbox="test-rows", reason="too_large")
    before_bad = metric(
        "newsroom_outbox_set_aside_total", outbox="test-rows", reason="unserialisable"
    )
    [first] = box.add(1)
    [huge] = box.add(1, value=b"x" * (MAX_EVENT_BYTES + 1))
    [broken] = box.add(1, broken=True)
    [last] = box.add(1)
    worker = box.worker(batch=10)

    worker.send_due()

    assert box.keys_on_topic({first, last}).count(huge) == 0
    aside = box.row(huge)["outbox"]
    assert aside["aside"]["reason"] == "too_large"
    assert "due" not in aside  # it waits no more
    assert box.row(broken)["outbox"]["aside"]["reason"] == "unserialisable"
    for sent in (first, last):
        assert "due" not in box.row(sent)["outbox"]
        assert "aside" not in box.row(sent)["outbox"]
    large = metric("newsroom_outbox_set_aside_total", outbox="test-rows", reason="too_large")
    bad = metric("newsroom_outbox_set_aside_total", outbox="test-rows", reason="unserialisable")
    assert (large - before_large, bad - before_bad) == (1, 1)
    assert worker.send_due() is False  # nothing left due: the set-aside rows are not retried


def test_rows_of_a_worker_that_died_holding_them_are_taken_over_after_the_claim(
    box: Scratch,
) -> None:
    ids = box.add(5)
    hold = timedelta(seconds=20)
    dead = box.rows.claim(utcnow(), hold, 10)  # claimed, then the process was killed
    assert {d["_id"] for d in dead.docs} == set(ids)

    restarted = box.worker(hold=hold)
    restarted.send_due()
    assert all("claim" in box.row(i)["outbox"] and "due" in box.row(i)["outbox"] for i in ids)

    after_expiry = box.worker(hold=hold, clock=lambda: utcnow() + hold + timedelta(seconds=1))
    after_expiry.send_due()
    keys = box.keys_on_topic(set(ids))
    assert Counter(k for k in keys if k in set(ids)) == Counter(ids)
    assert all("due" not in box.row(i)["outbox"] for i in ids)


def test_a_broker_that_does_not_answer_backs_off_and_readiness_goes_red(
    box: Scratch, infra: Infra, stack: Stack
) -> None:
    nowhere = box.settings.model_copy(update={"kafka_bootstrap": f"127.0.0.1:{free_port()}"})
    dead_producer = EventProducer(nowhere, source="/newsroom/test", admin=TopicAdmin(nowhere))
    ids = box.add(3)
    # A backoff of 30 s, not the default 1 s: the rows are read back after the pass, and
    # a second's stall on a loaded machine would have made them due again by then.
    worker = box.worker(dead_producer, stuck_after=0.2, retry_base=30.0)
    before = metric("newsroom_outbox_send_failures_total", outbox="test-rows")
    try:
        assert worker.send_due() is False
        for row_id in ids:
            state = box.row(row_id)["outbox"]
            assert state["tries"] == 1
            assert "claim" not in state
            assert state["due"] > utcnow()  # backed off, not retried at once
        assert metric("newsroom_outbox_send_failures_total", outbox="test-rows") - before == 3
        # A pass while the rows wait out their backoff finds nothing due: still failing.
        assert worker.send_due() is False
        wait_for(lambda: worker.health() is not None, 10, what="the outbox reported stuck")

        # The session stack's database prefix: a runtime points the process-wide "auth"
        # alias at its own settings, and the stack's services (later tests) read it.
        same_auth = box.settings.model_copy(update={"db_prefix": stack.settings.db_prefix})
        runtime = Runtime(same_auth, "outboxtest")
        runtime.connect()
        runtime.add_worker(worker)  # not started: readiness only asks it
        runtime.started = True
        answer = asyncio.run(readyz(runtime))
        body = json.loads(bytes(answer.body))
        assert answer.status_code == 503
        assert answer.media_type == "application/problem+json"
        assert body["status"] == 503
        assert isinstance(body["status"], int)
        assert body["type"].startswith("urn:newsroom:problem:")
        assert body["checks"]["store"] is True
        assert body["checks"]["broker"] is True
        assert body["checks"][worker.name] is False
        assert "sends failing" in body["stuck"][worker.name]

        # The broker answers again: the rows go out and readiness is green.
        healthy = box.worker(clock=lambda: utcnow() + timedelta(seconds=60))
        runtime._workers = [healthy]
        healthy.send_due()
        box.keys_on_topic(set(ids))
        answer = asyncio.run(readyz(runtime))
        assert answer.status_code == 200, answer.body
        runtime.started = False
        runtime.stop()
    finally:
        dead_producer.close()


def test_metrics_have_zero_series_from_the_start(box: Scratch) -> None:
    box.worker()
    for reason in ("too_large", "unserialisable", "refused"):
        labels = {"outbox": "test-rows", "reason": reason}
        assert REGISTRY.get_sample_value("newsroom_outbox_set_aside_total", labels) is not None
    assert REGISTRY.get_sample_value("newsroom_outbox_backlog", {"outbox": "test-rows"}) is not None


def test_rows_stored_before_the_outbox_fields_are_sent_after_an_upgrade(box: Scratch) -> None:
    old = f"row-{uuid.uuid4().hex[:10]}"
    done = f"row-{uuid.uuid4().hex[:10]}"
    box.collection.insert_many(
        [
            {"_id": old, "key": old, "value": b"{}", "legacy_unsent": True},
            {"_id": done, "key": done, "value": b"{}", "legacy_unsent": False},
        ]
    )
    box.worker().send_due()
    assert old in box.keys_on_topic({old})
    assert "due" not in box.row(old)["outbox"]
    assert "outbox" not in box.row(done)  # already sent under the old layout: left alone


def test_the_backlog_is_counted_again_only_after_resting_in_proportion(
    box: Scratch, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The count reads every due row: in a burst it took the store longer the more
    reports were held, every 5 s all the same. After a count that took t, the next
    waits ``BACKLOG_REST`` times t (the gauge keeps the last count meanwhile)."""
    timer = [0.0]
    counted: list[int] = []
    count = box.rows.backlog

    def slow_count(now: datetime) -> int:
        timer[0] += 2.0  # the store took 2 s to count
        counted.append(count(now))
        return counted[-1]

    monkeypatch.setattr(box.rows, "backlog", slow_count)
    worker = box.worker(timer=lambda: timer[0], clock=lambda: utcnow() - timedelta(hours=1))
    box.add(3)
    worker.send_due()  # nothing is due an hour ago: a pass that only counts
    assert counted == [0]
    timer[0] = 2.0 + BACKLOG_EVERY_SECONDS  # the old spacing: counted again by now
    worker.send_due()
    assert counted == [0]
    timer[0] = 2.0 + 2.0 * BACKLOG_REST
    worker.send_due()
    assert len(counted) == 2
