"""How the batch loop waits while work is under way (services/bus/batch.py): for records
and for the work's end, one after the other, and never sleeping through either; and what
a round takes while heavy events wait for the lane.

Found in the large story's fault test (tests/faults/test_large_story.py): every other
ordinary story reached verify 50 ms late, because its detection ended while the loop
polled and the loop then slept out its whole wait; and stories that came while the large
one was written waited 40-110 ms to be polled, because the loop polled only between waits.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import Future
from typing import Any, cast

from kafka import KafkaConsumer
from kafka.consumer.fetcher import ConsumerRecord

from services.bus import Outgoing
from services.bus.batch import MIN_ROUND, POLL_SLICE_MS, BatchConsumerLoop, BatchStrategy
from services.contracts import CloudEvent, ReportSubmitted, Topic
from services.runtime import Runtime
from tests.foundation.test_batch_rebalance import GatedStrategy
from tests.foundation.test_bus import a_report
from tests.support.infra import Infra
from tests.support.servers import wait_for


def a_loop(
    infra: Infra, strategy: BatchStrategy, max_in_flight: int = 4
) -> tuple[BatchConsumerLoop, Runtime]:
    settings = infra.settings()
    runtime = Runtime(settings, "verify")
    loop = BatchConsumerLoop(
        strategy=strategy, max_in_flight=max_in_flight, settings=settings,
        topics=[Topic.REPORTS_SUBMITTED], group=f"wakeup-{uuid.uuid4().hex[:8]}",
        producer=runtime.producer, admin=runtime.admin, name="wakeup",
    )  # fmt: skip
    return loop, runtime


def a_record(runtime: Runtime, offset: int, report_id: str | None = None) -> ConsumerRecord:
    report = a_report(offset)
    if report_id is not None:
        report = report.model_copy(update={"report_id": report_id})
    message = runtime.producer.message(Topic.REPORTS_SUBMITTED, report, key=report.story_id)
    return ConsumerRecord(
        message.topic, 0, -1, offset, 0, 0, message.key.encode(), message.value,
        list(message.headers), None, 0, len(message.value), 0,
    )  # fmt: skip


def test_work_that_ends_while_the_loop_polls_wakes_its_next_wait(infra: Infra) -> None:
    strategy = GatedStrategy()
    loop, runtime = a_loop(infra, strategy)
    try:
        loop._start([a_record(runtime, 0)])
        loop._round(cast(Any, None))  # a round looks: the preparation is still under way
        strategy.gate.set()  # it ends after that look, as it would during the poll
        item = loop._items[0]
        wait_for(item.prepared.done, 30, interval=0.01, what="the preparation")

        # The wait must not sleep out its time with the ended work ready to handle.
        waited = threading.Thread(target=loop._wait_for_work, args=(60.0,), daemon=True)
        waited.start()
        waited.join(20)
        assert not waited.is_alive(), "the loop slept through work that had ended"
    finally:
        strategy.close()
        runtime.close()


def test_with_work_under_way_a_poll_waits_for_records_a_slice_at_a_time(infra: Infra) -> None:
    """A record that comes while work is under way is taken by the poll waiting for it, not
    by the next poll after a wait for the work alone; ended work or a full loop (its
    partitions paused, no record can come) makes the poll return at once; an idle loop
    waits long."""
    strategy = GatedStrategy()
    loop, runtime = a_loop(infra, strategy)
    try:
        loop._start([a_record(runtime, 0)])
        loop._round(cast(Any, None))  # the preparation is under way
        assert loop._poll_wait_ms(waiting=1, full=False) == POLL_SLICE_MS > 0
        assert loop._poll_wait_ms(waiting=4, full=True) == 0

        strategy.gate.set()
        wait_for(loop._items[0].prepared.done, 30, interval=0.01, what="the preparation")
        assert loop._poll_wait_ms(waiting=1, full=False) == 0  # a round is due at once
        assert loop._poll_wait_ms(waiting=0, full=False) == 500
    finally:
        strategy.close()
        runtime.close()


class LaneStrategy:
    """Reports whose id starts with ``r_h`` are heavy; the lane's first one holds the
    lane until ``gate`` opens."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.handled: list[str] = []

    def prepare(self, events: list[CloudEvent]) -> list[Future[Any]]:
        futures: list[Future[Any]] = []
        for _ in events:
            future: Future[Any] = Future()
            future.set_result("prepared")
            futures.append(future)
        return futures

    def write(self, events: list[CloudEvent], prepared: list[Any]) -> list[Any]:
        return prepared

    def _id(self, event: CloudEvent) -> str:
        report = event.payload()
        assert isinstance(report, ReportSubmitted)
        return report.report_id

    def heavy(self, event: CloudEvent, prepared: Any) -> bool:
        return self._id(event).startswith("r_h")

    def handle(self, event: CloudEvent, prepared: Any) -> list[Outgoing]:
        if self.heavy(event, prepared):
            self.gate.wait(60)
        self.handled.append(self._id(event))
        return []

    def finished(self) -> None:
        pass

    def close(self) -> None:
        self.gate.set()


def test_heavy_events_waiting_for_the_lane_do_not_fill_a_round(infra: Infra) -> None:
    """More heavy events than a round holds, all waiting for the one lane, and an ordinary
    event behind them: the round handles the ordinary one at once. The round's size used
    to be taken before the heavy ones were set aside, so they filled it, and the loop went
    round without handling anything until the lane was free."""
    strategy = LaneStrategy()
    loop, runtime = a_loop(infra, strategy, max_in_flight=64)
    consumer = KafkaConsumer(bootstrap_servers=runtime.settings.kafka_bootstrap)
    try:
        heavy = MIN_ROUND + 1
        records = [a_record(runtime, n, report_id=f"r_h{n}") for n in range(heavy)]
        records.append(a_record(runtime, heavy))  # ordinary, its own story
        loop._start(records)
        loop._round(consumer)
        assert strategy.handled == [f"r_{heavy}"]  # the lane still holds the first heavy one
    finally:
        strategy.gate.set()
        loop.stop()
        consumer.close()
        runtime.close()
