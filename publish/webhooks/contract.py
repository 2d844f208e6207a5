"""What a subscriber receives, described in publish's OpenAPI ``webhooks`` (OpenAPI 3.1):
one entry per event, the CloudEvent body (structured mode) and the signature headers."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import Body, FastAPI
from pydantic import BaseModel, Field

from publish.webhooks.model import EVENTS
from publish.webhooks.service import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    EVENT_TYPE_PREFIX,
    SIGNATURE_HEADER,
    TRACE_HEADER,
)

CONTENT_TYPE = "application/cloudevents+json"


class StoryReleaseData(BaseModel):
    """The release: the same fields as the ``stories.published`` event, and the item."""

    story_id: str
    revision: int
    version: int
    report_id: str
    action: Literal["published", "corrected", "retracted", "needs_correction"]
    url: str = Field(description="The story page for readers")
    at: datetime
    reason: str | None = Field(
        default=None, description="Why it was retracted, or why it needs a correction"
    )
    review_url: str | None = Field(
        default=None,
        description="Null: the review that found a claim false elsewhere is on the desk, "
        "not told outside (the other story may be unreleased)",
    )
    sequence: int = Field(
        description="Orders the events of one story: each is above every earlier one, "
        "whatever it did (a retraction and a needs_correction keep `version`). A redelivery "
        "carries its original sequence: apply an event only above the one you have"
    )
    item: dict[str, Any] = Field(
        description="The JSON Feed 1.1 item as the feeds carry it, with `_newsroom` "
        "(claims, attributions, ClaimReview)"
    )


class WebhookEvent(BaseModel):
    """A CloudEvents 1.0 event in the HTTP binding's structured mode."""

    specversion: Literal["1.0"]
    id: str = Field(description="The delivery id: a redelivery sends the same id again")
    source: str = Field(description="publish's public base URL")
    type: str = Field(
        description=f"{EVENT_TYPE_PREFIX}published | corrected | retracted | needs_correction"
    )
    subject: str = Field(description="The story id")
    time: datetime
    datacontenttype: Literal["application/json"]
    traceparent: str | None = Field(
        default=None, description="W3C trace context of the release (Distributed Tracing)"
    )
    data: StoryReleaseData


_HEADERS = [
    {
        "name": SIGNATURE_HEADER,
        "in": "header",
        "required": True,
        "description": "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, '<t>.' + raw body)>; "
        "refuse a stale t (for example older than 300 s)",
        "schema": {"type": "string", "pattern": "^t=[0-9]+,v1=[0-9a-f]{64}$"},
    },
    {
        "name": EVENT_HEADER,
        "in": "header",
        "required": True,
        "schema": {"type": "string", "enum": list(EVENTS)},
    },
    {
        "name": DELIVERY_HEADER,
        "in": "header",
        "required": True,
        "description": "Equals the CloudEvent id",
        "schema": {"type": "string"},
    },
    {
        "name": TRACE_HEADER,
        "in": "header",
        "required": False,
        "schema": {"type": "string"},
    },
]
_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "Any 2xx: delivered"},
    429: {"description": "Retried (Retry-After honoured)"},
    500: {"description": "5xx, timeouts and connection errors are retried with backoff"},
    400: {"description": "Other answers end the delivery (an editor may redeliver it)"},
}


def describe_webhooks(app: FastAPI) -> None:
    for event in EVENTS:

        def receive(event_body: WebhookEvent = Body(media_type=CONTENT_TYPE)) -> None:  # noqa: B008
            """Documentation only: publish POSTs this to each subscriber."""

        app.webhooks.add_api_route(
            f"story.{event}",
            receive,
            methods=["POST"],
            summary=(
                "A released story carries a claim found false elsewhere"
                if event == "needs_correction"
                else f"A story was {event}"
            ),
            description=f"CloudEvent `{EVENT_TYPE_PREFIX}{event}`, signed.",
            operation_id=f"webhook_story_{event}",
            responses=_ANSWERS,
            openapi_extra={"parameters": _HEADERS},
        )
