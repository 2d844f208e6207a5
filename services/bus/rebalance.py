"""A batch loop's rebalances: noted on kafka-python's IO thread, settled on the loop's.

kafka-python 3 calls a rebalance listener on its IO thread, where no consumer call may
block: finishing and committing the work there raised ``RuntimeError`` ("Cannot block on
net.run() from the IO thread"), which came back out of ``poll`` and set two replicas of a
group rebalancing over and over. So the listener only notes the partitions, and the
loop's own thread settles the rebalance (:meth:`Rebalances.settle`) before its next round
and commit.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import Any, Protocol, TypeVar

from kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition

from services.log import get_logger

log = get_logger(__name__)


class OnPartition(Protocol):
    """Work under way, on the partition its record came from."""

    @property
    def partition(self) -> TopicPartition: ...


Work = TypeVar("Work", bound=OnPartition)


class Rebalances(ConsumerRebalanceListener):
    """Partitions taken away and the new assignment, as the listener heard of them, and
    which partitions had work forgotten."""

    def __init__(self, group: str) -> None:
        self._group = group
        self._lock = threading.Lock()
        self._revoked: set[TopicPartition] = set()
        self._assigned: set[TopicPartition] | None = None
        self._forgotten: set[TopicPartition] = set()

    def on_partitions_revoked(self, revoked: Any) -> None:
        with self._lock:
            self._revoked.update(revoked)

    def on_partitions_assigned(self, assigned: Any) -> None:
        with self._lock:
            self._assigned = (self._assigned or set()) | set(assigned)

    def reset(self) -> None:
        """The consumer left its group (closed): nothing noted still holds."""
        self._forgotten.clear()
        with self._lock:
            self._revoked, self._assigned = set(), None

    def settle(self, consumer: KafkaConsumer, items: deque[Work]) -> deque[Work]:
        """The work kept: the work of partitions taken away is forgotten, and their
        uncommitted records come again to their next owner (what was stored already is
        answered there as a duplicate). kafka-python 3 keeps the fetch position of a
        partition given straight back, so a partition that comes back to this loop with
        forgotten work starts again where its next owner would: at its committed offset,
        or at the beginning when the group has none. Not at the forgotten offset itself:
        after the broker was wiped, the partition's new log starts at 0, and Tansu answers
        a fetch beyond its end with no records (no OffsetOutOfRange to reset from), so the
        loop waited, while re-sent reports piled up below that offset (the kill test:
        reports lost for minutes)."""
        with self._lock:
            gone, assigned = self._revoked, self._assigned
            self._revoked, self._assigned = set(), None
        if gone:
            before = len(items)
            for item in items:
                if item.partition in gone:
                    self._forgotten.add(item.partition)
            items = deque(i for i in items if i.partition not in gone)
            log.info("consumer_partitions_revoked", group=self._group,
                     partitions=len(gone), forgotten=before - len(items))  # fmt: skip
        if assigned is None:
            return items
        for tp in self._forgotten & assigned:
            items = deque(i for i in items if i.partition != tp)
            committed = consumer.committed(tp, timeout_ms=10_000)
            if committed is None:
                consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
        self._forgotten.clear()
        return items
