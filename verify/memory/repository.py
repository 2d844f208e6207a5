"""Claim memory in verify's store.

Each claim carries its statement (``memory``, with the folded text it was read from) and
its band keys (``memory_bands``, multikey-indexed), so a lookup is one indexed query that
every replica shares and that survives restarts; ``memory_not_same`` lists the claims a
reviewer said are not the same claim. ``memory_flags`` holds the flags for publish, each
its own outbox row (:mod:`services.outbox`), sent on ``stories.reviewed``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mongoengine import DictField, Document, StringField
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

from services import outbox as shared_outbox
from services.contracts import ClaimFlagged
from services.outbox import OutboxRows
from verify.memory.fingerprint import bands
from verify.memory.lookup import MAX_CANDIDATES, Candidate
from verify.memory.statement import Statement
from verify.stories.documents import ALIAS, Claim

STATEMENT = "memory"
BANDS = "memory_bands"
NOT_SAME = "memory_not_same"
# The claims collection's index for lookups (declared on verify.stories.documents.Claim).
INDEX = {"fields": [BANDS]}
_DUPLICATE = 11000


class MemoryFlag(Document):
    """One ``ClaimFlagged`` to send: a claim of ``story_id`` matches a claim found false."""

    flag_id = StringField(primary_key=True)
    story_id = StringField(required=True)
    event = DictField(required=True)
    outbox = DictField()

    meta = {
        "db_alias": ALIAS,
        "collection": "memory_flags",
        "strict": False,
        "indexes": [shared_outbox.INDEX],
    }


DOCUMENTS = (MemoryFlag,)
FLAG_ROWS = OutboxRows(lambda: MemoryFlag._get_collection())


def _claims() -> Collection[dict[str, Any]]:
    collection: Collection[dict[str, Any]] = Claim._get_collection()
    return collection


def fields(statement: Statement, norm: str = "") -> dict[str, Any]:
    """What a claim stores for memory: its statement (and the text it was read from)
    and its band keys."""
    return {STATEMENT: {**statement.to_doc(), "norm": norm}, BANDS: bands(statement.terms)}


def stored_statement(claim_id: str, norm: str) -> Statement | None:
    """The claim's stored statement, if it was read from ``norm`` (its folded text)."""
    found = _claims().find_one({"claim_id": claim_id}, {"_id": 0, STATEMENT: 1}) or {}
    memory = found.get(STATEMENT)
    if memory and memory.get("norm") == norm:
        return Statement.from_doc(memory)
    return None


def refused(claim_id: str) -> list[str]:
    """The claims a reviewer said are not the same claim as this one."""
    found = _claims().find_one({"claim_id": claim_id}, {"_id": 0, NOT_SAME: 1}) or {}
    return list(found.get(NOT_SAME) or [])


def store(claim_id: str, statement: Statement, norm: str) -> None:
    _claims().update_one({"claim_id": claim_id}, {"$set": fields(statement, norm)})


def unread_reviewed(limit: int) -> list[dict[str, Any]]:
    """Reviewed claims with no statement: stored by a version before claim memory, which
    read a claim only at its review. No lookup finds them until they are read."""
    query = {STATEMENT: {"$exists": False}, "status": {"$ne": "pending"}}
    projection = {"_id": 0, "claim_id": 1, "text": 1, "norm": 1}
    return list(_claims().find(query, projection).limit(limit))


def store_unread(claim_id: str, statement: Statement, norm: str | None) -> bool:
    """As :func:`store`, only while the claim still has no statement and that text
    (``norm`` as read; None matches a claim without one). True when it wrote."""
    written = _claims().update_one(
        {"claim_id": claim_id, "norm": norm, STATEMENT: {"$exists": False}},
        {"$set": fields(statement, norm or "")},
    )
    return bool(written.modified_count)


def mark_not_same(claim_id: str, other_id: str) -> None:
    """Neither claim is offered as the other again."""
    claims = _claims()
    claims.update_one({"claim_id": claim_id}, {"$addToSet": {NOT_SAME: other_id}})
    claims.update_one({"claim_id": other_id}, {"$addToSet": {NOT_SAME: claim_id}})


def candidates(
    claims: Collection[dict[str, Any]],
    keys: list[int],
    *,
    other_than_story: str,
    extra: dict[str, Any] | None = None,
    limit: int = MAX_CANDIDATES,
) -> list[Candidate]:
    """Claims of other stories sharing a band with ``keys`` (at most ``limit``)."""
    if not keys:
        return []
    query: dict[str, Any] = {BANDS: {"$in": keys}, "story_id": {"$ne": other_than_story}}
    query.update(extra or {})
    projection = {"_id": 0, "claim_id": 1, "story_id": 1, STATEMENT: 1}
    return [
        Candidate(doc["claim_id"], doc["story_id"], Statement.from_doc(doc[STATEMENT]))
        for doc in claims.find(query, projection).limit(limit)
    ]


def reviewed_candidates(keys: list[int], story_id: str, exclude: list[str]) -> list[Candidate]:
    """Reviewed claims of other stories that share a band (none the reviewer refused)."""
    extra: dict[str, Any] = {"status": {"$ne": "pending"}}
    if exclude:
        extra["claim_id"] = {"$nin": exclude}
    return candidates(_claims(), keys, other_than_story=story_id, extra=extra)


def carrying_candidates(keys: list[int], story_id: str) -> list[Candidate]:
    """Claims of other stories, any status, that share a band: the stories carrying them."""
    return candidates(_claims(), keys, other_than_story=story_id)


def add_flags(flags: list[ClaimFlagged], now: datetime) -> int:
    """Store flags to send (a flag stored before, same id, is left as it is)."""
    rows = [
        {
            "_id": f.flag_id,
            "story_id": f.story_id,
            "event": f.model_dump(mode="json"),
            "outbox": shared_outbox.new_row(now),
        }
        for f in flags
    ]
    if not rows:
        return 0
    try:
        return len(MemoryFlag._get_collection().insert_many(rows, ordered=False).inserted_ids)
    except BulkWriteError as exc:
        if any(e.get("code") != _DUPLICATE for e in exc.details.get("writeErrors", [])):
            raise
        return int(exc.details.get("nInserted", 0))
