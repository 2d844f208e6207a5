"""Webhook subscriptions and their deliveries, as plain records."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

EVENTS = ("published", "corrected", "retracted", "needs_correction")


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up: a 4xx, or attempts exhausted
    CANCELED = "canceled"  # the subscription was deleted
    # Never sent (or not sent again): its story was retracted while it waited, and it
    # carries the withdrawn text (``reason`` "retracted", ``superseded_by`` the retraction).
    SUPERSEDED = "superseded"


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Subscription(Record):
    subscription_id: str
    url: str
    events: list[str]
    # Empty means every section.
    sections: list[str] = Field(default_factory=list)
    created_by: str
    created_at: datetime


class Attempt(Record):
    number: int
    at: datetime
    outcome: str  # delivered, retry, failed
    status_code: int | None = None
    error: str | None = None
    duration_ms: int
    next_attempt_at: datetime | None = None


class Delivery(Record):
    delivery_id: str
    subscription_id: str
    release_id: str
    story_id: str
    event: str
    url: str
    # The exact bytes signed and sent (as text), fixed when the delivery is created.
    body: str
    status: DeliveryStatus
    attempts: int = 0
    next_attempt_at: datetime
    created_at: datetime
    finished_at: datetime | None = None
    log: list[Attempt] = Field(default_factory=list)
    # Attempts made before the last redelivery: each redelivery gets a fresh budget.
    round_start: int = 0
    # The story was retracted after this delivery was made: its body carries the text
    # readers no longer get, so an editor may not send it again (only the retraction).
    withdrawn: bool = False
    # Why it ended without being delivered, when nothing a receiver answered says it:
    # "retracted" for one superseded by its story's retraction (the release id in
    # ``superseded_by``).
    reason: str | None = None
    superseded_by: str | None = None
