"""The consumer loop, a poll batch at a time: CPU work runs in a pool while the loop goes
on polling, the writes follow in key order, the messages of a round go out with one
flush, and offsets are committed last.

A strategy in the manner of Arroyo's ``RunTaskWithMultiprocessing``:

1. poll a batch and decode it; ``strategy.prepare`` starts the CPU-bound part of each
   event (in a process pool) and returns a future per event at once;
2. each round, the events whose preparation is done and that no earlier unfinished event
   of the same key (story) is waiting for are written: first together where the
   strategy can (``strategy.write``, bounded transactions), then one by one
   (``strategy.handle``) under the rules of :class:`ConsumerLoop` (DLQ, retry); a
   round takes about ``ROUND_SECONDS`` of work at the recent pace, so its receipts and
   commit are not held back by a whole backlog;
3. the round's messages are sent with one wait for the acknowledgements; then each
   partition's offset is committed up to its first unfinished event.

So a slow event (a story at the size limit) holds back only the later events of its own
key: the others go on, and only the commit waits for it. An event whose writes are long
(``strategy.heavy``: a story with many claims) is written in the *large lane*, one thread
beside the rounds, one such event at a time: the rounds go on writing and answering the
other keys meanwhile, and the event is answered (its messages sent, its offset committed)
in the first round after its lane work ends. The lane takes an event only once every
earlier event of its key is done, and holds the later ones back until it is.

Back-pressure: with ``max_in_flight`` events under way the loop pauses its partitions and
keeps polling (so it stays in its group) instead of taking more into memory. The work
of partitions taken away in a rebalance is forgotten: it comes again to their next owner
(services/bus/rebalance.py). A crash at any
point leaves the offsets at or before the first unfinished event: what comes again is
handled again, and ``handle`` must be idempotent.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

import structlog
from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from services.bus.consumer import IN_FLIGHT, ConsumerLoop, bind_event
from services.bus.producer import Outgoing
from services.bus.rebalance import Rebalances
from services.contracts import CloudEvent, parse_event
from services.errors import InvalidMessage, RetryableError
from services.log import get_logger

log = get_logger(__name__)


class BatchStrategy(Protocol):
    def prepare(self, events: list[CloudEvent]) -> list[Future[Any]]:
        """Start the CPU-bound part of each event's work; a future each, without waiting."""
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

    def heavy(self, event: CloudEvent, prepared: Any) -> bool:
        """True: ``handle`` of this event is long; it runs in the large lane, where it
        holds back no other key's events."""
        ...

    def finished(self) -> None:
        """A round was handled, its messages sent and its offsets committed."""
        ...

    def close(self) -> None: ...


@dataclass
class _Item:
    record: ConsumerRecord
    event: CloudEvent | InvalidMessage
    prepared: Future[Any]
    done: bool = False
    lane: Future[list[Outgoing]] | None = None  # its handling in the large lane

    @property
    def partition(self) -> TopicPartition:
        return TopicPartition(self.record.topic, self.record.partition)

    @property
    def key(self) -> tuple[str, int, bytes | None]:
        return (self.record.topic, self.record.partition, self.record.key)


def _failed(exc: Exception) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_exception(exc)
    return future


def _ready(value: Any) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(value)
    return future


# A round's target length, and its least number of items (see ``_round_size``).
ROUND_SECONDS = 2.0
MIN_ROUND = 8
# With work under way, the longest a poll waits for records before the loop looks for
# ended work again (see ``_poll_wait_ms``): an ordinary story's detection takes 2-4 ms.
POLL_SLICE_MS = 5


