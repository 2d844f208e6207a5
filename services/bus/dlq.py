"""Reading a topic's DLQ, and sending its records back to the topic they were refused from.

A consumer puts what it cannot process on ``<topic>.dlq`` (one partition, so in the order
refused) with ``dlq.*`` headers (``ConsumerLoop.to_dlq``). Nothing reads it back by
itself; :class:`DeadLetters` is what ``newsroom dlq`` uses.

Replay keeps what it re-sent as committed offsets of consumer groups of its own on the
DLQ (``<prefix>newsroom-dlq-replay``, and ``...replay.<reason>`` for a run limited to one
reason), committed only once the broker acknowledged the re-sent records, as Arroyo
does: a record at DLQ offset ``o`` refused for ``r`` counts as replayed when ``o`` is
below the group's offset of every reason, or below the one of ``r``. So a second run
sends nothing the first one sent, and a run killed between the acknowledgement and the
commit sends at most that batch again (every consumer takes a duplicate).

A re-sent record goes to its original topic with its original key (so its partition, and
its order behind that key's earlier events), value and headers (the trace kept), without
the ``dlq.*`` headers and with ``newsroom.replayed-from`` (``<dlq>:<offset>``). A
record that fails again goes back to the DLQ by the consumer's normal path, as a new
record. A record the DLQ kept truncated (``dlq.truncated``) cannot be replayed: it is
passed over and counted.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition
from kafka.errors import KafkaError

from services.bus.producer import EventProducer, Outgoing
from services.contracts import Topic, dlq_of
from services.settings import Settings

REPLAY_GROUP = "newsroom-dlq-replay"
REPLAYED_FROM = "newsroom.replayed-from"
DLQ_HEADER_PREFIX = "dlq."
# What a reason may look like (it names a consumer group): the consumers' reasons are
# short snake_case words (not_json, unknown_type, processing_failed...).
REASON = re.compile(r"[a-z][a-z0-9_]{0,63}")
# A DLQ read stops when it reached the end, or after this long without a record or an
# answer saying where the end is.
QUIET_SECONDS = 5.0
BATCH = 200


class DlqError(Exception):
    """What ``newsroom dlq`` reports as an error, with its exit code."""

    exit_code = 1


class BadInput(DlqError):
    """An unknown topic, a malformed reason."""

    exit_code = 2


class MissingDlq(DlqError):
    exit_code = 1


class BrokerUnavailable(DlqError):
    exit_code = 3


class ReplayFailed(DlqError):
    exit_code = 4


def logical_topic(name: str) -> Topic:
    """The topic ``name`` names (``stories.reviewed`` or ``stories.reviewed.dlq``)."""
    base = name.removesuffix(".dlq")
    try:
        return Topic(base)
    except ValueError:
        known = ", ".join(t.value for t in Topic)
        raise BadInput(f"unknown topic {name!r}; one of {known}") from None


def check_reason(reason: str) -> str:
    if not REASON.fullmatch(reason):
        raise BadInput(f"bad reason {reason[:80]!r}: lower-case letters, digits and _, at most 64")
    return reason


@dataclass(frozen=True)
class DeadLetter:
    offset: int
    at: datetime  # when it was refused (dlq.at, else the DLQ record's timestamp)
    key: str | None
    reason: str
    detail: str
    origin: str | None  # dlq.topic: the physical topic it was refused from
    group: str | None  # dlq.group: the consumer group that refused it
    size: int  # bytes of the value as the DLQ keeps it
    truncated: bool
    event_type: str | None
    event_id: str | None
    replayed_from: str | None  # a record refused again after a replay
    headers: list[tuple[str, bytes]] = field(repr=False)
    value: bytes = field(repr=False)

    def summary(self) -> dict[str, Any]:
        return {
            "offset": self.offset,
            "at": self.at.isoformat(),
            "reason": self.reason,
            "detail": self.detail,
            "key": self.key,
            "event_type": self.event_type,
            "event_id": self.event_id,
            "size": self.size,
            "truncated": self.truncated,
            "group": self.group,
            "replayed_from": self.replayed_from,
        }


def _header(headers: list[tuple[str, bytes]], name: str) -> str | None:
    for key, value in headers:
        if key == name and value is not None:
            return value.decode(errors="replace")
    return None


def _refused_at(header: str | None, timestamp_ms: int) -> datetime:
    if header:
        with contextlib.suppress(ValueError):
            at = datetime.fromisoformat(header)
            return at if at.tzinfo else at.replace(tzinfo=UTC)
    return datetime.fromtimestamp(timestamp_ms / 1000, UTC)


def dead_letter(record: Any) -> DeadLetter:
    headers = [(k, v) for k, v in (record.headers or []) if v is not None]
    value: bytes = record.value or b""
    event_type = event_id = None
    with contextlib.suppress(ValueError, RecursionError):
        envelope = json.loads(value)
        if isinstance(envelope, dict):
            kind, ident = envelope.get("type"), envelope.get("id")
            event_type = kind[:200] if isinstance(kind, str) else None
            event_id = ident[:200] if isinstance(ident, str) else None
    return DeadLetter(
        offset=record.offset,
        at=_refused_at(_header(headers, "dlq.at"), record.timestamp),
        key=record.key.decode(errors="replace") if record.key else None,
        reason=_header(headers, "dlq.reason") or "",
        detail=_header(headers, "dlq.detail") or "",
        origin=_header(headers, "dlq.topic"),
        group=_header(headers, "dlq.group"),
        size=len(value),
        truncated=_header(headers, "dlq.truncated") is not None,
        event_type=event_type,
        event_id=event_id,
        replayed_from=_header(headers, REPLAYED_FROM),
        headers=headers,
        value=value,
    )


def replay_message(dlq: str, letter: DeadLetter) -> Outgoing:
    """The record as it goes back: its original topic, key, value and headers (the
    ``dlq.*`` ones and an earlier replay's mark dropped), marked as replayed."""
    headers = [
        (k, v)
        for k, v in letter.headers
        if not k.startswith(DLQ_HEADER_PREFIX) and k != REPLAYED_FROM
    ]
    headers.append((REPLAYED_FROM, f"{dlq}:{letter.offset}".encode()))
    return Outgoing(dlq.removesuffix(".dlq"), letter.key or "", letter.value, headers)


@dataclass
class ReplayResult:
    read: int = 0  # DLQ records read
    sent: int = 0  # re-sent and acknowledged (or, in a dry run, would be)
    skipped_reason: int = 0  # of another reason than the one asked for
    already: int = 0  # replayed by an earlier run
    unreplayable: int = 0  # kept truncated by the DLQ
    next_offset: int | None = None  # where the next run starts
    more: bool = False  # stopped at the limit with records left
    letters: list[DeadLetter] = field(default_factory=list)  # what was (or would be) sent


Progress = Callable[[ReplayResult], None]


class DeadLetters:
    """One topic's DLQ on the broker ``settings`` names."""

    def __init__(self, settings: Settings, topic: Topic) -> None:
        self._settings = settings
        self.topic = topic
        self.dlq = dlq_of(settings.topic(topic.value))
        self._tp = TopicPartition(self.dlq, 0)
        self._cursors: dict[str, KafkaConsumer] = {}
        # Each group's offset as read once (a replay run moves only its own, past records
        # it has decided): one round trip a reason, not one a record.
        self._read: dict[str, int] = {}

    # -- clients ----------------------------------------------------------------------
    def _consumer(self, group: str | None) -> KafkaConsumer:
        try:
            consumer = KafkaConsumer(
                bootstrap_servers=self._settings.kafka_bootstrap,
                group_id=group,
                client_id="newsroom-dlq",
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                allow_auto_create_topics=False,
                max_poll_records=BATCH,
                fetch_max_wait_ms=self._settings.consumer_fetch_wait_ms,
                request_timeout_ms=10000,
                bootstrap_timeout_ms=5000,
            )
        except KafkaError as exc:
            raise BrokerUnavailable(
                f"the broker at {self._settings.kafka_bootstrap} does not answer ({exc})"
            ) from exc
        try:
            partitions = consumer.partitions_for_topic(self.dlq)
        except KafkaError as exc:
            consumer.close()
            raise BrokerUnavailable(f"the broker did not answer: {exc}") from exc
        if not partitions:
            consumer.close()
            raise MissingDlq(
                f"{self.dlq} does not exist on the broker at {self._settings.kafka_bootstrap} "
                "(the services make it at start; the embedded broker forgets it on a restart)"
            )
        consumer.assign([self._tp])
        return consumer

    def _group(self, reason: str | None) -> str:
        name = REPLAY_GROUP if reason is None else f"{REPLAY_GROUP}.{reason}"
        return self._settings.topic(name)

    def cursor(self, reason: str | None) -> int:
        """Where replay of ``reason`` (None: of every reason) had got to when first asked."""
        group = self._group(reason)
        consumer = self._cursors.get(group)
        if consumer is None:
            consumer = self._cursors[group] = self._consumer(group)
        if group in self._read:
            return self._read[group]
        try:
            self._read[group] = consumer.committed(self._tp) or 0
            return self._read[group]
        except KafkaError as exc:
            raise BrokerUnavailable(f"the broker did not answer: {exc}") from exc

    def replayed(self, letter: DeadLetter) -> bool:
        if letter.offset < self.cursor(None):
            return True
        return bool(REASON.fullmatch(letter.reason)) and letter.offset < self.cursor(letter.reason)

    def close(self) -> None:
        for consumer in self._cursors.values():
            with contextlib.suppress(Exception):
                consumer.close(autocommit=False)
        self._cursors.clear()
        self._read.clear()

    # -- reading ----------------------------------------------------------------------
    def read(self, start: int = 0, consumer: KafkaConsumer | None = None) -> Iterator[DeadLetter]:
        """Every record from ``start`` to the end the broker reports (the high watermark of
        its fetch answers: the embedded broker's end offsets are wrong)."""
        own = consumer is None
        reader = consumer or self._consumer(None)
        try:
            reader.seek(self._tp, start)
            quiet_until = _now() + QUIET_SECONDS
            while True:
                try:
                    batch = reader.poll(timeout_ms=500)
                except KafkaError as exc:
                    raise BrokerUnavailable(f"the broker did not answer: {exc}") from exc
                records = batch.get(self._tp, [])
                for record in records:
                    # A start past the end is reset to the earliest record kept.
                    if record.offset >= start:
                        yield dead_letter(record)
                end = reader.highwater(self._tp)
                if end is not None and reader.position(self._tp) >= end:
                    return
                if records:
                    quiet_until = _now() + QUIET_SECONDS
                elif _now() > quiet_until:
                    raise BrokerUnavailable(
                        f"{self.dlq}: no answer on where it ends after {QUIET_SECONDS:.0f} s"
                    )
        finally:
            if own:
                reader.close(autocommit=False)

    # -- replaying --------------------------------------------------------------------
    def replay(
        self,
        producer: EventProducer,
        *,
        reason: str | None = None,
        limit: int = 1000,
        dry_run: bool = False,
        progress: Progress | None = None,
    ) -> ReplayResult:
        """Send up to ``limit`` records not yet replayed (of ``reason`` only, when given)
        back to their topic, in DLQ order, committing this run's group after each
        acknowledged batch. A batch the broker did not wholly acknowledge stops the run
        (:class:`ReplayFailed`) with the acknowledged prefix committed."""
        result = ReplayResult()
        self._read.clear()  # as the broker has them now
        group = self._group(reason)
        committer = self._cursors.get(group) or self._consumer(group)
        self._cursors[group] = committer
        start = max(self.cursor(None), self.cursor(reason) if reason else 0)
        result.next_offset = start
        pending: list[DeadLetter] = []
        passed = start  # first offset not yet decided (sent, or passed over)

        def flush(upto: int) -> None:
            nonlocal pending
            if pending and not dry_run:
                errors = producer.send_batch([replay_message(self.dlq, p) for p in pending])
                for letter, error in zip(pending, errors, strict=True):
                    if error is not None:
                        self._commit(committer, group, letter.offset, dry_run)
                        raise ReplayFailed(
                            f"{self.dlq} offset {letter.offset}: the broker did not take it "
                            f"({error}); {result.sent} re-sent and recorded, the rest waits "
                            "for the next run"
                        )
                    result.sent += 1
                    result.letters.append(letter)
            elif pending:
                result.sent += len(pending)
                result.letters.extend(pending)
            pending = []
            self._commit(committer, group, upto, dry_run)
            result.next_offset = upto
            if progress is not None:
                progress(result)

        for letter in self.read(start):
            result.read += 1
            if progress is not None and result.read % 1000 == 0:
                progress(result)
            if result.sent + len(pending) >= limit:
                result.more = True
                break
            if reason is not None and letter.reason != reason:
                result.skipped_reason += 1
            elif self.replayed(letter):
                result.already += 1
            elif letter.truncated:
                result.unreplayable += 1
            else:
                pending.append(letter)
            passed = letter.offset + 1
            if len(pending) >= BATCH:
                flush(passed)
        flush(passed)
        return result

    def _commit(self, committer: KafkaConsumer, group: str, offset: int, dry_run: bool) -> None:
        if dry_run:
            return
        try:
            committer.commit({self._tp: OffsetAndMetadata(offset, "", -1)})
            self._read[group] = offset
        except KafkaError as exc:
            raise ReplayFailed(
                f"re-sent records up to {self.dlq} offset {offset} but could not record it "
                f"({exc}): the next run may send them again (consumers take duplicates)"
            ) from exc


def _now() -> float:
    return time.monotonic()
