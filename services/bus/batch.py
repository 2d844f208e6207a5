"""The consumer loop, a poll batch at a time: CPU work for a batch runs while the loop
goes on polling, the writes of each batch follow in order, its messages go out with one
flush, and its offsets are committed last.

A strategy in the manner of Arroyo's ``RunTaskWithMultiprocessing``:

1. poll a batch and decode it; hand the decoded events to ``strategy.prepare``, which
   starts the CPU-bound part (in a process pool) and returns at once;
2. when the oldest batch's preparation is done, ``strategy.handle`` each message of it in
   offset order (store writes, under the rules of :class:`ConsumerLoop`: DLQ, retry),
   collecting the messages to send; send them all, wait for the acknowledgements once;
3. commit the batch's offsets.

Back-pressure: with ``max_in_flight`` batches prepared or being prepared, the loop pauses
its partitions and keeps polling (so it stays in its group) until one is finished, instead
of taking more records into memory. Partitions taken away in a rebalance get their work
finished and committed first. A crash at any point leaves the offsets at the last finished
batch: the messages after it come again, and ``handle`` must be idempotent.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from services.bus.consumer import ConsumerLoop, bind_event
from services.bus.producer import Outgoing
from services.contracts import CloudEvent, parse_event
from services.errors import InvalidMessage, RetryableError
from services.log import get_logger

log = get_logger(__name__)


class Prepared(Protocol):
    """A batch's CPU-bound work under way: one value (or exception) per event, in order."""

    def done(self) -> bool: ...
    def wait(self, timeout: float) -> bool: ...
    def result(self) -> Sequence[Any]: ...


class BatchStrategy(Protocol):
    def prepare(self, events: list[CloudEvent]) -> Prepared:
        """Start the CPU-bound part of these events' work; return without waiting."""
        ...

    def write(self, events: list[CloudEvent], prepared: list[Any]) -> list[Any]:
        """Store what can be stored for many events at once (bounded transactions); the
        prepared values again, with what is stored marked for ``handle`` (which then
        only answers). A failure here leaves every event to ``handle``."""
        ...

    def handle(self, event: CloudEvent, prepared: Any) -> list[Outgoing]:
        """Store one event's outcome (idempotent); the messages to send for it.

        ``prepared`` is what preparation gave for it: raise it when it is an exception."""
        ...

    def finished(self) -> None:
        """A batch was handled, its messages sent and its offsets committed."""
        ...

    def close(self) -> None: ...


@dataclass
class _Batch:
    records: list[ConsumerRecord]
    events: list[CloudEvent | InvalidMessage]
    prepared: Prepared


