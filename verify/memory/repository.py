"""Claim memory in verify's store: each claim carries its statement (``memory``) and its
band keys (``memory_bands``, a multikey index), so a lookup is one indexed query that
every replica shares and that survives restarts."""

from __future__ import annotations

from typing import Any

from pymongo.collection import Collection

from verify.memory.fingerprint import bands
from verify.memory.lookup import MAX_CANDIDATES
from verify.memory.statement import Statement

STATEMENT = "memory"
BANDS = "memory_bands"
INDEX = {"fields": [BANDS]}  # mongoengine index spec for the claims collection


def fields(statement: Statement) -> dict[str, Any]:
    """What a claim stores for memory: its statement and its band keys."""
    return {STATEMENT: statement.to_doc(), BANDS: bands(statement.terms)}


def candidates(
    claims: Collection[dict[str, Any]],
    keys: list[int],
    *,
    other_than_story: str,
    extra: dict[str, Any] | None = None,
    limit: int = MAX_CANDIDATES,
) -> list[dict[str, Any]]:
    """Claims of other stories sharing a band with ``keys`` (at most ``limit``)."""
    if not keys:
        return []
    query: dict[str, Any] = {BANDS: {"$in": keys}, "story_id": {"$ne": other_than_story}}
    query.update(extra or {})
    projection = {"_id": 0, "claim_id": 1, "story_id": 1, STATEMENT: 1}
    return list(claims.find(query, projection).limit(limit))
