"""The console's reads that the queue's API does not need: counts and a change marker.

Both are answered from the queue's indexes: ``(open, status, ...)`` for the counts, and
the stories' ``(updated_at, story_id)`` for the marker (every change of a claim, a lease
included, raises its story's ``updated_at`` and ``version`` in the same transaction).
"""

from __future__ import annotations

from typing import Any

from verify.stories.documents import Claim, Story


def open_counts(section: str | None, contested: bool | None) -> dict[str, int]:
    """Open claims by review status (and section, contested when given)."""
    match: dict[str, Any] = {"open": True}
    if section is not None:
        match["section"] = section
    if contested is not None:
        match["contested"] = contested
    rows = Claim._get_collection().aggregate(
        [{"$match": match}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
    )
    return {str(row["_id"]): int(row["n"]) for row in rows}


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
