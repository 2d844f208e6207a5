"""Publish's background work, each run by a ``PeriodicWorker``:

- catch-up: re-read verify's snapshots changed since the last one seen (minus an
  overlap, because concurrent writers in verify can commit out of order), so an event
  lost with a broker restart is healed;
- auto-release: release the stories whose reporter asked for it once they clear, woken
  by the consumer and the catch-up, and retrying those verify could not confirm;
- outbox: send the ``stories.published`` event of every release row not yet acknowledged
  (the shared outbox, :mod:`services.outbox`: replicas claim rows, so each event goes
  out once);
- feed version: notice releases made by other replicas, for the feed cache.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from publish.consumer import Released, release_automatically
from publish.feeds.cache import FeedCache
from publish.stories import repository, service
from publish.verify_client import VerifyClient
from services.bus import EventProducer
from services.contracts import StoryPublished, Topic
from services.errors import NewsroomError
from services.log import get_logger
from services.outbox import OutboxRows, Rendered, render_each

log = get_logger(__name__)

CATCHUP_PAGE = 200
CATCHUP_MAX_PAGES = 50
AUTO_RELEASE_BATCH = 50


def catchup_overlap(interval: float) -> timedelta:
    """How far before the last snapshot seen each pass starts again."""
    return timedelta(seconds=max(60.0, 4 * interval))


class CatchUp:
    def __init__(
        self,
        desk: service.Desk,
        verify: VerifyClient,
        interval: float,
        auto_release_due: Callable[[], None],
    ) -> None:
        self._desk = desk
        self._verify = verify
        self._auto_release_due = auto_release_due
        self._overlap = catchup_overlap(interval)

    def __call__(self) -> bool:
        try:
            self.heal()
        except NewsroomError as exc:
            # Verify down or not answering: the next pass tries again.
            log.warning("catchup_skipped", reason=exc.detail)
        # Releases verify could not confirm earlier are tried again on every pass.
        self._auto_release_due()
        return False

    def heal(self) -> int:
        watermark = repository.catchup_watermark()
        after = watermark - self._overlap if watermark else None
        cursor: str | None = None
        applied = seen = 0
        newest = watermark
        for _ in range(CATCHUP_MAX_PAGES):
            page, cursor = self._verify.snapshots(after, cursor, CATCHUP_PAGE)
            for snapshot in page:
                seen += 1
                row = service.apply_snapshot(snapshot, self._desk.now())
                if row is not None:
                    applied += 1
                if newest is None or snapshot.updated_at > newest:
                    newest = snapshot.updated_at
            if not cursor:
                break
        if newest is not None and newest != watermark:
            repository.advance_catchup_watermark(newest)
        if applied:
            log.info("catchup_healed", applied=applied, seen=seen)
        return applied


class AutoRelease:
    """Release every story marked for release once cleared; True while more may wait."""

    def __init__(self, desk: service.Desk, verify: VerifyClient, released: Released) -> None:
        self._desk = desk
        self._verify = verify
        self._released = released

    def __call__(self) -> bool:
        candidates = repository.auto_release_candidates(AUTO_RELEASE_BATCH)
        for story_id in candidates:
            release_automatically(self._desk, self._verify, story_id, self._released)
        return False


class ReleaseRows:
    """The outbox source of publish: ``stories.published`` of each release row."""

    name = "publish-releases"
    # Stored before the shared outbox: still to be sent.
    legacy: Mapping[str, Any] | None = {"sent_at": None}
    projection: Mapping[str, Any] | None = None

    def __init__(self, producer: EventProducer) -> None:
        self.rows: OutboxRows = repository.RELEASE_ROWS
        self._producer = producer

    def render(self, docs: list[dict[str, Any]]) -> list[Rendered]:
        def one(doc: dict[str, Any]) -> Rendered:
            row = repository.release_of(doc)
            event = StoryPublished.model_validate(row.event)
            # The trace of the reporter's change, not the worker's own.
            message = self._producer.message(
                Topic.STORIES_PUBLISHED, event, key=row.story_id, trace_id=row.trace_id
            )
            return Rendered(doc["_id"], message, doc=doc)

        # One story's releases go out in the order they were made.
        return render_each(sorted(docs, key=lambda d: int(d.get("seq", 0))), one)

    def sent(self, sent: list[Rendered], token: str, now: datetime) -> None:
        self.rows.done([r.row_id for r in sent], token, now)


class FeedVersion:
    def __init__(self, cache: FeedCache) -> None:
        self._cache = cache

    def __call__(self) -> bool:
        self._cache.observe(repository.feed_seq())
        return False
