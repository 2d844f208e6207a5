"""Sends due webhook deliveries (an edge: HTTP out). Run by a ``PeriodicWorker``.

Each pass leases a batch of due deliveries, posts them concurrently, and records every
attempt (status, error, duration) on the delivery row, with the next attempt time when
it will be retried. Redirects are not followed: a subscriber gives its final URL.
Each attempt resolves the target once, checks every address (:mod:`targets`) and sends
to the checked address, so a DNS answer that changes after the check cannot redirect it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import httpx
from prometheus_client import Counter

from publish.webhooks import repository, service, targets
from publish.webhooks.model import Attempt, Delivery
from services.errors import NewsroomError
from services.log import get_logger
from services.settings import Settings

log = get_logger(__name__)

BATCH = 16
PARALLEL = 8
DELIVERIES = Counter(
    "newsroom_webhook_deliveries_total", "Webhook delivery attempts by outcome", ["outcome"]
)
# Every outcome ``service.judge`` gives, so each series exists (at zero) from the start.
OUTCOMES = ("delivered", "retry", "failed", "gave_up")


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
        self._client = httpx.Client(timeout=self._timeout, follow_redirects=False)
        self._pool = ThreadPoolExecutor(PARALLEL, thread_name_prefix="webhook")
        for outcome in OUTCOMES:
            DELIVERIES.labels(outcome)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._client.close()

    def __call__(self) -> bool:
        if not self._master_key:
            return False  # nothing can be signed; deliveries wait for the key
        lease = timedelta(seconds=self._timeout + 10)
        due = repository.claim_due(self._now(), lease, BATCH)
        if not due:
            return False
        list(self._pool.map(self.attempt, due))
        return len(due) == BATCH

    def send(self, delivery: Delivery) -> tuple[int | None, str | None, str | None]:
        """One attempt over the network: ``(status code, Retry-After, error)``."""
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
            response = self._client.post(
                target.url,
                content=delivery.body.encode(),
                headers={**headers, "Host": target.host_header},
                extensions=target.extensions,
            )
        except httpx.TimeoutException:
            return None, None, "timeout"
        except httpx.HTTPError as exc:
            return None, None, f"connection_error: {type(exc).__name__}"
        except targets.TargetRefused as exc:
            return None, None, f"refused: {exc.reason}"
        except NewsroomError as exc:
            return None, None, exc.detail
        return response.status_code, response.headers.get("retry-after"), None

    def attempt(self, delivery: Delivery) -> None:
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
            webhook_event=delivery.event,
            attempt=number,
            status_code=status_code,
            error=error,
            outcome=outcome.outcome,
            duration_ms=elapsed,
        )