class BatchConsumerLoop(ConsumerLoop):
    def __init__(self, *, strategy: BatchStrategy, max_in_flight: int, **kwargs: Any) -> None:
        super().__init__(handler=_no_handler, **kwargs)
        self._strategy = strategy
        self._max_in_flight = max_in_flight
        self._in_flight: deque[_Batch] = deque()
        self._revoke = _FinishOnRevoke(self)
        self._polled_at = time.monotonic()
        self._finishing = False
        self._draining = False  # no poll from inside a rebalance callback, or when leaving
        # Poll (paused) while finishing a batch this long: the group drops a member that
        # does not poll within max_poll_interval_ms, and a batch's writes may be slow.
        self._keep_alive_seconds = self._settings.consumer_max_poll_interval_ms / 1000 / 4

    def stop(self, timeout: float = 15.0) -> None:
        super().stop(timeout)
        self._strategy.close()

    # -- polling ----------------------------------------------------------------------
    def _poll_once(self, consumer: KafkaConsumer) -> None:
        self._finish_ready(consumer)
        if len(self._in_flight) >= self._max_in_flight:
            consumer.pause(*consumer.assignment())
        elif consumer.paused():
            consumer.resume(*consumer.paused())
        batch = consumer.poll(timeout_ms=0 if self._in_flight else 500)
        self._polled_at = time.monotonic()
        records = [r for _, rs in sorted(batch.items()) for r in rs]
        if records:
            self._in_flight.append(self._start(records))
        elif self._in_flight:
            self._in_flight[0].prepared.wait(0.05)

    def _start(self, records: list[ConsumerRecord]) -> _Batch:
        events: list[CloudEvent | InvalidMessage] = []
        for record in records:
            try:
                events.append(parse_event(record.value))
            except InvalidMessage as exc:
                events.append(exc)
        good = [e for e in events if isinstance(e, CloudEvent)]
        return _Batch(records, events, self._strategy.prepare(good))

    def _finish_ready(self, consumer: KafkaConsumer) -> None:
        while self._in_flight and self._in_flight[0].prepared.done():
            if not self._finish(consumer, self._in_flight.popleft()):
                self._rewind(consumer)
                return

    # -- finishing a batch --------------------------------------------------------------
    def _finish(self, consumer: KafkaConsumer, batch: _Batch) -> bool:
        """Handle, send, commit; False when the batch must be read again from the first
        message not done (whose partition is then sought back to it)."""
        try:
            prepared = list(batch.prepared.result())
        except Exception as exc:  # the pool broke: prepare the batch again
            log.warning("batch_prepare_failed", error=str(exc))
            self._seek_to(consumer, batch.records)
            return False
        good = [e for e in batch.events if isinstance(e, CloudEvent)]
        try:
            prepared = self._strategy.write(good, prepared)
        except Exception as exc:  # each event alone, under the loop's rules
            log.warning("batch_write_failed", error=str(exc)[:300])
        values = iter(prepared)
        outgoing: list[Outgoing] = []
        done: list[ConsumerRecord] = []
        self._finishing = True
        try:
            for record, event in zip(batch.records, batch.events, strict=True):
                self._keep_alive(consumer)
                if isinstance(event, InvalidMessage):
                    outcome = self.to_dlq(record, event.reason, event.detail)
                else:
                    outcome = self._guarded(record, self._work(event, next(values), outgoing))
                if outcome == "retry":
                    break
                done.append(record)
        finally:
            self._finishing = False
        if outgoing and not all(self._producer.send_all(outgoing)):
            log.warning("batch_send_failed", messages=len(outgoing))
            self._seek_to(consumer, batch.records)
            return False
        self._commit(consumer, done)
        self._strategy.finished()
        rest = batch.records[len(done) :]
        if rest:
            self._seek_to(consumer, rest)
            return False
        return True

    def _keep_alive(self, consumer: KafkaConsumer) -> None:
        """Poll with every partition paused (no records come) to stay in the group."""
        if self._draining or time.monotonic() - self._polled_at < self._keep_alive_seconds:
            return
        consumer.pause(*consumer.assignment())
        consumer.poll(timeout_ms=0)
        self._polled_at = time.monotonic()

    def _work(self, event: CloudEvent, prepared: Any, outgoing: list[Outgoing]) -> Any:
        def work() -> None:
            bind_event(event)
            outgoing.extend(self._strategy.handle(event, prepared))

        return work

    def _commit(self, consumer: KafkaConsumer, records: list[ConsumerRecord]) -> None:
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            offsets[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
        if offsets:
            consumer.commit(offsets)

    def _seek_to(self, consumer: KafkaConsumer, records: list[ConsumerRecord]) -> None:
        """Read again from the first of ``records`` in each of their partitions."""
        first: dict[TopicPartition, int] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            first[tp] = min(first.get(tp, record.offset), record.offset)
        assigned = consumer.assignment()
        for tp, offset in first.items():
            if tp in assigned:
                consumer.seek(tp, offset)

    def _rewind(self, consumer: KafkaConsumer) -> None:
        """After a batch that must be read again: drop the batches behind it (their
        partitions go back to their first record) and back off."""
        later = [r for b in self._in_flight for r in b.records]
        self._in_flight.clear()
        ahead = {(tp.topic, tp.partition) for tp in consumer.assignment()}
        self._seek_to(consumer, [r for r in later if (r.topic, r.partition) in ahead])
        self._stop.wait(self._settings.consumer_retry_backoff_seconds)

    def _drain(self, consumer: KafkaConsumer) -> None:
        """Finish what was prepared before the consumer goes (shutdown or rebalance)."""
        self._draining = True
        try:
            while self._in_flight:
                head = self._in_flight[0]
                if not head.prepared.wait(10.0):
                    log.warning("batch_abandoned", messages=len(head.records))
                    break
                self._in_flight.popleft()
                if not self._finish(consumer, head):
                    break
        finally:
            self._in_flight.clear()
            self._draining = False

    def _consumer(self) -> KafkaConsumer:
        consumer = super()._consumer()
        self._revoke.consumer = consumer
        return consumer

    def _listener(self) -> ConsumerRebalanceListener:
        return self._revoke


class _FinishOnRevoke(ConsumerRebalanceListener):
    """Partitions about to go to another member: finish and commit their work first, so
    the other member does not do it again."""

    def __init__(self, loop: BatchConsumerLoop) -> None:
        self._loop = loop
        self.consumer: KafkaConsumer | None = None

    def on_partitions_revoked(self, revoked: Any) -> None:
        # While a batch is being finished (a keep-alive poll rebalanced), that batch's
        # commit fails and its records come again: duplicates, answered as such.
        if self._loop._in_flight and self.consumer is not None and not self._loop._finishing:
            self._loop._drain(self.consumer)

    def on_partitions_assigned(self, assigned: Any) -> None:
        pass


def _no_handler(event: CloudEvent, received: Any) -> None:
    raise RetryableError("the batch loop handles messages through its strategy")
