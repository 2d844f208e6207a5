"""The outbox worker: claim due rows, send them as one batch, record what happened.

One pass claims up to ``batch`` due rows for this worker (see :mod:`services.outbox.rows`),
asks the source to render each as a message, sends them all without waiting for each
acknowledgement (:meth:`EventProducer.send_batch` flushes once and collects), then:

- acknowledged rows are handed back to the source (``sent``), which decides whether a row
  is done, done as of a version, or due again later (ingest's re-sends);
- a row that can never be sent (rendering failed, larger than the event limit, refused
  as too large) is set aside with its reason, counted, and never holds back the others;
- rows the broker did not acknowledge (down, slow) are due again after a backoff that
  doubles with each failed try, up to ``retry_max``.

A polled pass claims at most ``batch`` rows, fewer while the store is slow
(:class:`BatchSize`): a large batch's claim and marks on a saturated store outlast the
driver's socket timeout, and a batch sent but not marked is sent again whole when its
claim expires. A source may also leave some due rows for later (:meth:`hold_back`).

The worker wakes at once when a row is added (:meth:`wake`, from the change that added
it) and polls every ``interval`` anyway, for rows other replicas added or whose claim
expired. :meth:`health` tells readiness when sends keep failing or rows wait too long.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from prometheus_client import Counter, Gauge
from pydantic import ValidationError

from services.bus.producer import EventProducer, Outgoing, is_unsendable, unsendable_reason
from services.clock import utcnow
from services.log import get_logger
from services.outbox.rows import OutboxRows
from services.runtime import Paced, PeriodicWorker

log = get_logger(__name__)

SENT = Counter("newsroom_outbox_sent_total", "Outbox rows the broker acknowledged", ["outbox"])
SET_ASIDE = Counter(
    "newsroom_outbox_set_aside_total",
    "Outbox rows set aside because they can never be sent",
    ["outbox", "reason"],
)
FAILED = Counter(
    "newsroom_outbox_send_failures_total",
    "Outbox rows the broker did not acknowledge (retried with backoff)",
    ["outbox"],
)
BACKLOG = Gauge("newsroom_outbox_backlog", "Outbox rows due and not yet sent", ["outbox"])
REASONS = ("too_large", "unserialisable", "refused")
BACKLOG_EVERY_SECONDS = 5.0
# Later than any row's due time: "is any row still to send, now or after a backoff".
FOREVER = datetime(9999, 1, 1, tzinfo=UTC)
# The backlog count reads every due row (the store counts by reading documents): 0.2-1 s
# of the store's time at a few thousand reports held in a burst, so after a count that
# took t it waits 20 t (services.runtime.Paced): at most 1/21 of the store.
BACKLOG_REST = 20.0


@dataclass
class Rendered:
    """One claimed row as the source rendered it: a message, or why it cannot be one."""

    row_id: Any
    message: Outgoing | None = None
    version: int | None = None
    reason: str | None = None
    detail: str = ""
    doc: Mapping[str, Any] = field(default_factory=dict)
    # Set on the row along with "done" (verify notes which version went out whole).
    also: Mapping[str, Any] = field(default_factory=dict)


class Source(Protocol):
    """What one outbox sends: its rows, how a row becomes a message, what "sent" means."""

    name: str
    rows: OutboxRows
    projection: Mapping[str, Any] | None
    # Rows stored before the outbox fields that still need sending (made due at start).
    legacy: Mapping[str, Any] | None

    def render(self, docs: list[dict[str, Any]]) -> list[Rendered]: ...
    def sent(self, sent: list[Rendered], token: str, now: datetime) -> None: ...


def render_each(
    docs: Iterable[dict[str, Any]], render: Callable[[dict[str, Any]], Rendered]
) -> list[Rendered]:
    """Render rows one by one; a row that cannot be rendered is marked unserialisable."""
    out: list[Rendered] = []
    for doc in docs:
        try:
            out.append(render(doc))
        except (ValidationError, ValueError, TypeError, KeyError) as exc:
            out.append(Rendered(doc["_id"], reason="unserialisable", detail=repr(exc)[:500]))
    return out


@dataclass
class BatchSize:
    """How many rows the next polled pass claims: halved after a pass slower than
    ``slow`` seconds or one that failed (the store, most often, is saturated), doubled
    back towards ``most`` after a quick one."""

    most: int
    slow: float = 2.0
    least: int = 10
    current: int = 0

    def __post_init__(self) -> None:
        self.least = min(self.least, self.most)
        self.current = self.current or self.most

    def after(self, seconds: float, *, failed: bool = False) -> None:
        if failed or seconds > self.slow:
            self.current = max(self.least, self.current // 2)
        elif seconds < self.slow / 4:
            self.current = min(self.most, self.current * 2)


class OutboxWorker(PeriodicWorker):
    def __init__(
        self,
        source: Source,
        producer: EventProducer,
        *,
        interval: float = 1.0,
        batch: int = 200,
        hold: timedelta = timedelta(seconds=30),
        retry_base: float = 1.0,
        retry_max: float = 30.0,
        stuck_after: float = 60.0,
        clock: Callable[[], datetime] = utcnow,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(f"outbox-{source.name}", interval, self.send_due)
        self.source = source
        self._producer = producer
        self._batch = BatchSize(batch)
        # Long enough to render and send a batch; a worker that dies holding rows delays
        # them by at most this much before another replica (or its restart) takes them.
        self._hold = hold
        self._retry_base = retry_base
        self._retry_max = retry_max
        self._stuck_after = stuck_after
        self._clock = clock
        self._failing_since: float | None = None
        self._backlog = Paced(BACKLOG_EVERY_SECONDS, BACKLOG_REST, timer)
        self._adopted = source.legacy is None
        SENT.labels(source.name)
        FAILED.labels(source.name)
        BACKLOG.labels(source.name)
        for reason in REASONS:
            SET_ASIDE.labels(source.name, reason)

    # -- one pass ---------------------------------------------------------------------
    def send_due(self) -> bool:
        """One batch; True when a full batch went through (more may be waiting)."""
        now = self._clock()
        rows = self.source.rows
        if not self._adopted and self.source.legacy is not None:
            adopted = rows.adopt(self.source.legacy, now)
            self._adopted = True
            if adopted:
                log.info("outbox_rows_adopted", outbox=self.source.name, rows=adopted)
        limit = self._batch.current
        started = time.monotonic()
        try:
            claimed = rows.claim(now, self._hold, limit, self.source.projection, self.hold_back())
            self._count_backlog(now)
            if not claimed.docs:
                # Rows waiting out a retry's backoff are not due: a pass that finds nothing
                # then is no success. Failing ends with a send, or with no row left to send.
                if self._failing_since is not None and rows.oldest_due(FOREVER) is None:
                    self._failing_since = None
                return False
            went = self.send_claimed(claimed.docs, claimed.token, now)
        except Exception:
            self._batch.after(time.monotonic() - started, failed=True)
            raise
        self._batch.after(time.monotonic() - started)
        return went and len(claimed.docs) == limit

    def hold_back(self) -> Mapping[str, Any] | None:
        """Due rows to leave for a later pass, as a query (None: send every due row)."""
        return None

    def send_claimed(self, docs: list[dict[str, Any]], token: str, now: datetime) -> bool:
        """Send rows this worker holds under ``token`` (claimed by :meth:`send_due`, or
        stored already claimed by the change that added them) and record what happened;
        True when every row was sent or set aside (none waits for a retry)."""
        rows = self.source.rows
        try:
            rendered = self.source.render(docs)
        except Exception:
            rows.release([d["_id"] for d in docs], token)
            raise
        sendable = [r for r in rendered if r.message is not None and r.reason is None]
        for r in rendered:
            if r.reason is not None:
                self._set_aside(r, token, r.reason, r.detail, now)
        errors = self._producer.send_batch([r.message for r in sendable if r.message])
        ok: list[Rendered] = []
        retry: list[Rendered] = []
        for r, error in zip(sendable, errors, strict=True):
            if error is None:
                ok.append(r)
            elif is_unsendable(error):
                reason = unsendable_reason(error)
                self._set_aside(r, token, reason, f"{type(error).__name__}: {error}", now)
            else:
                retry.append(r)
        self.source.sent(ok, token, now)
        SENT.labels(self.source.name).inc(len(ok))
        if retry:
            tries = max(int(r.doc.get("outbox", {}).get("tries", 0)) for r in retry)
            wait = min(self._retry_base * 2**tries, self._retry_max)
            # From now, not the claim: a pass against a broker that does not answer is slow.
            retry_at = self._clock()
            rows.retry_after([r.row_id for r in retry], token, retry_at, timedelta(seconds=wait))
            FAILED.labels(self.source.name).inc(len(retry))
            if self._failing_since is None:
                self._failing_since = time.monotonic()
            log.warning("outbox_send_failed", outbox=self.source.name, failed=len(retry),
                        sent=len(ok), retry_in=wait)  # fmt: skip
            return False
        self._failing_since = None
        log.info("outbox_sent", outbox=self.source.name, sent=len(ok))
        return True

    def _set_aside(self, r: Rendered, token: str, reason: str, detail: str, now: datetime) -> None:
        self.source.rows.set_aside(r.row_id, token, reason, detail, now)
        SET_ASIDE.labels(self.source.name, reason).inc()
        log.error("outbox_row_set_aside", outbox=self.source.name, row=str(r.row_id),
                  reason=reason, detail=detail[:300])  # fmt: skip

    def _count_backlog(self, now: datetime) -> None:
        if self._backlog.due():
            BACKLOG.labels(self.source.name).set(
                self._backlog.run(lambda: self.source.rows.backlog(now))
            )

    # -- readiness --------------------------------------------------------------------
    def health(self) -> str | None:
        """Why this outbox is stuck (None when it is not): sends failing for longer than
        ``stuck_after``, or a due row waiting that long (the worker is not getting
        through). Asks the store; readiness runs it on its own threads."""
        if self._failing_since is not None:
            failing = time.monotonic() - self._failing_since
            if failing > self._stuck_after:
                return f"outbox {self.source.name}: sends failing for {failing:.0f} s"
        now = self._clock()
        oldest = self.source.rows.oldest_due(now, self.hold_back())
        if oldest is not None:
            waiting = (now - oldest).total_seconds()
            if waiting > self._stuck_after:
                return f"outbox {self.source.name}: a row due {waiting:.0f} s ago is not sent"
        return None