class BatchConsumerLoop(ConsumerLoop):
    def __init__(self, *, strategy: BatchStrategy, max_in_flight: int, **kwargs: Any) -> None:
        super().__init__(handler=_no_handler, **kwargs)
        self._strategy = strategy
        self._logical_group = str(kwargs["group"])
        self._max_in_flight = max_in_flight
        self._items: deque[_Item] = deque()
        self._rebalances = Rebalances(self._logical_group)
        self._polled_at = time.monotonic()
        self._draining = False  # no keep-alive poll while leaving
        # Poll (paused) while handling a round this long: the group drops a member that
        # does not poll within max_poll_interval_ms, and a round's writes may be slow.
        self._keep_alive_seconds = self._settings.consumer_max_poll_interval_ms / 1000 / 4
        self._per_item = 0.0  # seconds a round spent per item, recently (0: not known yet)
        # The large lane: one thread, one heavy event at a time (its back-pressure: the
        # next heavy event waits, and the loop pauses once max_in_flight events wait).
        self._lane = ThreadPoolExecutor(1, thread_name_prefix=f"{kwargs.get('name')}-large")
        self._lane_work: Future[list[Outgoing]] | None = None
        # Set when a preparation or lane work ends; cleared as a round begins, so work that
        # ends after a round looked (while the loop polls) wakes the loop at once.
        self._work_ended = threading.Event()

    def _message_finished(self) -> None:
        """Progress is counted when a round commits (``_round``), not per message."""

    def stop(self, timeout: float = 15.0) -> None:
        self._work_ended.set()  # out of its wait; the loop then sees the stop flag
        super().stop(timeout)
        # A lane write cut short is a crash: its offset was not committed, it comes again.
        self._lane.shutdown(wait=False, cancel_futures=True)
        self._strategy.close()

    # -- polling ----------------------------------------------------------------------
    def _poll_once(self, consumer: KafkaConsumer) -> None:
        self._settle_rebalance(consumer)
        self._round(consumer)
        waiting = sum(1 for item in self._items if not item.done)
        full = waiting >= self._max_in_flight
        if full:
            consumer.pause(*consumer.assignment())
        elif consumer.paused():
            consumer.resume(*consumer.paused())
        IN_FLIGHT.labels(self._logical_group).set(len(self._items))
        batch = consumer.poll(timeout_ms=self._poll_wait_ms(waiting, full))
        self._polled_at = time.monotonic()
        self._settle_rebalance(consumer)
        records = [r for _, rs in sorted(batch.items()) for r in rs]
        self.backlog.took(records)
        if records:
            self._start(records)
            self.backlog.count(consumer, held=len(self._items))
            return
        self.backlog.count(consumer, held=len(self._items))
        if not waiting:  # idle: nothing under way, nothing came (readiness)
            self.progress.advanced()
        elif full:  # no records can come: wait for the work under way
            self._wait_for_work(0.05)

    def _poll_wait_ms(self, waiting: int, full: bool) -> int:
        """How long this poll may wait for records. Idle: long. With work under way the
        loop waits for two things, records and the work's end, and the broker's client
        can wait for records only: so it polls in short slices, and checks for ended
        work between them. It used to poll without waiting and then wait 50 ms for the
        work alone; a record that came meanwhile waited out that wait, and often the
        next one too, as its fetch's answer came in the middle of one (ordinary stories
        up to 110 ms late while a large story was written, in its fault test)."""
        if not waiting:
            return 500
        if full or self._work_ended.is_set():
            return 0
        return POLL_SLICE_MS

    def _wait_for_work(self, seconds: float) -> None:
        """Wait until a preparation or lane work ends (or ``seconds``), unless one ended
        since the last round began. Not a wait on the futures still pending: one that
        ended while the loop polled is pending no more, and the loop slept out the whole
        wait with that event ready."""
        self._work_ended.wait(seconds)

    def _ended(self, _: Future[Any]) -> None:
        self._work_ended.set()

    def _start(self, records: list[ConsumerRecord]) -> None:
        events: list[CloudEvent | InvalidMessage] = []
        for record in records:
            try:
                events.append(parse_event(record.value))
            except InvalidMessage as exc:
                events.append(exc)
        good = [e for e in events if isinstance(e, CloudEvent)]
        try:
            futures = iter(self._strategy.prepare(good))
        except Exception as exc:  # each event then meets it in turn, under the loop's rules
            log.warning("batch_prepare_failed", error=str(exc)[:300])
            futures = iter([_failed(exc) for _ in good])
        for record, event in zip(records, events, strict=True):
            prepared = next(futures) if isinstance(event, CloudEvent) else _ready(None)
            prepared.add_done_callback(self._ended)
            self._items.append(_Item(record, event, prepared))

    # -- a round ----------------------------------------------------------------------
    def _eligible(self) -> list[_Item]:
        """The items ready to handle: prepared, and no earlier unfinished item of the same
        key waiting (a story's revisions are handled in offset order)."""
        blocked: set[tuple[str, int, bytes | None]] = set()
        out: list[_Item] = []
        for item in self._items:
            if item.done:
                continue
            if item.key in blocked:
                continue
            if item.lane is not None:  # answered once its lane work is done
                blocked.add(item.key)
                if item.lane.done():
                    out.append(item)
                continue
            if not item.prepared.done():
                blocked.add(item.key)
                continue
            out.append(item)
        return out

    def _to_lane(self, eligible: list[_Item], values: list[Any]) -> list[tuple[_Item, Any]]:
        """The items this round handles, with their prepared values: a heavy one goes to
        the large lane when it is free (else it waits for a later round), and the later
        items of its key wait with it."""
        held: set[tuple[str, int, bytes | None]] = set()
        out: list[tuple[_Item, Any]] = []
        for item, value in zip(eligible, values, strict=True):
            if item.key in held:
                continue
            if item.lane is None and self._is_heavy(item, value):
                held.add(item.key)
                if self._lane_work is None or self._lane_work.done():
                    item.lane = self._lane_work = self._lane.submit(self._in_lane, item, value)
                    item.lane.add_done_callback(self._ended)
                continue
            out.append((item, value))
        return out

    def _is_heavy(self, item: _Item, value: Any) -> bool:
        if not isinstance(item.event, CloudEvent) or isinstance(value, BaseException):
            return False
        try:
            return bool(self._strategy.heavy(item.event, value))
        except Exception:  # then handled in the round, under the loop's rules
            return False

    def _in_lane(self, item: _Item, value: Any) -> list[Outgoing]:
        assert isinstance(item.event, CloudEvent)
        structlog.contextvars.clear_contextvars()
        self.bind_record(item.record)
        bind_event(item.event)
        started = time.monotonic()
        try:
            return self._strategy.handle(item.event, value)
        finally:
            log.info("large_lane_handled", seconds=round(time.monotonic() - started, 3))
            structlog.contextvars.clear_contextvars()

    def _round_size(self) -> int:
        """How many items a round takes: about ``ROUND_SECONDS`` of work at the recent pace,
        at least ``MIN_ROUND`` (writes of new stories are grouped per round). A round's
        receipts go out and its offsets are committed only at its end: a round of a whole
        backlog on a slow store took longer than ingest's re-send interval, and every
        report came again."""
        if self._per_item <= 0:
            return MIN_ROUND
        return max(MIN_ROUND, int(ROUND_SECONDS / self._per_item))

    def _paced(self, started: float, items: int) -> None:
        if items:
            per = (time.monotonic() - started) / items
            self._per_item = per if self._per_item <= 0 else 0.7 * self._per_item + 0.3 * per

    def _round(self, consumer: KafkaConsumer) -> None:
        self._work_ended.clear()  # before looking: what ends from here on wakes the wait
        ready = self._eligible()
        if not ready:
            return
        started = time.monotonic()
        values: list[Any] = []
        for item in ready:
            try:
                values.append(item.prepared.result())
            except Exception as exc:  # the pool broke: the strategy raises it in handle
                values.append(exc)
        # The round's size counts what it can handle: heavy events waiting for the lane
        # are left out first, so they neither fill a round nor hold back the others.
        kept = self._to_lane(ready, values)
        size = self._round_size()
        if len(kept) > size:
            kept = kept[:size]
            self._work_ended.set()  # the next round goes without waiting
        eligible = [i for i, _ in kept]
        if not eligible:
            return
        good = [(i, v) for i, v in kept
                if isinstance(i.event, CloudEvent) and i.lane is None]  # fmt: skip
        written = {id(i): v for i, v in good}
        try:
            events = [i.event for i, _ in good if isinstance(i.event, CloudEvent)]
            stored = self._strategy.write(events, [v for _, v in good])
            written = {id(i): v for (i, _), v in zip(good, stored, strict=True)}
        except Exception as exc:  # each event alone, under the loop's rules
            log.warning("batch_write_failed", error=str(exc)[:300])
        outgoing: list[Outgoing] = []
        handled: list[_Item] = []
        retry: set[tuple[str, int, bytes | None]] = set()
        for item in eligible:
            if item.key in retry:
                continue
            self._keep_alive(consumer)
            self.backlog.count(consumer, held=len(self._items) - len(handled))
            if isinstance(item.event, InvalidMessage):
                outcome = self.to_dlq(item.record, item.event.reason, item.event.detail)
            elif item.lane is not None:  # its messages, or its failure under the rules
                outcome = self._guarded(item.record, self._answer(item.lane, outgoing))
            else:
                work = self._work(item.event, written[id(item)], outgoing)
                outcome = self._guarded(item.record, work)
            if outcome == "retry":
                retry.add(item.key)
                break  # the rest of the round waits for the backoff, too
            handled.append(item)
        if outgoing and not all(self._producer.send_all(outgoing)):
            log.warning("batch_send_failed", messages=len(outgoing))
            self._rewind(consumer)
            return
        for item in handled:
            item.done = True
        self._paced(started, len(handled))
        self._commit(consumer)
        if handled:  # readiness: messages finished, their receipts out, offsets committed
            self.progress.advanced()
        self._strategy.finished()
        if retry:
            self._rewind(consumer)

    @staticmethod
    def _answer(lane: Future[list[Outgoing]], outgoing: list[Outgoing]) -> Any:
        def work() -> None:
            outgoing.extend(lane.result())

        return work

    def _work(self, event: CloudEvent, prepared: Any, outgoing: list[Outgoing]) -> Any:
        def work() -> None:
            bind_event(event)
            outgoing.extend(self._strategy.handle(event, prepared))

        return work

    def _keep_alive(self, consumer: KafkaConsumer) -> None:
        """Poll with every partition paused (no records come) to stay in the group."""
        if self._draining or time.monotonic() - self._polled_at < self._keep_alive_seconds:
            return
        consumer.pause(*consumer.assignment())
        consumer.poll(timeout_ms=0)
        self._polled_at = time.monotonic()

    def _commit(self, consumer: KafkaConsumer) -> None:
        """Commit each partition up to its first unfinished item; forget what is below.
        A partition taken away meanwhile is not ours to commit: its work is forgotten."""
        self._settle_rebalance(consumer)
        first_open: dict[TopicPartition, int] = {}
        last_done: dict[TopicPartition, int] = {}
        for item in self._items:
            tp = item.partition
            if not item.done:
                first_open.setdefault(tp, item.record.offset)
            elif tp not in first_open:
                last_done[tp] = item.record.offset
        offsets = {tp: OffsetAndMetadata(o + 1, "", -1) for tp, o in last_done.items()}
        if offsets:
            consumer.commit(offsets)
        self._items = deque(
            i for i in self._items
            if not i.done or i.record.offset > first_open.get(i.partition, i.record.offset)
        )  # fmt: skip

    def _rewind(self, consumer: KafkaConsumer) -> None:
        """Read again from each partition's first unfinished item (what was done after it
        comes again, as duplicates); drop everything under way, and back off."""
        first: dict[TopicPartition, int] = {}
        for item in self._items:
            if not item.done:
                first.setdefault(item.partition, item.record.offset)
        self._items.clear()
        assigned = consumer.assignment()
        for tp, offset in first.items():
            if tp in assigned:
                consumer.seek(tp, offset)
        self._stop.wait(self._settings.consumer_retry_backoff_seconds)

    def _drain(self, consumer: KafkaConsumer) -> None:
        """Finish what is under way before the consumer goes (the loop stops)."""
        self._draining = True
        try:
            deadline = time.monotonic() + 10.0
            while any(not i.done for i in self._items) and time.monotonic() < deadline:
                before = sum(1 for i in self._items if i.done)
                self._round(consumer)
                if sum(1 for i in self._items if i.done) == before:
                    self._wait_for_work(0.2)
        finally:
            self._items.clear()
            self._draining = False

    def _close(self, consumer: KafkaConsumer | None) -> None:
        """A consumer closed after a broker error leaves the group: what it had under way
        comes again from the committed offsets, to this loop's next consumer or another."""
        super()._close(consumer)
        self._items.clear()
        self._rebalances.reset()

    def _listener(self) -> ConsumerRebalanceListener:
        return self._rebalances

    def _settle_rebalance(self, consumer: KafkaConsumer) -> None:
        """Settle on this thread what the listener noted (``Rebalances.settle``)."""
        self._items = self._rebalances.settle(consumer, self._items)


def _no_handler(event: CloudEvent, received: Any) -> None:
    raise RetryableError("the batch loop handles messages through its strategy")
