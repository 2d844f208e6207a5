"""The consumer loop: at-least-once, commit after the work, poison to the DLQ.

- Auto-commit is off; offsets are committed only once each message's handler returned
  (or the message went to the DLQ), so a process killed mid-work gets it again.
- :class:`InvalidMessage` sends the message to ``<topic>.dlq`` with the reason in its
  headers, and the loop goes on with the next one.
- :class:`RetryableError` and an unreachable store rewind to the message and retry it
  with backoff, forever: nothing is skipped while a dependency is down.
- Any other exception is a bug or a bad message we did not foresee: retried a few times,
  then sent to the DLQ as ``processing_failed``, so one message cannot stall a partition.
- Shutdown is a flag the loop honours between messages (``stop()``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from prometheus_client import Counter, Gauge

from services.bus.admin import TopicAdmin, topic_names
from services.bus.backlog import Backlog
from services.bus.producer import EventProducer, Outgoing, trace_id_from
from services.bus.progress import Progress
from services.contracts import CloudEvent, Topic, dlq_of, parse_event
from services.errors import InvalidMessage, RetryableError
from services.log import bind_trace, get_logger
from services.settings import Settings
from services.store import is_store_unavailable

log = get_logger(__name__)

MESSAGES = Counter(
    "newsroom_messages_total", "Messages handled by consumer loops", ["topic", "outcome"]
)
OUTCOMES = ("ok", "retry", "dlq")
# What a consumer group holds, from its own counters (the embedded broker's end offsets
# are wrong, so lag is not read from it): records taken and not yet committed.
IN_FLIGHT = Gauge(
    "newsroom_consumer_in_flight", "Records a consumer group took and has not committed", ["group"]
)
MAX_UNEXPECTED_ATTEMPTS = 3
DLQ_MAX_VALUE = 512 * 1024


def event_context(event: CloudEvent) -> dict[str, str]:
    """What an event's log lines say of it: its id and type, and its trace if it has one.
    Work done for many events at once (a batch's one write) puts it on each event's line
    itself (``verify.stories.intake.store_new_stories``)."""
    context = {"event_id": event.id, "event_type": event.type}
    if event.traceid:
        context["trace_id"] = event.traceid
    return context


def bind_event(event: CloudEvent) -> None:
    structlog.contextvars.bind_contextvars(**event_context(event))


@dataclass(frozen=True)
class Received:
    topic: str  # logical topic name
    key: str | None
    partition: int
    offset: int


Handler = Callable[[CloudEvent, Received], None]


class ConsumerLoop:
    def __init__(
        self,
        *,
        settings: Settings,
        topics: list[Topic],
        group: str,
        handler: Handler,
        producer: EventProducer,
        admin: TopicAdmin,
        name: str | None = None,
    ) -> None:
        self._settings = settings
        self._topics = topics
        self._group = settings.topic(group)
        self._handler = handler
        self._producer = producer
        self._admin = admin
        self._physical = {settings.topic(t.value): t.value for t in topics}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._attempts: dict[tuple[str, int, int], int] = {}
        for topic in self._physical.values():  # zero series from the start: a DLQ rate
            for outcome in OUTCOMES:  # reads 0, not "no data", until the first one
                MESSAGES.labels(topic, outcome)
        IN_FLIGHT.labels(group)
        self.backlog = Backlog(group)
        self.name = name or f"consumer-{group}"
        self.progress = Progress()

    # -- lifecycle --------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def health(self) -> str | None:
        """Why this loop is not getting through its work, for readiness (None: it is)."""
        if self._thread is not None and not self._thread.is_alive() and not self._stop.is_set():
            return f"consumer {self.name} is not running"
        stalled = self.progress.stalled_for()
        if stalled > self._settings.readiness_stall_seconds:
            return f"consumer {self.name}: no progress on waiting messages for {stalled:.0f} s"
        return None

    def _consumer(self) -> KafkaConsumer:
        s = self._settings
        consumer = KafkaConsumer(
            bootstrap_servers=s.kafka_bootstrap,
            group_id=self._group,
            client_id=self.name,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=s.consumer_session_timeout_ms,
            heartbeat_interval_ms=s.consumer_heartbeat_ms,
            max_poll_interval_ms=s.consumer_max_poll_interval_ms,
            request_timeout_ms=s.consumer_session_timeout_ms + 5000,
            max_poll_records=s.consumer_max_poll_records,
            fetch_max_wait_ms=s.consumer_fetch_wait_ms,
            allow_auto_create_topics=False,
        )
        consumer.subscribe(list(self._physical), listener=self._listener())
        return consumer

    def _listener(self) -> ConsumerRebalanceListener | None:
        """What to do when partitions are taken away (the batch loop finishes its work)."""
        return None

    def _message_finished(self) -> None:
        """A message was handled or dead-lettered (the batch loop counts its progress at
        the commit instead: a round's receipts may still fail to go out)."""
        self.progress.advanced()

    def _drain(self, consumer: KafkaConsumer) -> None:
        """Work still under way when the loop stops (none here: one message at a time)."""

    def run(self) -> None:
        log.info("consumer_starting", group=self._group, topics=list(self._physical))
        consumer: KafkaConsumer | None = None
        backoff = self._settings.consumer_retry_backoff_seconds
        while not self._stop.is_set():
            try:
                if consumer is None:
                    self._admin.ensure(topic_names(self._settings, self._topics))
                    consumer = self._consumer()
                self._poll_once(consumer)
                backoff = self._settings.consumer_retry_backoff_seconds
            except KafkaError as exc:
                log.warning("consumer_broker_error", error=str(exc), group=self._group)
                self._close(consumer)
                consumer = None
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 30.0)
        if consumer is not None:
            try:
                self._drain(consumer)
            except Exception as exc:
                log.warning("consumer_drain_failed", error=str(exc))
        self._close(consumer)
        log.info("consumer_stopped", group=self._group)

    def _close(self, consumer: KafkaConsumer | None) -> None:
        if consumer is not None:
            try:
                consumer.close(autocommit=False)
            except Exception as exc:
                log.warning("consumer_close_failed", error=str(exc))

    # -- the work ---------------------------------------------------------------------
    def _poll_once(self, consumer: KafkaConsumer) -> None:
        batch = consumer.poll(timeout_ms=500)
        taken = [r for records in batch.values() for r in records]
        self.backlog.took(taken)
        self.backlog.count(consumer, held=len(taken))
        if not batch:
            self.progress.advanced()
            return
        done: dict[TopicPartition, OffsetAndMetadata] = {}
        rewind: TopicPartition | None = None
        for tp, records in batch.items():
            for record in records:
                if self._stop.is_set():
                    break
                outcome = self._process(record)
                if outcome == "retry":
                    consumer.seek(tp, record.offset)
                    rewind = tp
                    break
                done[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
        if done:
            consumer.commit(done)
        if rewind is not None:
            self._stop.wait(self._settings.consumer_retry_backoff_seconds)

    def received(self, record: ConsumerRecord) -> Received:
        topic: str = record.topic
        key = record.key.decode(errors="replace") if record.key else None
        return Received(self._physical.get(topic, topic), key, record.partition, record.offset)

    def _process(self, record: ConsumerRecord) -> str:
        def work() -> None:
            event = parse_event(record.value)
            bind_event(event)
            self._handler(event, self.received(record))

        return self._guarded(record, work)

    def _guarded(self, record: ConsumerRecord, work: Callable[[], None]) -> str:
        """Run ``work`` for ``record`` under the loop's rules: "ok", "dlq" or "retry"."""
        topic: str = record.topic
        logical = self._physical.get(topic, topic)
        where = (topic, record.partition, record.offset)
        structlog.contextvars.clear_contextvars()
        self.bind_record(record)
        try:
            work()
        except InvalidMessage as exc:
            return self.to_dlq(record, exc.reason, exc.detail)
        except RetryableError as exc:
            log.warning("message_retry", reason=str(exc))
            MESSAGES.labels(logical, "retry").inc()
            return "retry"
        except Exception as exc:
            if is_store_unavailable(exc):
                log.warning("message_retry", reason="store_unavailable", error=str(exc))
                MESSAGES.labels(logical, "retry").inc()
                return "retry"
            attempts = self._attempts.get(where, 0) + 1
            self._attempts[where] = attempts
            log.exception("message_failed", attempt=attempts)
            if attempts < MAX_UNEXPECTED_ATTEMPTS:
                MESSAGES.labels(logical, "retry").inc()
                return "retry"
            self._attempts.pop(where, None)
            return self.to_dlq(record, "processing_failed", f"{type(exc).__name__}: {exc}")
        finally:
            structlog.contextvars.clear_contextvars()
        self._attempts.pop(where, None)
        MESSAGES.labels(logical, "ok").inc()
        self._message_finished()
        return "ok"

    def bind_record(self, record: ConsumerRecord) -> None:
        """Bind what every log line of ``record``'s work says: where it came from (logical
        topic, partition, offset) and its trace (its ``traceparent``, else a new one)."""
        bind_trace(trace_id_from(record.headers))
        structlog.contextvars.bind_contextvars(**self.where(record))

    def where(self, record: ConsumerRecord) -> dict[str, str | int]:
        topic: str = record.topic
        return {
            "topic": self._physical.get(topic, topic),
            "partition": record.partition,
            "offset": record.offset,
        }

    def to_dlq(self, record: ConsumerRecord, reason: str, detail: str) -> str:
        """Send ``record`` to its topic's DLQ. Its log lines name the message themselves
        (topic, partition, offset, the trace of its ``traceparent``): the batch loop sends
        a message it could not decode here with no message bound to the context."""
        topic: str = record.topic
        value: bytes = record.value or b""
        headers = [(k, v) for k, v in (record.headers or []) if v is not None]
        truncated = len(value) > DLQ_MAX_VALUE
        headers += [
            ("dlq.reason", reason.encode()),
            ("dlq.detail", detail[:2000].encode()),
            ("dlq.topic", topic.encode()),
            ("dlq.partition", str(record.partition).encode()),
            ("dlq.offset", str(record.offset).encode()),
            ("dlq.group", self._group.encode()),
            ("dlq.at", datetime.now(UTC).isoformat().encode()),
        ]
        if truncated:
            headers.append(("dlq.truncated", str(len(value)).encode()))
        key = record.key.decode(errors="replace") if record.key else ""
        out = Outgoing(dlq_of(topic), key, value[:DLQ_MAX_VALUE], headers)
        where: dict[str, str | int] = self.where(record)
        trace = trace_id_from(record.headers)
        if trace:
            where["trace_id"] = trace
        if not self._producer.send_all([out])[0]:
            log.warning("dlq_send_failed", reason=reason, **where)
            return "retry"
        log.warning("message_dead_lettered", reason=reason, detail=detail[:300], **where)
        MESSAGES.labels(self._physical.get(topic, topic), "dlq").inc()
        self._message_finished()
        return "dlq"
