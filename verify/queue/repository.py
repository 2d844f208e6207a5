"""The queue's query: open claims by status (and section, contested), oldest first."""

from __future__ import annotations

from dataclasses import dataclass
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


def _open_match(status: str | None, section: str | None, contested: bool | None) -> dict[str, Any]:
    """Open claims, of ``status``, ``section`` and ``contested`` when each is given."""
    match: dict[str, Any] = {"open": True}
    if status is not None:
        match["status"] = status
    if section is not None:
        match["section"] = section
    if contested is not None:
        match["contested"] = contested
    return match


def open_counts(section: str | None, contested: bool | None) -> dict[str, int]:
    """Open claims (of ``section``, ``contested`` when given) by status, counted in the
    store: dropped claims the sweep has not closed yet included."""
    rows = Claim._get_collection().aggregate(
        [
            {"$match": _open_match(None, section, contested)},
            {"$group": {"_id": "$status", "n": {"$sum": 1}}},
        ]
    )
    return {str(row["_id"]): int(row["n"]) for row in rows}


def awaiting_sweep() -> dict[str, int]:
    """The current revision of each story whose dropped claims the sweep has yet to
    close: the only stories whose open claims can be of an older revision (few, and
    found by the sparse ``sweep_pending`` index)."""
    found = Story._get_collection().find(
        {"sweep_pending": True}, projection={"story_id": 1, "revision": 1}
    )
    return {doc["story_id"]: int(doc["revision"]) for doc in found}


def open_counts_by_revision(
    story_ids: list[str], section: str | None, contested: bool | None
) -> list[tuple[str, int, str, int]]:
    """Open claims of ``story_ids`` by story, revision and status."""
    match = {**_open_match(None, section, contested), "story_id": {"$in": story_ids}}
    group = {"story_id": "$story_id", "revision": "$revision", "status": "$status"}
    rows = Claim._get_collection().aggregate(
        [{"$match": match}, {"$group": {"_id": group, "n": {"$sum": 1}}}]
    )
    return [
        (
            str(row["_id"]["story_id"]),
            int(row["_id"]["revision"]),
            str(row["_id"]["status"]),
            int(row["n"]),
        )
        for row in rows
    ]


# --- the queue by story ---------------------------------------------------------------


@dataclass(frozen=True)
class QueuedStory:
    """A story with open claims of one status, as the queue by story orders it."""

    story_id: str
    section: str
    claims: int  # how many match
    contested: int  # how many of those are contested
    oldest: datetime  # the first one queued
    has_contested: int  # 0 or 1


def story_groups(
    *,
    status: str,
    section: str | None,
    contested: bool | None,
    after: tuple[str, int, datetime, str] | None,
    limit: int,
) -> list[QueuedStory]:
    """Stories with open claims of ``status``, up to ``limit``, in queue order: by
    section, then stories with a contested claim first, then the oldest claim first.
    ``after`` is the (section, has_contested, oldest, story_id) of the last one seen."""
    pipeline: list[dict[str, Any]] = [
        {"$match": _open_match(status, section, contested)},
        {
            "$group": {
                "_id": "$story_id",
                "section": {"$first": "$section"},
                "claims": {"$sum": 1},
                "contested": {"$sum": {"$cond": ["$contested", 1, 0]}},
                "oldest": {"$min": "$queued_at"},
            }
        },
        {"$addFields": {"has_contested": {"$cond": [{"$gt": ["$contested", 0]}, 1, 0]}}},
    ]
    if after is not None:
        at_section, at_contested, at_oldest, at_story = after
        pipeline.append(
            {
                "$match": {
                    "$or": [
                        {"section": {"$gt": at_section}},
                        {"section": at_section, "has_contested": {"$lt": at_contested}},
                        {
                            "section": at_section,
                            "has_contested": at_contested,
                            "oldest": {"$gt": at_oldest},
                        },
                        {
                            "section": at_section,
                            "has_contested": at_contested,
                            "oldest": at_oldest,
                            "_id": {"$gt": at_story},
                        },
                    ]
                }
            }
        )
    pipeline += [
        {"$sort": {"section": 1, "has_contested": -1, "oldest": 1, "_id": 1}},
        {"$limit": limit},
    ]
    rows = Claim._get_collection().aggregate(pipeline)
    return [
        QueuedStory(
            story_id=str(row["_id"]),
            section=str(row["section"]),
            claims=int(row["claims"]),
            contested=int(row["contested"]),
            oldest=row["oldest"],
            has_contested=int(row["has_contested"]),
        )
        for row in rows
    ]


def claims_of_stories(
    story_ids: list[str], status: str, contested: bool | None
) -> dict[str, list[ClaimRecord]]:
    """The open claims of ``status`` of these stories, each story's in body order."""
    found: dict[str, list[ClaimRecord]] = {story_id: [] for story_id in story_ids}
    if not story_ids:
        return found
    query = _open_match(status, None, contested)
    query["story_id"] = {"$in": story_ids}
    for doc in Claim._get_collection().find(query):
        claim = record_of(doc)
        found[claim.story_id].append(claim)
    for claims in found.values():
        claims.sort(key=lambda c: (c.start, c.end))
    return found


def revisions(story_ids: list[str]) -> dict[str, tuple[str, int]]:
    """Each story's headline and current revision."""
    found = Story._get_collection().find(
        {"story_id": {"$in": story_ids}}, projection={"story_id": 1, "headline": 1, "revision": 1}
    )
    return {doc["story_id"]: (doc["headline"], int(doc["revision"])) for doc in found}
