"""Webhook rules: secrets, signatures, fan-out and what to do after each attempt.

The signing secret of a subscription is derived, never stored:
``HMAC-SHA256(webhook_master_key, subscription_id)``. A delivery carries
``Newsroom-Signature: t=<unix ts>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>``, so a
receiver can check both the sender and the freshness of the message.

Each body is a CloudEvent 1.0 in the HTTP binding's *structured* mode: the whole event
(attributes and ``data``) is the JSON body, ``Content-Type: application/cloudevents+json``.
Structured rather than binary so the signed bytes are the entire event, attributes
included. ``id`` is the delivery id (a redelivery sends the same event again), ``type``
is ``org.newsroom.story.<published|corrected|retracted|needs_correction>``, ``subject``
the story id, ``traceparent`` (Distributed Tracing extension) the trace of the release.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from publish.harden import harden_json
from publish.webhooks import repository, targets
from publish.webhooks.model import (
    EVENTS,
    Attempt,
    Delivery,
    DeliveryStatus,
    Subscription,
)
from services.cursors import decode_keyset, encode_keyset
from services.errors import Conflict, NotFound, Unavailable, ValidationFailed
from services.log import trace_id_of

MAX_BACKOFF_SECONDS = 3600.0
CLOUDEVENTS_JSON = "application/cloudevents+json; charset=utf-8"
EVENT_TYPE_PREFIX = "org.newsroom.story."
TRACE_HEADER = "traceparent"
SIGNATURE_HEADER = "Newsroom-Signature"
EVENT_HEADER = "Newsroom-Event"
DELIVERY_HEADER = "Newsroom-Delivery"


# --- secrets and signatures ---------------------------------------------------------------


def secret_for(master_key: str | None, subscription_id: str) -> str:
    if not master_key:
        raise Unavailable("Webhook signing is not configured (NEWSROOM_WEBHOOK_MASTER_KEY).", 60)
    digest = hmac.new(master_key.encode(), subscription_id.encode(), hashlib.sha256)
    return digest.hexdigest()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    v1 = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={v1}"


def headers_for(delivery: Delivery, secret: str, timestamp: int) -> dict[str, str]:
    envelope = _envelope(delivery.body)
    headers = {
        # Deliveries made before webhooks were CloudEvents keep their plain JSON type.
        "Content-Type": CLOUDEVENTS_JSON if "specversion" in envelope else "application/json",
        SIGNATURE_HEADER: signature(secret, timestamp, delivery.body.encode()),
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: delivery.delivery_id,
        "User-Agent": "newsroom-publish-webhooks/1",
    }
    trace = envelope.get(TRACE_HEADER)
    if isinstance(trace, str):
        headers[TRACE_HEADER] = trace  # the same trace on the HTTP hop
    return headers


def delivery_trace(delivery: Delivery) -> str | None:
    """The trace the delivery carries (its envelope's ``traceparent``, the release's)."""
    trace = _envelope(delivery.body).get(TRACE_HEADER)
    return trace_id_of(trace) if isinstance(trace, str) else None


def _envelope(body: str) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


# --- subscriptions ------------------------------------------------------------------------


@dataclass(frozen=True)
class NewSubscription:
    subscription: Subscription
    secret: str


def check_url(
    url: str, *, allow_private: bool, resolver: targets.Resolver = targets.system_resolver
) -> str:
    """The URL to store, once it is an http(s) URL without credentials whose host
    resolves to addresses a webhook may go to (see :mod:`publish.webhooks.targets`)."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as exc:
        raise ValidationFailed(
            f"url: not a valid URL ({exc}).",
            [{"loc": ["body", "url"], "msg": "malformed URL", "type": "value_error"}],
        ) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed(
            "url: a webhook URL must be an absolute http or https URL.",
            [{"loc": ["body", "url"], "msg": "must be http or https", "type": "value_error"}],
        )
    if parts.username or parts.password:
        raise ValidationFailed("url: credentials in a webhook URL are not accepted.")
    try:
        targets.pin(url.strip(), resolver, allow_private=allow_private)
    except targets.TargetRefused as exc:
        raise ValidationFailed(
            f"url: {exc.reason}. Webhooks go to public addresses only (a development setup "
            "may set NEWSROOM_WEBHOOK_ALLOW_PRIVATE_TARGETS=true for loopback and private "
            "networks).",
            [{"loc": ["body", "url"], "msg": "refused target", "type": "value_error"}],
        ) from exc
    return url.strip()


def subscribe(
    *,
    url: str,
    events: Sequence[str] | None,
    sections: Sequence[str] | None,
    known_sections: Sequence[str],
    created_by: str,
    master_key: str | None,
    now: datetime,
    allow_private: bool = False,
) -> NewSubscription:
    chosen = list(dict.fromkeys(events or EVENTS))
    unknown = [e for e in chosen if e not in EVENTS]
    if unknown:
        raise ValidationFailed(f"events: unknown {unknown}; choose from {list(EVENTS)}.")
    wanted = list(dict.fromkeys(sections or []))
    strange = [s for s in wanted if s not in known_sections]
    if strange:
        raise ValidationFailed(f"sections: unknown {strange}; choose from {list(known_sections)}.")
    subscription_id = f"sub_{uuid.uuid4().hex}"
    secret = secret_for(master_key, subscription_id)  # refuse before storing anything
    subscription = Subscription(
        subscription_id=subscription_id,
        url=check_url(url, allow_private=allow_private),
        events=chosen,
        sections=wanted,
        created_by=created_by,
        created_at=now,
    )
    repository.add_subscription(subscription)
    return NewSubscription(subscription, secret)


