"""Publish's background work, each run by a ``PeriodicWorker``:

- catch-up: re-read verify's snapshots changed since the last one seen (minus an
  overlap, because concurrent writers in verify can commit out of order), so an event
  lost with a broker restart is healed; then retry "publish when cleared" releases that
  could not be confirmed earlier;
- outbox: send the ``stories.published`` event of every release row not yet acknowledged;
- feed version: notice releases made by other replicas, for the feed cache.
"""

from __future__ import annotations

from datetime import timedelta

from publish.consumer import Released, release_automatically
from publish.feeds.cache import FeedCache
from publish.stories import repository, service
from publish.stories.model import ReleaseRow
from publish.verify_client import VerifyClient
from services.bus import EventProducer, Outgoing
from services.contracts import StoryPublished, Topic, utcnow
from services.errors import NewsroomError
from services.log import get_logger

log = get_logger(__name__)

CATCHUP_PAGE = 200
CATCHUP_MAX_PAGES = 50
OUTBOX_BATCH = 100


def catchup_overlap(interval: float) -> timedelta:
    """How far before the last snapshot seen each pass starts again."""
    return timedelta(seconds=max(60.0, 4 * interval))


class CatchUp:
    def __init__(
        self, desk: service.Desk, verify: VerifyClient, interval: float, released: Released
    ) -> None:
        self._desk = desk
        self._verify = verify
        self._released = released
        self._overlap = catchup_overlap(interval)

    def __call__(self) -> bool:
        try:
            self.heal()
        except NewsroomError as exc:
            # Verify down or not answering: the next pass tries again; sweep anyway.
            log.warning("catchup_skipped", reason=exc.detail)
        self.sweep()
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
                    if row.auto_release:
                        release_automatically(
                            self._desk, self._verify, snapshot.story_id, self._released
                        )
                if newest is None or snapshot.updated_at > newest:
                    newest = snapshot.updated_at
            if not cursor:
                break
        if newest is not None and newest != watermark:
            repository.advance_catchup_watermark(newest)
        if applied:
            log.info("catchup_healed", applied=applied, seen=seen)
        return applied

    def sweep(self) -> None:
        for story_id in repository.auto_release_candidates(50):
            release_automatically(self._desk, self._verify, story_id, self._released)


class Outbox:
    def __init__(self, producer: EventProducer) -> None:
        self._producer = producer

    def __call__(self) -> bool:
        rows = repository.unsent_releases(OUTBOX_BATCH)
        if not rows:
            return False
        messages = [self._message(row) for row in rows]
        results = self._producer.send_all(messages)
        sent = [row.release_id for row, ok in zip(rows, results, strict=True) if ok]
        repository.mark_sent(sent, utcnow())
        if len(sent) < len(rows):
            log.warning("outbox_send_incomplete", sent=len(sent), pending=len(rows) - len(sent))
            return False
        log.info("outbox_sent", events=len(sent))
        return len(rows) == OUTBOX_BATCH

    def _message(self, row: ReleaseRow) -> Outgoing:
        event = StoryPublished.model_validate(row.event)
        return self._producer.message(Topic.STORIES_PUBLISHED, event, key=row.story_id)


class FeedVersion:
    def __init__(self, cache: FeedCache) -> None:
        self._cache = cache

    def __call__(self) -> bool:
        self._cache.observe(repository.feed_seq())
        return False
