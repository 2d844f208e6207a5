"""The console's read that the queue's API does not need: a change marker, answered
from the stories' ``(updated_at, story_id)`` index (every change of a claim, a lease
included, raises its story's ``updated_at`` and ``version`` in the same transaction).
The counts by status are the queue's (``verify.queue.service.counts``).
"""

from __future__ import annotations

from verify.stories.documents import Claim, Story


def change_marker() -> str:
    """Changes whenever any story or claim changes: the newest change, and how many
    claims are pending (two stories changed in the same millisecond still differ there)."""
    newest = (
        Story._get_collection()
        .find({}, projection={"story_id": 1, "version": 1, "updated_at": 1})
        .sort([("updated_at", -1), ("story_id", -1)])
        .limit(1)
    )
    top = next(iter(newest), None)
    pending = Claim._get_collection().count_documents({"open": True, "status": "pending"})
    if top is None:
        return f"0|{pending}"
    return f"{top['updated_at'].isoformat()}|{top['story_id']}|{top['version']}|{pending}"
