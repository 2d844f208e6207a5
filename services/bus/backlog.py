"""A consumer group's backlog, from the member's own counters.

The embedded broker's answer for a partition's end offset is wrong (ListOffsets gave 101
after 137 records), so lag is never read from it. The high watermark that comes back
with every fetch is right (137 for the same log). So, per assigned partition: the last
fetch's high watermark minus the offset after the last record this member took, plus the
records it took and has not committed. Each member reports the partitions it has; a
group's backlog is the sum over its members (``sum by (group)``). A partition this
member has taken nothing from since it was assigned counts 0 until it does.
"""

from __future__ import annotations

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from prometheus_client import Gauge

BACKLOG = Gauge(
    "newsroom_consumer_backlog",
    "Records on this member's partitions not yet committed: the fetches' high watermark "
    "minus the member's own position, plus records taken and not committed",
    ["group"],
)


class Backlog:
    """What one consumer loop has taken, per partition; sets its group's gauge."""

    def __init__(self, group: str) -> None:
        self._group = group
        self._next: dict[TopicPartition, int] = {}  # the offset after the last record taken
        BACKLOG.labels(group)

    def took(self, records: list[ConsumerRecord]) -> None:
        for record in records:  # in offset order per partition; a re-read moves it back
            self._next[TopicPartition(record.topic, record.partition)] = record.offset + 1

    def ahead(self, consumer: KafkaConsumer) -> int:
        """Records on the assigned partitions past what this member took."""
        assigned = consumer.assignment()
        for tp in [tp for tp in self._next if tp not in assigned]:
            del self._next[tp]  # gone to another member: its progress is not ours
        total = 0
        for tp, position in self._next.items():
            high = consumer.highwater(tp)
            if high is not None:
                total += max(0, high - position)
        return total

    def count(self, consumer: KafkaConsumer, held: int) -> None:
        """Set the gauge: what lies ahead plus the ``held`` records not committed yet."""
        try:
            ahead = self.ahead(consumer)
        except KafkaError:
            return  # a rebalance under way: the next poll counts again
        BACKLOG.labels(self._group).set(ahead + held)
