"""Events that move a report along its timeline: receipts, reviews, releases."""

from __future__ import annotations

from ingest.reports import service
from services.bus import ConsumerLoop, Received
from services.contracts import (
    ClaimFlagged,
    CloudEvent,
    ReportReceived,
    StoryChanged,
    StoryPublished,
    StoryReviewed,
    Topic,
)
from services.errors import InvalidMessage
from services.log import get_logger
from services.runtime import Runtime

log = get_logger(__name__)


def handle(event: CloudEvent, received: Received) -> None:
    payload = event.payload()
    if isinstance(payload, ReportReceived):
        service.on_receipt(payload)
    elif isinstance(payload, StoryReviewed | StoryChanged):
        service.on_reviewed(payload)
    elif isinstance(payload, StoryPublished):
        service.on_published(payload)
    elif isinstance(payload, ClaimFlagged):
        return  # for publish: the reporter's timeline does not follow other stories' claims
    else:
        raise InvalidMessage("unexpected_type", f"{event.type} does not belong on {received.topic}")


def timeline_consumer(runtime: Runtime) -> ConsumerLoop:
    return ConsumerLoop(
        settings=runtime.settings,
        topics=[Topic.REPORTS_RECEIVED, Topic.STORIES_REVIEWED, Topic.STORIES_PUBLISHED],
        group="ingest",
        handler=handle,
        producer=runtime.producer,
        admin=runtime.admin,
        name="ingest-timeline",
    )
