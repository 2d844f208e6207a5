"""Reading topics directly in tests: no consumer group, every partition from the start."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.partitioner.default import murmur2


def read_topic(
    bootstrap: str,
    topic: str,
    until: Callable[[list[Any]], bool],
    timeout: float = 20.0,
) -> list[Any]:
    """Records of ``topic`` (all partitions, from offset 0) once ``until(records)`` holds."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, allow_auto_create_topics=False
    )
    try:
        deadline = time.monotonic() + timeout
        partitions: set[int] | None = None
        while not partitions and time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                time.sleep(0.2)
        if not partitions:
            raise AssertionError(f"topic {topic} does not exist")
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        records: list[Any] = []
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=300).values():
                records.extend(batch)
            if until(records):
                return records
        raise AssertionError(
            f"{topic}: condition not met in {timeout}s; got {len(records)} records"
        )
    finally:
        consumer.close()


def raw_produce(
    bootstrap: str,
    topic: str,
    values: list[bytes],
    key: bytes = b"k",
    headers: list[tuple[str, bytes]] | None = None,
) -> None:
    """Produce raw bytes (poison included) the way a broken client would, each with
    ``headers`` (a ``traceparent``, say)."""
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        max_request_size=4 * 1024 * 1024,
        allow_auto_create_topics=False,
    )
    try:
        for value in values:
            producer.send(topic, key=key, value=value, headers=headers).get(timeout=10)
    finally:
        producer.close()


def header(record: Any, name: str) -> str | None:
    for key, value in record.headers or []:
        if key == name:
            return str(value.decode())
    return None


def partition_of(key: str, partitions: int) -> int:
    """The partition kafka-python's default partitioner (murmur2 of the key) gives ``key``."""
    return (murmur2(key.encode()) & 0x7FFFFFFF) % partitions


def story_behind(story_id: str, partitions: int) -> str:
    """A new story id whose events share ``story_id``'s partition, so a consumer handles
    them after every event of ``story_id`` sent before (a partition is consumed in order):
    a marker that proves everything sent before it was handled. A marker with any other
    key may sit on another partition, read before or after: it proves nothing."""
    while True:
        candidate = f"s_{uuid.uuid4().hex[:12]}"
        if partition_of(candidate, partitions) == partition_of(story_id, partitions):
            return candidate
