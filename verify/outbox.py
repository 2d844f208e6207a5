"""Sending each story's snapshot on ``stories.reviewed`` after every change.

The change itself marks its story ``snapshot_pending`` (in its own transaction), then
wakes this worker, which sends the story's current snapshot and clears the mark only if
the story is still at the version it sent. So a change is never blocked by the broker,
and a snapshot that could not be sent (broker down, process killed) goes out later; the
next change's snapshot supersedes one not yet sent. Snapshots carry the story's version:
a reader keeps the highest it has seen.
"""

from __future__ import annotations

from services.contracts import Topic
from services.log import get_logger
from services.runtime import PeriodicWorker, Runtime
from verify.common import utcnow
from verify.stories import repository, service

log = get_logger(__name__)

BATCH = 50
RETRY_SECONDS = 2.0


class SnapshotOutbox:
    def __init__(self, runtime: Runtime, retry_seconds: float = RETRY_SECONDS) -> None:
        self._runtime = runtime
        self.worker = PeriodicWorker("snapshot-outbox", retry_seconds, self.send_pending)

    def story_changed(self, story_id: str) -> None:
        self.worker.wake()

    def send_pending(self) -> bool:
        """Send the snapshots of stories marked pending; True when there may be more."""
        story_ids = repository.stories_with_pending_snapshot(BATCH)
        if not story_ids:
            return False
        now = utcnow()
        snapshots = [s for s in (service.current_snapshot(i, now) for i in story_ids) if s]
        producer = self._runtime.producer
        messages = [producer.message(Topic.STORIES_REVIEWED, s, key=s.story_id) for s in snapshots]
        sent = producer.send_all(messages)
        for snapshot, ok in zip(snapshots, sent, strict=True):
            if ok:
                repository.mark_snapshot_sent(snapshot.story_id, snapshot.version)
                log.info(
                    "snapshot_sent",
                    story_id=snapshot.story_id,
                    version=snapshot.version,
                    cleared=snapshot.cleared,
                )
        if not all(sent):
            log.warning("snapshot_send_failed", failed=sent.count(False))
            return False
        return len(story_ids) == BATCH
