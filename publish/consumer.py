"""The ``stories.reviewed`` handler (group "publish"): snapshots into the read model.

Idempotent on (story, version): an older or repeated snapshot changes nothing. When the
reporter asked for release once cleared and the gate passes, the release is tried right
away; if verify cannot confirm it now, the catch-up worker's sweep tries again later.
"""

from __future__ import annotations

from collections.abc import Callable

from publish.stories import service
from services.bus import Received
from services.contracts import CloudEvent, StoryReviewed
from services.errors import InvalidMessage, NewsroomError
from services.log import get_logger

log = get_logger(__name__)

AUTO_RELEASER = "auto:publish_when_cleared"


Released = Callable[[service.Released], None]


def release_automatically(
    desk: service.Desk, source: service.SnapshotSource, story_id: str, released: Released
) -> bool:
    """Try the reporter's "publish when cleared"; True when it went out (or already was)."""
    try:
        outcome = service.release(desk, source, story_id, actor=AUTO_RELEASER, automatic=True)
    except NewsroomError as exc:
        # Blocked meanwhile, verify unreachable, a newer version: the sweep retries.
        log.info("auto_release_deferred", story_id=story_id, reason=exc.detail)
        return False
    released(outcome)
    return True


def make_handler(
    desk: service.Desk, source: service.SnapshotSource, released: Released
) -> Callable[[CloudEvent, Received], None]:
    def handle(event: CloudEvent, received: Received) -> None:
        snapshot = event.payload()
        if not isinstance(snapshot, StoryReviewed):
            raise InvalidMessage("unexpected_type", f"{event.type} on {received.topic}")
        if received.key and received.key != snapshot.story_id:
            raise InvalidMessage("key_mismatch", f"key {received.key} for {snapshot.story_id}")
        row = service.apply_snapshot(snapshot, desk.now())
        if row is not None and row.auto_release:
            release_automatically(desk, source, snapshot.story_id, released)

    return handle
