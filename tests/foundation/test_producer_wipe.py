"""The producer across a broker restart (memory storage: it comes back empty).

A long-lived `EventProducer` (every service keeps one) must never be told "acknowledged"
for a message the restarted broker does not have: the outboxes mark such a row sent and
never send it again. And a client it gives up on must really stop: before, one that still
held a batch kept resending it with its old producer id, which the empty broker hands out
again from 1 (see the module note of services/bus/producer.py).
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka.partitioner.default import murmur2

from services.bus import EventProducer, Outgoing, TopicAdmin, topic_names
from services.contracts import Topic
from services.settings import Settings
from tests.support.infra import Infra
from tests.support.kafka import read_topic
from tests.support.servers import wait_for


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[Infra]:
    """A broker of this test's own, free to kill and wipe."""
    private = Infra(tmp_path)
    private.start_broker()
    try:
        yield private
    finally:
        private.stop_broker()


def key_on(partition: int, partitions: int, taken: set[str]) -> str:
    """A story key kafka-python's default partitioner puts on ``partition``."""
    for n in range(10_000):
        key = f"s_{n}"
        if key not in taken and (murmur2(key.encode()) & 0x7FFFFFFF) % partitions == partition:
            taken.add(key)
            return key
    raise AssertionError(f"no key for partition {partition}")


class Sender:
    """One producer as a service holds it, and what the broker acknowledged."""

    def __init__(self, settings: Settings, source: str) -> None:
        self.settings = settings
        self.admin = TopicAdmin(settings)
        self.admin.ensure(topic_names(settings))
        self.source = source
        self.producer = EventProducer(settings, source, self.admin)
        self.topic = settings.topic(Topic.REPORTS_SUBMITTED)
        self.acknowledged: list[int] = []
        self.sent = 0

    def send(self, key: str, timeout: float = 10.0) -> bool:
        n, self.sent = self.sent, self.sent + 1
        value = json.dumps({"by": self.source, "n": n}).encode()
        error = self.producer.send_batch([Outgoing(self.topic, key, value, [])], timeout)[0]
        if error is None:
            self.acknowledged.append(n)
        return error is None

    def on_topic(self, *, at_once: bool = False, until: set[int] | None = None) -> set[int]:
        """This sender's messages on the topic: what one poll finds (``at_once``), or
        all of them once ``until`` is among them (what it finds in 30 s if not)."""

        def mine(records: list[Any]) -> set[int]:
            values = [json.loads(r.value) for r in records]
            return {v["n"] for v in values if v["by"] == self.source}

        found: set[int] = set()

        def enough(records: list[Any]) -> bool:
            found.update(mine(records))
            return at_once or (until is not None and until <= found)

        with contextlib.suppress(AssertionError):  # read_topic's own deadline
            read_topic(self.settings.kafka_bootstrap, self.topic, enough, timeout=30)
        return found

    def expect_acknowledged(self) -> None:
        acknowledged = set(self.acknowledged)
        got = self.on_topic(until=acknowledged)
        assert acknowledged <= got, f"acknowledged but not on the topic: {acknowledged - got}"

    def close(self) -> None:
        self.producer.close()
        self.admin.close()


def network_threads(source: str) -> int:
    """How many clients of the producer for ``source`` still run their I/O thread."""
    name = f"newsroom-{source.rsplit('/', 1)[-1]}-network-thread"
    return sum(t.name == name and t.is_alive() for t in threading.enumerate())


def test_an_acknowledged_send_after_the_broker_restarts_empty_is_on_the_topic(
    own_broker: Infra,
) -> None:
    settings = own_broker.settings()
    taken: set[str] = set()
    first = key_on(0, settings.topic_partitions, taken)
    other = [key_on(1, settings.topic_partitions, taken) for _ in range(4)]
    source = f"/newsroom/wipe-{uuid.uuid4().hex[:8]}"
    sender = Sender(settings, source)
    try:
        assert sender.send(first)  # the client has a producer id and has written one partition
        own_broker.restart_broker()
        sender.acknowledged.clear()  # the broker lost them, and said nothing more

        # A partition this client never wrote: kafka-python took the broker's "unknown
        # producer id" for retention and retried without end, so this send timed out,
        # and the client it gave up on went on retrying it.
        sender.send(other[0])
        # The rebuilt client asks the empty broker for an id first, and is given the old
        # one back; its first batch goes to the other partition.
        assert sender.send(first)
        # Message 1 reaches the topic from the client left behind (which moves the
        # broker's sequence for that id past 0), unless no such client is left.
        wait_for(
            lambda: network_threads(source) <= 1 or 1 in sender.on_topic(at_once=True),
            timeout=30, what="message 1 on the topic, or no client left sending it",
        )  # fmt: skip
        # These were then answered "duplicate", which kafka-python counts as written.
        for key in other[1:]:
            assert sender.send(key)

        sender.expect_acknowledged()
    finally:
        sender.close()


def test_two_producers_of_one_topic_both_land_after_the_broker_restarts_empty(
    own_broker: Infra,
) -> None:
    """Two replicas of a service write one topic (verify's, in the fault tests)."""
    settings = own_broker.settings()
    one, two = Sender(settings, "/newsroom/one"), Sender(settings, "/newsroom/two")
    try:
        assert one.send("s_1")  # producer id 1
        assert two.send("s_1")  # producer id 2
        own_broker.restart_broker()
        one.acknowledged.clear()
        two.acknowledged.clear()

        two.send("s_1")  # unknown id: the client is rebuilt ...
        for _ in range(3):
            assert two.send("s_1")  # ... and given id 1 by the empty broker
        # One's old client still holds id 1, at a lower sequence than two's for the
        # partition: the broker answered "duplicate", which counted as written.
        for _ in range(2):
            one.send("s_1")

        two.expect_acknowledged()
        one.expect_acknowledged()
    finally:
        one.close()
        two.close()


def test_a_client_given_up_on_stops_sending(own_broker: Infra) -> None:
    settings = own_broker.settings()
    source = f"/newsroom/given-up-{uuid.uuid4().hex[:8]}"
    sender = Sender(settings, source)
    try:
        assert sender.send("s_1")
        assert network_threads(source) == 1
        own_broker.stop_broker()
        # The batch waits in the client for a broker that is not there; the send gives up.
        assert not sender.send("s_1", timeout=1.0)
        # Closing a client that still held a batch raised (its flush timed out) before it
        # stopped the client's thread, which went on resending for two minutes.
        assert network_threads(source) == 0
    finally:
        sender.close()
