"""The ``stories.reviewed`` handler (group "publish"): story changes into the read model,
and verify's flags on released claims (``ClaimFlagged``: :mod:`publish.stories.flags`).

Idempotent on (story, version): an older or repeated event changes nothing. A whole
snapshot (``StoryReviewed``) is stored as it comes; a ``StoryChanged`` either patches
who holds which claim in, or makes publish read the snapshot from verify (a story too
large for an event). The handler only stores: when the reporter asked for release once
cleared and the gate passes, it wakes the auto-release worker
(:class:`publish.workers.AutoRelease`), which asks verify and releases outside the
consumer, so a slow or unreachable verify never holds the partition.
"""

from __future__ import annotations

from collections.abc import Callable

from publish.stories import flags, service
from services.bus import Received
from services.contracts import ClaimFlagged, CloudEvent, StoryChanged, StoryReviewed
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
    desk: service.Desk,
    source: service.SnapshotSource,
    auto_release_due: Callable[[], None],
    flagged: Released,
) -> Callable[[CloudEvent, Received], None]:
    def handle(event: CloudEvent, received: Received) -> None:
        payload = event.payload()
        if not isinstance(payload, StoryReviewed | StoryChanged | ClaimFlagged):
            raise InvalidMessage("unexpected_type", f"{event.type} on {received.topic}")
        if received.key and received.key != payload.story_id:
            raise InvalidMessage("key_mismatch", f"key {received.key} for {payload.story_id}")
        if isinstance(payload, ClaimFlagged):
            outcome = flags.flag(desk, payload)
            if outcome is not None:
                flagged(outcome)
            return
        if isinstance(payload, StoryReviewed):
            applied = service.apply_snapshot(desk, payload)
        else:
            try:
                applied = service.apply_change(desk, payload, source)
            except NewsroomError as exc:
                # Verify cannot answer now: the catch-up worker reads the story later.
                log.warning("story_change_deferred", story_id=payload.story_id,
                            reason=exc.detail)  # fmt: skip
                return
        if applied is not None and applied.flagged is not None:
            flagged(applied.flagged)
        if applied is not None and applied.row.auto_release:
            auto_release_due()

    return handle
