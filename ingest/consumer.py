"""Events that move a report along its timeline: receipts, reviews, releases.

Worked a poll batch at a time (:class:`services.bus.batch.BatchConsumerLoop`): the marks
of a round's events are stored by one command (:func:`ingest.reports.service.move_timeline`),
and offsets are committed after it. In a burst verify sends a receipt and a snapshot for
every report it takes in; one write per event made ingest's consumer a steady share of
the store's commands while verify drained (``make bench``). A crash before the commit
re-reads the round, and its marks are idempotent. An event the batch cannot take (not
of these types, its text refused) is left to :func:`handle`, under the loop's rules (DLQ).
"""

from __future__ import annotations

from concurrent.futures import Future
from typing import Any

from ingest.reports import service
from services.bus import EventProducer, Outgoing
from services.bus.admin import TopicAdmin
from services.bus.batch import BatchConsumerLoop
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
from services.settings import Settings

log = get_logger(__name__)

TIMELINE = (ReportReceived, StoryReviewed, StoryChanged, StoryPublished)
# Marks a round's event as stored by the round's one write.
STORED = object()


def handle(event: CloudEvent) -> None:
    """One event alone (when the round's write could not take it)."""
    payload = event.payload()
    if isinstance(payload, TIMELINE):
        service.move_timeline([payload])
    elif isinstance(payload, ClaimFlagged):
        return  # for publish: the reporter's timeline does not follow other stories' claims
    else:
        raise InvalidMessage("unexpected_type", f"{event.type} does not belong on its topic")


class TimelineStrategy:
    """The batch loop's strategy for ingest: nothing to prepare, one write per round."""

    def prepare(self, events: list[CloudEvent]) -> list[Future[Any]]:
        futures: list[Future[Any]] = []
        for _ in events:
            future: Future[Any] = Future()
            future.set_result(None)
            futures.append(future)
        return futures

    def write(self, events: list[CloudEvent], prepared: list[Any]) -> list[Any]:
        taken: list[service.TimelineEvent] = []
        out = list(prepared)
        for index, event in enumerate(events):
            try:
                payload = event.payload()
            except InvalidMessage:
                continue  # to ``handle``, which sends it to the DLQ with its reason
            if isinstance(payload, TIMELINE):
                taken.append(payload)
                out[index] = STORED
            elif isinstance(payload, ClaimFlagged):
                out[index] = STORED  # nothing to store
        service.move_timeline(taken)
        return out

    def handle(self, event: CloudEvent, prepared: Any) -> list[Outgoing]:
        if prepared is not STORED:
            handle(event)
        return []

    def heavy(self, event: CloudEvent, prepared: Any) -> bool:
        return False

    def finished(self) -> None:
        return None

    def close(self) -> None:
        return None


def timeline_consumer(runtime: Runtime) -> BatchConsumerLoop:
    return timeline_loop(runtime.settings, runtime.producer, runtime.admin)


def timeline_loop(
    settings: Settings, producer: EventProducer, admin: TopicAdmin
) -> BatchConsumerLoop:
    return BatchConsumerLoop(
        settings=settings,
        topics=[Topic.REPORTS_RECEIVED, Topic.STORIES_REVIEWED, Topic.STORIES_PUBLISHED],
        group="ingest",
        strategy=TimelineStrategy(),
        max_in_flight=settings.consumer_max_in_flight_batches * settings.consumer_max_poll_records,
        producer=producer,
        admin=admin,
        name="ingest-timeline",
    )
