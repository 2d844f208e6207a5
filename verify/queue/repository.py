"""The queue's query: open claims by status (and section, contested), oldest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from verify.stories.documents import Claim, Story
from verify.stories.records import ClaimRecord
from verify.stories.repository import record_of


def waiting(
    *,
    status: str,
    section: str | None,
    contested: bool | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[ClaimRecord]:
    """Up to ``limit`` claims in (queued_at, claim_id) order, strictly after ``after``."""
    query: dict[str, Any] = {"open": True, "status": status}
    if section is not None:
        query["section"] = section
    if contested is not None:
        query["contested"] = contested
    if after is not None:
        queued_at, claim_id = after
        query["$or"] = [
            {"queued_at": {"$gt": queued_at}},
            {"queued_at": queued_at, "claim_id": {"$gt": claim_id}},
        ]
    order = [("queued_at", 1), ("claim_id", 1)]
    cursor = Claim._get_collection().find(query).sort(order).limit(limit)
    return [record_of(doc) for doc in cursor]


def headlines(story_ids: list[str]) -> dict[str, str]:
    found = Story._get_collection().find(
        {"story_id": {"$in": story_ids}}, projection={"story_id": 1, "headline": 1}
    )
    return {doc["story_id"]: doc["headline"] for doc in found}


def depth() -> dict[str, int]:
    """Open claims by status (the queue's depth), counted in the store."""
    rows = Claim._get_collection().aggregate(
        [{"$match": {"open": True}}, {"$group": {"_id": "$status", "n": {"$sum": 1}}}]
    )
    return {str(row["_id"]): int(row["n"]) for row in rows}
