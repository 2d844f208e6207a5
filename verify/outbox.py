"""Sending each story's snapshot on ``stories.reviewed`` after every change.

The change itself marks its story ``snapshot_pending`` (in its own transaction), then
wakes this worker, which sends the story's current snapshot and clears the mark only if
the story is still at the version it sent. So a change is never blocked by the broker,
and a snapshot that could not be sent (broker down, process killed) goes out later; the
next change's snapshot supersedes one not yet sent. Snapshots carry the story's version:
a reader keeps the highest it has seen.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from services.contracts import Topic
from services.log import get_logger
from services.runtime import PeriodicWorker, Runtime
from verify.common import utcnow
from verify.stories import repository, service

log = get_logger(__name__)

BATCH = 100
RETRY_SECONDS = 2.0
# Long enough to send a batch; a process that dies holding claims delays those stories
# by at most this much before another replica takes them.
CLAIM = timedelta(seconds=15)


class SnapshotOutbox:
    def __init__(self, runtime: Runtime, retry_seconds: float = RETRY_SECONDS) -> None:
        self._runtime = runtime
        # Claims name this process, so replicas send different stories' snapshots.
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.worker = PeriodicWorker("snapshot-outbox", retry_seconds, self.send_pending)

    def story_changed(self, story_id: str) -> None:
        self.worker.wake()

    def send_pending(self) -> bool:
        """Send the snapshots of stories marked pending; True when there may be more.

        A batch costs a handful of store commands whatever its size: claim, read the
        stories and their claims in one transaction, clear the marks in one write."""
        now = utcnow()
        story_ids = repository.claim_pending_snapshots(self._owner, now, CLAIM, BATCH)
        if not story_ids:
            return False
        snapshots = service.current_snapshots(story_ids, now)
        producer = self._runtime.producer
        messages = [producer.message(Topic.STORIES_REVIEWED, s, key=s.story_id) for s in snapshots]
        sent = producer.send_all(messages)
        done = [(s.story_id, s.version) for s, ok in zip(snapshots, sent, strict=True) if ok]
        repository.mark_snapshots_sent(done)
        log.info("snapshots_sent", sent=len(done), failed=len(snapshots) - len(done))
        if len(done) < len(snapshots):
            return False
        return len(story_ids) == BATCH