def get(subscription_id: str) -> Subscription:
    subscription = repository.get_subscription(subscription_id)
    if subscription is None:
        raise NotFound(f"No subscription {subscription_id!r}.")
    return subscription


def subscriptions_page(cursor: str | None, limit: int) -> tuple[list[Subscription], str | None]:
    """A page of live subscriptions, oldest first, and the cursor of the next (None at
    the end); a cursor this listing did not give out is a 400."""
    after = decode_keyset(cursor) if cursor else None
    found = repository.subscriptions_page(after, limit + 1)
    page = found[:limit]
    last = page[-1] if len(found) > limit else None
    return page, encode_keyset(last.created_at, last.subscription_id) if last else None


def unsubscribe(subscription_id: str, now: datetime) -> None:
    if not repository.delete_subscription(subscription_id, now):
        raise NotFound(f"No subscription {subscription_id!r}.")


def deliveries(subscription_id: str, limit: int) -> list[Delivery]:
    get(subscription_id)
    return repository.deliveries_of(subscription_id, limit)


# --- fan-out ------------------------------------------------------------------------------


def fan_out(
    subscriptions: Sequence[Subscription],
    *,
    release_id: str,
    story_id: str,
    event: str,
    payload: dict[str, Any],
    now: datetime,
    source: str,
    traceparent: str | None = None,
) -> list[Delivery]:
    """One pending delivery per subscriber, its body (a CloudEvent) fixed now so every
    retry signs and sends the same bytes."""
    out: list[Delivery] = []
    for subscription in subscriptions:
        delivery_id = f"dlv_{uuid.uuid4().hex}"
        envelope: dict[str, Any] = {
            "specversion": "1.0",
            "id": delivery_id,
            "source": source,
            "type": EVENT_TYPE_PREFIX + event,
            "subject": story_id,
            "time": now.isoformat().replace("+00:00", "Z"),
            "datacontenttype": "application/json",
        }
        if traceparent:
            envelope[TRACE_HEADER] = traceparent
        envelope["data"] = payload
        # Hardened as the JSON feed is: the same text once parsed, but "<script" and the
        # like never as raw bytes a naive receiver could paste into a page.
        body = harden_json(json.dumps(envelope, ensure_ascii=False, separators=(",", ":")))
        out.append(
            Delivery(
                delivery_id=delivery_id,
                subscription_id=subscription.subscription_id,
                release_id=release_id,
                story_id=story_id,
                event=event,
                url=subscription.url,
                body=body,
                status=DeliveryStatus.PENDING,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return out


# --- after an attempt ---------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one attempt's result means: retry (when), done, or give up."""

    status: DeliveryStatus
    outcome: str
    next_attempt_at: datetime | None


def backoff(base: float, attempt: int, rng: random.Random | None = None) -> float:
    """Exponential from ``base``, with "equal jitter": half fixed, half random, so
    receivers that failed together do not all come back at the same instant."""
    ceiling = min(MAX_BACKOFF_SECONDS, base * 2.0 ** max(0, attempt - 1))
    jitter = float((rng or random).uniform(0, ceiling / 2))
    return ceiling / 2 + jitter


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # an HTTP-date: fall back to our own backoff
    return min(max(seconds, 0.0), MAX_BACKOFF_SECONDS)


def judge(
    *,
    attempt: int,
    max_attempts: int,
    base_backoff: float,
    status_code: int | None,
    retry_after: str | None,
    now: datetime,
) -> Outcome:
    """``status_code`` None means a timeout or connection error."""
    if status_code is not None and 200 <= status_code < 300:
        return Outcome(DeliveryStatus.DELIVERED, "delivered", None)
    retryable = status_code is None or status_code >= 500 or status_code == 429
    if not retryable:
        return Outcome(DeliveryStatus.FAILED, "failed", None)
    if attempt >= max_attempts:
        return Outcome(DeliveryStatus.FAILED, "gave_up", None)
    delay = backoff(base_backoff, attempt)
    told = retry_after_seconds(retry_after) if status_code is not None else None
    if told is not None:
        delay = told
    return Outcome(DeliveryStatus.PENDING, "retry", now + timedelta(seconds=delay))


def redeliver(subscription_id: str, delivery_id: str, now: datetime) -> Delivery:
    """Send a finished delivery (failed, given up, or delivered) again: the same event,
    signed afresh, with a new budget of attempts. Not one made before its story was
    retracted (``withdrawn``): it carries the text the retraction withdrew (409)."""
    get(subscription_id)  # 404 for an unknown or deleted subscription
    again = repository.requeue(subscription_id, delivery_id, now)
    if again is not None:
        return again
    found = repository.delivery(subscription_id, delivery_id)
    if found is None:
        raise NotFound(f"Subscription {subscription_id!r} has no delivery {delivery_id!r}.")
    if found.withdrawn:
        raise Conflict(
            f"Delivery {delivery_id!r} carries the text of a story retracted since: it is "
            "not sent again. Redeliver the story's retraction instead."
        )
    raise Conflict(
        f"Delivery {delivery_id!r} is {found.status.value}: only a failed or delivered "
        "delivery can be sent again."
    )


def record(delivery: Delivery, attempt: Attempt, outcome: Outcome) -> None:
    repository.record_attempt(
        delivery.delivery_id, attempt, outcome.status, outcome.next_attempt_at
    )
