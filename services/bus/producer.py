"""Producing events and waiting for the broker's acknowledgement.

An acknowledgement is what the outboxes mark a row sent on, so it must mean the broker
wrote the message. kafka-python 3 turns on its idempotent producer by default, and with
the embedded broker (Tansu 0.6.0, memory storage) that broke after a restart, which
forgets every producer id and hands them out again from 1 (`init_producer`: the last id
plus one). Seen on 2026-12-04 (tests/foundation/test_producer_wipe.py):

- A batch from a client whose id the broker no longer knows is answered
  UnknownProducerId with ``log_start_offset`` 0. For a partition the client had no
  acknowledgement on, kafka-python reads that as the broker's retention having dropped
  its state (KAFKA-5793), resets the sequence and retries, without limit until
  ``delivery_timeout_ms`` (two minutes): the send timed out after 10 s.
- Closing that client raised from its flush before it stopped its thread (see
  :func:`discard`), so it went on resending the batch under its old id.
- Once the empty broker gave that id to a client again (the rebuilt one in the same
  process, or another replica's), the broker took the old batch under it and moved the
  id's sequence for that partition on. The new client's own batch then came with a lower
  sequence; Tansu answers DuplicateSequenceNumber, and kafka-python counts that as
  written: acknowledged, never stored. The same happens without any timeout when two
  replicas write one topic and the one that rebuilds first is given the other's old id.

So the producer is not idempotent by default (``NEWSROOM_KAFKA_IDEMPOTENCE`` turns it on,
for Apache Kafka, which keeps producer ids): a retry after a lost answer may write a message twice,
which every consumer already takes (ids, versions; at-least-once throughout), and one
request in flight keeps each partition in order across retries. Without producer ids the
first send after a restart goes through at once. A failed send still closes the client,
ensures the topics again and builds a fresh one; callers keep their own record of what
was not acknowledged and send it again.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kafka import KafkaProducer
from kafka.errors import (
    CorruptRecordError,
    InvalidRecordError,
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
)

from services.bus.admin import TopicAdmin, topic_names
from services.contracts import (
    BROKER_MESSAGE_BYTES,
    CONTENT_TYPE,
    MAX_EVENT_BYTES,
    CloudEvent,
    Contract,
)
from services.log import TRACE_HEADER, current_trace_id, get_logger, trace_id_of, traceparent_of
from services.settings import Settings

log = get_logger(__name__)

Headers = list[tuple[str, bytes]]


@dataclass(frozen=True)
class Outgoing:
    topic: str  # physical topic name
    key: str
    value: bytes
    headers: Headers


def traceparent(trace_id: str) -> bytes:
    """A W3C traceparent header carrying our trace id (span id is not tracked)."""
    return traceparent_of(trace_id).encode()


def trace_id_from(headers: Sequence[tuple[str, bytes | None]] | None) -> str | None:
    for name, value in headers or ():
        if name == TRACE_HEADER and value:
            trace = trace_id_of(value.decode(errors="replace"))
            if trace:
                return trace
    return None


class SendFailed(KafkaError):
    """The broker did not acknowledge a message."""


# Failures that sending again will never cure: the row is set aside with its reason.
UNSENDABLE: tuple[type[KafkaError], ...] = (
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    InvalidRecordError,
    CorruptRecordError,
)


def is_unsendable(exc: BaseException) -> bool:
    return isinstance(exc, UNSENDABLE)


def unsendable_reason(exc: BaseException) -> str:
    """The reason an unsendable message is set aside with."""
    too_large = isinstance(exc, MessageSizeTooLargeError | RecordListTooLargeError)
    return "too_large" if too_large else "refused"


class EventTooLarge(MessageSizeTooLargeError):
    """An event over :data:`MAX_EVENT_BYTES`: refused before it reaches the broker."""


def discard(producer: KafkaProducer, timeout: float = 1.0) -> None:
    """Close a client we give up on, and make sure its I/O thread stops.

    kafka-python's ``close(timeout)`` flushes first, and that flush raises
    KafkaTimeoutError while a batch is still unanswered, before ``close`` reaches the
    force-close that would stop the thread: the client lived on, resending the batch for
    its whole ``delivery_timeout_ms`` (two minutes). After a broker restart, that batch
    was the one the broker no longer had an id for, and a live client resending it
    under an id the empty broker hands out again made the next client's batch look like
    a duplicate (see the module note). So its thread is told to drop what it holds and
    is waited for; its futures fail, and the callers send those messages again.
    """
    with contextlib.suppress(Exception):
        producer.close(timeout=timeout)
        return
    sender = getattr(producer, "_sender", None)
    if sender is not None:
        with contextlib.suppress(Exception):
            sender.force_close()  # fails every batch it holds, then closes its connections
            sender.join(timeout)
        if sender.is_alive():
            log.warning("producer_thread_left_running", thread=sender.name)
    # The batches are failed now, so the flush in close passes and close finishes.
    with contextlib.suppress(Exception):
        producer.close(timeout=0)


class EventProducer:
    def __init__(self, settings: Settings, source: str, admin: TopicAdmin) -> None:
        self._settings = settings
        self._source = source
        self._admin = admin
        self._lock = threading.Lock()
        self._producer: KafkaProducer | None = None

    # -- building messages ------------------------------------------------------------
    def envelope(self, data: Contract, *, subject: str, trace_id: str | None = None) -> CloudEvent:
        return CloudEvent.wrap(
            data, source=self._source, subject=subject, trace_id=trace_id or current_trace_id()
        )

    def message(
        self, topic: str, data: Contract, *, key: str, trace_id: str | None = None
    ) -> Outgoing:
        """A message for ``topic`` (logical name). ``trace_id`` defaults to the current
        context's; a relay sending later passes the one the work started with."""
        return self.forwarded(topic, self.envelope(data, subject=key, trace_id=trace_id), key=key)

    def forwarded(self, topic: str, event: CloudEvent, *, key: str) -> Outgoing:
        """A message for ``topic`` (logical name) carrying ``event`` as it is: its id and
        trace stay (verify hands a large report on to its own queue this way)."""
        headers: Headers = [("content-type", CONTENT_TYPE.encode())]
        if event.traceid:
            headers.append((TRACE_HEADER, traceparent(event.traceid)))
        return Outgoing(self._settings.topic(topic), key, event.to_bytes(), headers)

    # -- sending ----------------------------------------------------------------------
    def _client(self) -> KafkaProducer:
        with self._lock:
            if self._producer is None:
                self._producer = KafkaProducer(
                    bootstrap_servers=self._settings.kafka_bootstrap,
                    client_id=f"newsroom-{self._source.rsplit('/', 1)[-1]}",
                    acks="all",
                    # Not kafka-python 3's idempotent producer unless asked for: the
                    # embedded broker forgets every producer id when it restarts and hands
                    # them out again from 1, and then answers one client's batch as a
                    # duplicate of another's, which kafka-python counts as written (module
                    # note). One request in flight keeps each partition in order through
                    # retries either way.
                    enable_idempotence=self._settings.kafka_idempotence,
                    max_in_flight_requests_per_connection=1,
                    linger_ms=2,
                    request_timeout_ms=5000,
                    max_block_ms=5000,
                    retries=3,
                    allow_auto_create_topics=False,
                    max_request_size=BROKER_MESSAGE_BYTES,
                    # Not the default 30 s: an outbox pass must end well inside its claim.
                    bootstrap_timeout_ms=5000,
                )
            return self._producer

    def _rebuild(self) -> None:
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            discard(producer)
        try:
            self._admin.ensure(topic_names(self._settings))
        except KafkaError as exc:
            log.warning("topics_ensure_failed", error=str(exc))

    def send_all(self, messages: Sequence[Outgoing], timeout: float = 10.0) -> list[bool]:
        """Send every message, wait for acknowledgements; say which ones the broker took."""
        return [error is None for error in self.send_batch(messages, timeout)]

    def send_batch(
        self, messages: Sequence[Outgoing], timeout: float = 10.0
    ) -> list[KafkaError | None]:
        """Send every message without waiting for each acknowledgement, then flush and
        collect them: None for each message the broker took, else its error.

        A message that can never be sent (over :data:`MAX_EVENT_BYTES`, refused as too
        large) fails alone; the others go on. Any other failure rebuilds the client (see
        the module note), so the next call starts clean.
        """
        if not messages:
            return []
        results: list[KafkaError | None] = [None] * len(messages)
        futures: dict[int, Any] = {}
        try:
            client = self._client()
            for index, m in enumerate(messages):
                if len(m.value) > MAX_EVENT_BYTES:
                    results[index] = EventTooLarge(
                        f"{len(m.value)} bytes; events are limited to {MAX_EVENT_BYTES}"
                    )
                    continue
                try:
                    futures[index] = client.send(
                        m.topic, key=m.key.encode(), value=m.value, headers=m.headers
                    )
                except UNSENDABLE as exc:  # kafka-python checks the size before sending
                    results[index] = exc
            client.flush(timeout=timeout)
        except KafkaError as exc:
            log.warning("produce_failed", error=str(exc), messages=len(messages))
            self._rebuild()
            return [r if r is not None else exc for r in results]
        retryable: KafkaError | None = None
        for index, future in futures.items():
            try:
                future.get(timeout=timeout)
            except KafkaError as exc:
                results[index] = exc
                if not is_unsendable(exc):
                    retryable = exc
        if retryable is not None:
            log.warning("produce_failed", error=str(retryable),
                        failed=sum(r is not None for r in results))  # fmt: skip
            self._rebuild()
        return results

    def send(self, message: Outgoing, timeout: float = 10.0) -> None:
        """Send one message and wait for the broker's acknowledgement; raise if it did not come."""
        if not self.send_all([message], timeout=timeout)[0]:
            raise SendFailed(f"the broker did not acknowledge a message to {message.topic}")

    def close(self) -> None:
        with self._lock:
            producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=2)
