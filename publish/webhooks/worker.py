"""Sends due webhook deliveries (an edge: HTTP out). Run by a ``PeriodicWorker``.

Each pass leases due deliveries for the free places of a pool of ``PARALLEL`` senders
and returns without waiting for them: a slow subscriber holds its own places, not the
pass, so the others' deliveries go out meanwhile. No subscriber holds more than
``PER_SUBSCRIPTION`` places at once. Every attempt is recorded (status, error, duration) on
the delivery row, with the next attempt time when it will be retried. Only the answer's
status line and headers are read: its body, whatever its size or pace, is not. Redirects
are not followed: a subscriber gives its final URL.
Each attempt resolves the target once, checks every address (:mod:`targets`) and sends
to the checked address, so a DNS answer that changes after the check cannot redirect it.
"""

from __future__ import annotations

import time
from collections import Counter as Tally
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx
from prometheus_client import Counter

from publish.webhooks import repository, service, targets
from publish.webhooks.deadline import Deadline
from publish.webhooks.model import Attempt, Delivery
from services.errors import NewsroomError
from services.log import bound_trace, get_logger
from services.settings import Settings

log = get_logger(__name__)

PARALLEL = 8
# Places one subscriber may hold at once: a receiver that answers slowly (or never) delays
# only its own deliveries.
PER_SUBSCRIPTION = 2
DELIVERIES = Counter(
    "newsroom_webhook_deliveries_total",
    "Webhook delivery attempts by outcome, and deliveries superseded unsent by a retraction",
    ["outcome"],
)
# Every outcome ``service.judge`` gives, and ``superseded`` (counted when a retraction
# stops its story's waiting deliveries, :func:`count_superseded`), so each series exists
# (at zero) from the start.
OUTCOMES = ("delivered", "retry", "failed", "gave_up", "superseded")


def count_superseded(deliveries: int) -> None:
    """Deliveries a retraction stopped before they were sent (they carry its text)."""
    if deliveries:
        DELIVERIES.labels("superseded").inc(deliveries)


class DeliveryWorker:
    def __init__(
        self,
        settings: Settings,
        now: Callable[[], datetime],
        resolver: targets.Resolver = targets.system_resolver,
    ) -> None:
        self._settings = settings
        self._resolver = resolver
        self._now = now
        key = settings.webhook_master_key
        self._master_key = key.get_secret_value() if key else None
        self._timeout = settings.webhook_timeout_seconds
        # The whole attempt: connect, send, and the status line and headers.
        self._attempt_seconds = self._timeout * 3
        # No kept-alive connections: each attempt connects to the address it checked, and
        # its Deadline sees the connect (the trace of a reused one has none).
        self._client = httpx.Client(
            timeout=self._timeout,
            follow_redirects=False,
            limits=httpx.Limits(max_keepalive_connections=0),
        )
        self._pool = ThreadPoolExecutor(PARALLEL, thread_name_prefix="webhook")
        self._running: dict[Future[None], str] = {}  # attempt -> its subscription
        self._on_free: Callable[[], None] = lambda: None
        for outcome in OUTCOMES:
            DELIVERIES.labels(outcome)

    def wake_with(self, wake: Callable[[], None]) -> None:
        """``wake`` is called when an attempt ends: a place is free for the next pass."""
        self._on_free = wake

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def __call__(self) -> bool:
        if not self._master_key:
            return False  # nothing can be signed; deliveries wait for the key
        self._running = {f: s for f, s in self._running.items() if not f.done()}
        # Leased past the longest an attempt takes (its Deadline), so no other pass claims
        # it meanwhile.
        lease = timedelta(seconds=self._attempt_seconds + 10)
        started = 0
        while len(self._running) < PARALLEL:
            held = Tally(self._running.values())
            full = [sub for sub, n in held.items() if n >= PER_SUBSCRIPTION]
            due = repository.claim_due(self._now(), lease, 1, skip=full)
            if not due:
                break
            future = self._pool.submit(self.attempt, due[0])
            self._running[future] = due[0].subscription_id
            future.add_done_callback(lambda _: self._on_free())
            started += 1
        return started > 0 and len(self._running) < PARALLEL

    def send(self, delivery: Delivery) -> tuple[int | None, str | None, str | None]:
        """One attempt over the network: ``(status code, Retry-After, error)``."""
        deadline: Deadline | None = None
        try:
            # Resolved and checked again at each attempt (a name can resolve elsewhere by
            # now), and sent to the address checked, not to a second lookup's answer.
            target = targets.pin(
                delivery.url,
                self._resolver,
                allow_private=self._settings.webhook_allow_private_targets,
            )
            secret = service.secret_for(self._master_key, delivery.subscription_id)
            headers = service.headers_for(delivery, secret, int(time.time()))
            # Streamed, and closed with its body unread: a receiver's answer is its status
            # (and Retry-After); a body of a gigabyte, or one sent a byte at a time, would
            # hold this place and the memory for as long as it lasts.
            with (
                Deadline(self._attempt_seconds) as deadline,
                self._client.stream(
                    "POST",
                    target.url,
                    content=delivery.body.encode(),
                    headers={**headers, "Host": target.host_header},
                    extensions={**target.extensions, "trace": deadline.trace},
                ) as response,
            ):
                return response.status_code, response.headers.get("retry-after"), None
        except httpx.TimeoutException:
            return None, None, "timeout"
        except httpx.HTTPError as exc:
            if deadline is not None and deadline.expired:
                return None, None, "timeout"
            return None, None, f"connection_error: {type(exc).__name__}"
        except targets.TargetRefused as exc:
            return None, None, f"refused: {exc.reason}"
        except NewsroomError as exc:
            return None, None, exc.detail

    def attempt(self, delivery: Delivery) -> None:
        # Its lines in the release's trace, which the delivery's traceparent carries on.
        with bound_trace(service.delivery_trace(delivery)):
            self._attempt(delivery)

    def _attempt(self, delivery: Delivery) -> None:
        number = delivery.attempts + 1
        started = time.perf_counter()
        status_code, retry_after, error = self.send(delivery)
        elapsed = int((time.perf_counter() - started) * 1000)
        now = self._now()
        outcome = service.judge(
            attempt=number - delivery.round_start,  # a redelivery starts a new budget
            max_attempts=self._settings.webhook_max_attempts,
            base_backoff=self._settings.webhook_backoff_seconds,
            status_code=status_code,
            retry_after=retry_after,
            now=now,
        )
        attempt = Attempt(
            number=number,
            at=now,
            outcome=outcome.outcome,
            status_code=status_code,
            error=error,
            duration_ms=elapsed,
            next_attempt_at=outcome.next_attempt_at,
        )
        service.record(delivery, attempt, outcome)
        DELIVERIES.labels(outcome.outcome).inc()
        log.info(
            "webhook_attempt",
            delivery_id=delivery.delivery_id,
            subscription_id=delivery.subscription_id,
            story_id=delivery.story_id,
            webhook_event=delivery.event,
            attempt=number,
            status_code=status_code,
            error=error,
            outcome=outcome.outcome,
            duration_ms=elapsed,
        )
