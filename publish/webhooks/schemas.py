"""Webhook subscription API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.text import WebUrl

EventName = Literal["published", "corrected", "retracted", "needs_correction"]


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SubscriptionIn(BaseModel):
    """Strict, as every request body: a wrong type is refused, never converted."""

    model_config = ConfigDict(extra="forbid", strict=True)

    url: WebUrl = Field(min_length=8, max_length=2000, description="http or https URL to POST to")
    events: list[EventName] | None = Field(
        default=None, min_length=1, description="Default: all four"
    )
    sections: list[str] | None = Field(default=None, description="Default: every section")


class SubscriptionOut(Schema):
    id: str
    url: str
    events: list[str]
    sections: list[str]
    created_by: str
    created_at: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="Signing secret, shown once: verify Newsroom-Signature with it")


class SubscriptionList(Schema):
    items: list[SubscriptionOut]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


class AttemptOut(Schema):
    number: int
    at: datetime
    outcome: str
    status_code: int | None
    error: str | None
    duration_ms: int
    next_attempt_at: datetime | None


class DeliveryOut(Schema):
    id: str
    event: str
    story_id: str
    release_id: str
    status: str = Field(
        description="pending, delivered, failed, canceled (subscription deleted) or "
        "superseded (its story was retracted before it was sent: never sent)"
    )
    reason: str | None = Field(
        default=None, description="Why it ended unsent: `retracted` for a superseded one"
    )
    superseded_by: str | None = Field(
        default=None, description="The retraction's release id, for a superseded one"
    )
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    log: list[AttemptOut]


class DeliveryList(Schema):
    items: list[DeliveryOut]
