"""Webhook rules without a network: signatures, what is retried, and when."""

from __future__ import annotations

import hashlib
import hmac
import random
from datetime import UTC, datetime, timedelta

import pytest

from publish.webhooks.model import DeliveryStatus
from publish.webhooks.service import backoff, check_url, judge, secret_for, signature
from services.errors import Unavailable, ValidationFailed

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def test_the_secret_is_derived_and_the_signature_covers_time_and_body() -> None:
    secret = secret_for("master", "sub_1")
    assert secret == hmac.new(b"master", b"sub_1", hashlib.sha256).hexdigest()
    assert secret != secret_for("master", "sub_2")
    header = signature(secret, 1700000000, b'{"a":1}')
    expected = hmac.new(secret.encode(), b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert signature(secret, 1700000001, b'{"a":1}') != header
    with pytest.raises(Unavailable):
        secret_for(None, "sub_1")


def decide(status: int | None, attempt: int = 1, retry_after: str | None = None):  # type: ignore[no-untyped-def]
    return judge(
        attempt=attempt, max_attempts=5, base_backoff=2.0, status_code=status,
        retry_after=retry_after, now=NOW,
    )  # fmt: skip


@pytest.mark.parametrize("status", [None, 500, 502, 503, 429])
def test_timeouts_connection_errors_5xx_and_429_are_retried(status: int | None) -> None:
    outcome = decide(status)
    assert outcome.status == DeliveryStatus.PENDING
    assert outcome.outcome == "retry"
    assert outcome.next_attempt_at is not None
    assert outcome.next_attempt_at > NOW


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422, 301])
def test_other_answers_are_final(status: int) -> None:
    assert decide(status).status == DeliveryStatus.FAILED


def test_2xx_is_delivered_and_the_last_attempt_gives_up() -> None:
    assert decide(204).status == DeliveryStatus.DELIVERED
    assert decide(500, attempt=5).outcome == "gave_up"


def test_retry_after_is_honoured() -> None:
    outcome = decide(429, retry_after="7")
    assert outcome.next_attempt_at == NOW + timedelta(seconds=7)


def test_backoff_doubles_with_jitter() -> None:
    rng = random.Random(1)
    for attempt, ceiling in [(1, 2.0), (2, 4.0), (3, 8.0), (4, 16.0)]:
        delays = [backoff(2.0, attempt, rng) for _ in range(50)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(set(delays)) > 1  # jitter


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9000/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
    ],
)
def test_webhooks_to_private_addresses_are_refused_by_default(url: str) -> None:
    with pytest.raises(ValidationFailed, match=r"non-public|does not resolve"):
        check_url(url, allow_private=False)
    assert check_url(url, allow_private=True) == url


def test_a_public_address_is_accepted() -> None:
    assert check_url("https://93.184.216.34/hook", allow_private=False)
