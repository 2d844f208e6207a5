"""A second member joins a batch loop's group while the first has work under way
(services/bus/rebalance.py, ``Rebalances``), against the real broker.

kafka-python 3 calls a rebalance listener on its IO thread, where no consumer call may
block. The listener used to finish and commit the revoked partitions' work there: the
commit raised ``RuntimeError`` on the IO thread, which came back out of ``poll`` and set
two verify replicas rebalancing over and over (seen in ``make bench``). Now the listener
only notes the partitions; every message is still handled and committed, by one member
or the other, and the listener never fails.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.structs import OffsetAndMetadata

from services.bus import Outgoing
from services.bus.batch import BatchConsumerLoop, _Item
from services.contracts import CloudEvent, ReportSubmitted, Topic
from services.errors import InvalidMessage
from services.runtime import Runtime
from tests.foundation.test_bus import a_report
from tests.support.infra import Infra
from tests.support.servers import wait_for

MESSAGES = 20


class GatedStrategy:
    """Preparation waits for ``gate``: the loop holds its messages under way, between
    rounds, when the second member joins."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.handled: list[str] = []
        self._pool = ThreadPoolExecutor(2)

    def prepare(self, events: list[CloudEvent]) -> list[Future[Any]]:
        return [self._pool.submit(self.gate.wait, 60) for _ in events]

    def write(self, events: list[CloudEvent], prepared: list[Any]) -> list[Any]:
        return prepared

    def handle(self, event: CloudEvent, prepared: Any) -> list[Outgoing]:
        payload = event.payload()
        assert isinstance(payload, ReportSubmitted)
        self.handled.append(payload.report_id)
        return []

    def heavy(self, event: CloudEvent, prepared: Any) -> bool:
        return False

    def finished(self) -> None:
        pass

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


class RecordingListener(ConsumerRebalanceListener):
    """The loop's own listener, with what it was given and what it raised."""

    def __init__(self, inner: ConsumerRebalanceListener) -> None:
        self.inner = inner
        self.revoked = threading.Event()
        self.errors: list[BaseException] = []

    def on_partitions_revoked(self, revoked: Any) -> None:
        if revoked:
            self.revoked.set()
        try:
            self.inner.on_partitions_revoked(revoked)
        except BaseException as exc:
            self.errors.append(exc)
            raise

    def on_partitions_assigned(self, assigned: Any) -> None:
        self.inner.on_partitions_assigned(assigned)


class RecordedLoop(BatchConsumerLoop):
    def _listener(self) -> ConsumerRebalanceListener:
        self.recording = RecordingListener(super()._listener())
        return self.recording


def test_a_member_joining_while_work_is_under_way_loses_and_repeats_nothing(
    infra: Infra,
) -> None:
    settings = infra.settings()
    runtime = Runtime(settings, "verify")
    group = f"rebalance-{uuid.uuid4().hex[:8]}"

    def loop(name: str, strategy: GatedStrategy) -> RecordedLoop:
        return RecordedLoop(
            strategy=strategy, max_in_flight=100, settings=settings,
            topics=[Topic.REPORTS_SUBMITTED], group=group, producer=runtime.producer,
            admin=runtime.admin, name=name,
        )  # fmt: skip

    first_work, second_work = GatedStrategy(), GatedStrategy()
    second_work.gate.set()
    first, second = loop("first", first_work), loop("second", second_work)
    first.start()
    try:
        for n in range(MESSAGES):
            report = a_report(n)
            runtime.producer.send(
                runtime.producer.message(Topic.REPORTS_SUBMITTED, report, key=report.story_id)
            )
        wait_for(lambda: len(first._items) == MESSAGES, 60, what="the first member's work")

        second.start()
        # The first member's listener has been told (on the IO thread); only then may its
        # work finish, as it would while a finishing listener still waited for it.
        wait_for(lambda: first.recording.revoked.is_set(), 60, what="a rebalance")
        first_work.gate.set()

        everything = {f"r_{n}" for n in range(MESSAGES)}
        wait_for(
            lambda: set(first_work.handled) | set(second_work.handled) >= everything,
            60,
            what="every message handled",
        )
        topic = settings.topic(Topic.REPORTS_SUBMITTED.value)
        committed = KafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap, group_id=settings.topic(group),
            enable_auto_commit=False,
        )  # fmt: skip
        try:
            partitions = [TopicPartition(topic, p) for p in range(settings.topic_partitions)]

            # Offsets of a new topic start at 0 (the embedded broker's end offsets are not
            # to be trusted: see services/bus/backlog.py).
            def all_committed() -> bool:
                return sum(committed.committed(tp) or 0 for tp in partitions) >= MESSAGES

            wait_for(all_committed, 60, interval=0.5, what="every partition committed")
        finally:
            committed.close()
        assert first.recording.errors == []
        assert second.recording.errors == []
        assert first.running
        assert second.running
    finally:
        second.stop()
        first.stop()
        runtime.close()


def test_a_partition_given_back_with_forgotten_work_is_read_from_the_committed_offset(
    infra: Infra,
) -> None:
    """A partition taken away while its work was under way and given straight back to the
    same loop is read again where its next owner would read it: the group's committed
    offset, or the beginning when it has none. Not from the forgotten work's own offset:
    after the broker restarted empty (the kill test's wipe) the partition's new log starts
    at 0, and Tansu answers a fetch past a log's end with no records, so a loop sought
    there waited while the reports ingest re-sent piled up below it (seen in `make test`:
    seven reports never reached verify within 180 s)."""
    settings = infra.settings()
    runtime = Runtime(settings, "verify")
    topic = settings.topic(Topic.REPORTS_SUBMITTED.value)
    group = f"given-back-{uuid.uuid4().hex[:8]}"
    runtime.admin.ensure([topic])
    loop = BatchConsumerLoop(
        strategy=GatedStrategy(), max_in_flight=100, settings=settings,
        topics=[Topic.REPORTS_SUBMITTED], group=group, producer=runtime.producer,
        admin=runtime.admin, name="given-back",
    )  # fmt: skip
    tp = TopicPartition(topic, 0)
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap, group_id=settings.topic(group),
        enable_auto_commit=False, auto_offset_reset="earliest",
    )  # fmt: skip
    try:
        consumer.assign([tp])
        # Work under way at offsets 5-7 of the old log, as the loop held it.
        for offset in (5, 6, 7):
            record = ConsumerRecord(topic, 0, -1, offset, 0, 0, None, b"{}", [], None, 0, 2, 0)
            loop._items.append(_Item(record, InvalidMessage("test", ""), Future()))
        loop._rebalances.on_partitions_revoked([tp])
        loop._rebalances.on_partitions_assigned([tp])
        loop._settle_rebalance(consumer)
        assert consumer.position(tp) == 0  # no commit in the group: the beginning
        assert not loop._items

        consumer.commit({tp: OffsetAndMetadata(2, "", -1)})
        loop._items.append(_Item(record, InvalidMessage("test", ""), Future()))
        loop._rebalances.on_partitions_revoked([tp])
        loop._rebalances.on_partitions_assigned([tp])
        loop._settle_rebalance(consumer)
        assert consumer.position(tp) == 2  # the committed offset
    finally:
        consumer.close()
        runtime.close()
