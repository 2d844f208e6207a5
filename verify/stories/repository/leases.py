"""Leases: taking one is one atomic conditional update, before the transaction that
records it.

Twenty reviewers leasing one claim at once used to run twenty multi-document
transactions that aborted each other for the whole retry window (and answered 500).
Here the claim is read by its id, and if it is open, at this version, and has no live lease
but mine, one update conditional on the lease it read (compare-and-set) takes it; every
other caller finds nothing to update and is answered 409 with the holder at once, without
starting a transaction. (Not a ``find_one_and_update`` with ``$or``: the store answers
both by reading every stored claim; ``services.store.update_and_read``.) Only the winner
goes on to record the lease (audit entry, story version) in the usual transaction, which
applies only while the stored lease is still the one taken (``ClaimWrite.lease_taken``: a
give-back recorded in between wins, and the lease is refused); if that fails,
:func:`give_back` restores the lease as it was.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.contracts import ReviewStatus
from verify.stories.documents import Claim
from verify.stories.records import ClaimRecord
from verify.stories.repository.claims import WHOLE, record_of

_LEASE_FIELDS = ("lease_holder_id", "lease_holder", "lease_until")
_HOLDER = {"_id": 0, "claim_id": 1, "lease_holder_id": 1, "lease_until": 1}


def _claims() -> Any:
    return Claim._get_collection()


def _lease_of(record: ClaimRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in _LEASE_FIELDS}


def take(before: ClaimRecord, after: ClaimRecord, now: datetime) -> bool:
    """Set ``after``'s lease on the stored claim if it is still ``before``'s version,
    open, and unleased, leased out of time or leased by ``after``'s holder."""
    claims = _claims()
    current = {"claim_id": before.claim_id, "version": before.version, "open": True}
    seen = claims.find_one(current, {"_id": 1, "lease_holder_id": 1, "lease_until": 1})
    if seen is None:
        return False
    holder, until = seen.get("lease_holder_id"), seen.get("lease_until")
    if holder is not None and holder != after.lease_holder_id and (until is None or until > now):
        return False
    unchanged = {**current, "_id": seen["_id"], "lease_holder_id": holder, "lease_until": until}
    return bool(claims.update_one(unchanged, {"$set": _lease_of(after)}).matched_count == 1)


def give_back(before: ClaimRecord, after: ClaimRecord) -> None:
    """Undo :func:`take` (the recording transaction failed): only if the lease is still
    the one it set."""
    _claims().update_one(
        {"claim_id": after.claim_id, **_lease_of(after)}, {"$set": _lease_of(before)}
    )


def held_by(user_ids: list[str], now: datetime) -> list[ClaimRecord]:
    """The open claims one of ``user_ids`` holds a live lease on.

    Read only when a user was revoked (a rare admin act), so no index of its own: a
    lease's holder is not unset when it ends (given back, it is stored as null; run out,
    it stays; a new claim is stored with it null), so every claim carries the field and a
    sparse index on it would hold every claim, one more entry the store writes on each
    of their writes. And the store uses an index only for a filter of indexed fields
    (with ``lease_holder_id`` beside ``open`` it reads every claim, closed ones of past
    revisions too): so the open claims are read by the queue's index ``(open, status,
    ...)``, one status at a time (the store's read lock let go between them), only their
    lease fields sent, and the held ones read again whole by id. That decodes every open
    claim once a revocation, as the queue's counts do at their pace."""
    held: list[str] = []
    claims = _claims()
    for status in ReviewStatus:
        found = claims.find({"open": True, "status": status.value}, _HOLDER)
        held += [
            doc["claim_id"]
            for doc in found
            if doc.get("lease_holder_id") in user_ids
            and doc.get("lease_until") is not None
            and doc["lease_until"] > now
        ]
    records = [
        record_of(doc)
        for claim_id in held
        if (doc := claims.find_one({"claim_id": claim_id}, WHOLE))
    ]
    return [r for r in records if r.open and r.lease_holder_id in user_ids]
