"""Publish's background work, each run by a ``PeriodicWorker``:

- catch-up: list the stories changed in verify since the last one seen (minus an
  overlap, because concurrent writers in verify can commit out of order) and read those
  newer than publish's copy, so an event lost with a broker restart is healed; a story
  verify could not give is asked for again after an exponential back-off;
- auto-release: release the stories whose reporter asked for it once they clear, woken
  by the consumer and the catch-up, and retrying those verify could not confirm;
- outbox: send the ``stories.published`` event of every release row not yet acknowledged
  (the shared outbox, :mod:`services.outbox`: replicas claim rows, so each event goes
  out once);
- feed version: notice releases made by other replicas, for the feed cache.
"""

from __future__ import annotations

import time
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
from services.log import bound_trace, get_logger
from services.outbox import OutboxRows, Rendered, render_each

log = get_logger(__name__)

CATCHUP_PAGE = 200
CATCHUP_MAX_PAGES = 50
# The longest a story verify could not give waits before it is asked for again.
CATCHUP_BACKOFF_CEILING = 60.0
AUTO_RELEASE_BATCH = 50


def catchup_overlap(interval: float) -> timedelta:
    """How far before the last snapshot seen each pass starts again."""
    return timedelta(seconds=max(60.0, 4 * interval))


class Backoff:
    """When each story that verify could not give may be asked for again: after ``base``
    seconds, doubling with each failure in a row, at most ``ceiling``."""

    def __init__(
        self, base: float, ceiling: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._base, self._ceiling, self._clock = base, ceiling, clock
        self._failed: dict[str, tuple[int, float]] = {}

    def due(self, story_id: str) -> bool:
        failed = self._failed.get(story_id)
        return failed is None or self._clock() >= failed[1]

    def failed(self, story_id: str) -> float:
        """Note a failure; the seconds until the story is due again."""
        count = self._failed.get(story_id, (0, 0.0))[0] + 1
        wait = min(self._ceiling, self._base * 2.0 ** (count - 1))
        self._failed[story_id] = (count, self._clock() + wait)
        return wait

    def forget(self, story_id: str) -> None:
        self._failed.pop(story_id, None)


class CatchUp:
    """Heal what the events missed: list what changed in verify (ids and versions only),
    then read, one story at a time, only those newer than publish's copy. A story verify
    could not give (a timeout, an error) is asked for again only after a back-off, and
    the watermark stops before it, so it is listed again until it is read."""

    def __init__(
        self,
        desk: service.Desk,
        verify: VerifyClient,
        interval: float,
        auto_release_due: Callable[[], None],
        backoff: Backoff | None = None,
    ) -> None:
        self._desk = desk
        self._verify = verify
        self._auto_release_due = auto_release_due
        self._overlap = catchup_overlap(interval)
        self._backoff = backoff or Backoff(interval, CATCHUP_BACKOFF_CEILING)

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
        read = seen = 0
        newest, pending = watermark, False
        for _ in range(CATCHUP_MAX_PAGES):
            page, cursor = self._verify.versions(after, cursor, CATCHUP_PAGE)
            held = repository.versions([v.story_id for v in page])
            for listed in page:
                seen += 1
                if held.get(listed.story_id, 0) >= listed.version:
                    self._backoff.forget(listed.story_id)
                elif not self._read(listed.story_id):
                    pending = True
                    continue
                else:
                    read += 1
                # Up to the first story still to read: it is listed again next pass.
                if not pending and (newest is None or listed.updated_at > newest):
                    newest = listed.updated_at
            if not cursor:
                break
        if newest is not None and newest != watermark:
            repository.advance_catchup_watermark(newest)
        if read:
            log.info("catchup_healed", read=read, seen=seen)
        return read

    def _read(self, story_id: str) -> bool:
        """Read the story from verify and store it; False when it must wait for later."""
        if not self._backoff.due(story_id):
            return False
        try:
            snapshot = self._verify.fetch(story_id, desk=True)  # for the read model only
        except NewsroomError as exc:
            wait = self._backoff.failed(story_id)
            log.warning("catchup_story_deferred", story_id=story_id, reason=exc.detail,
                        retry_in=wait)  # fmt: skip
            return False
        self._backoff.forget(story_id)
        service.apply_snapshot(self._desk, snapshot)
        return True


class AutoRelease:
    """Release every story marked for release once cleared; True while more may wait."""

    def __init__(self, desk: service.Desk, verify: VerifyClient, released: Released) -> None:
        self._desk = desk
        self._verify = verify
        self._released = released

    def __call__(self) -> bool:
        candidates = repository.auto_release_candidates(AUTO_RELEASE_BATCH)
        for story_id, trace_id in candidates:
            # Its lines (story_released, auto_release_deferred) in the story's trace.
            with bound_trace(trace_id):
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
