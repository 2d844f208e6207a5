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

from verify.stories.documents import Claim
from verify.stories.records import ClaimRecord

_LEASE_FIELDS = ("lease_holder_id", "lease_holder", "lease_until")


def _lease_of(record: ClaimRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in _LEASE_FIELDS}


def take(before: ClaimRecord, after: ClaimRecord, now: datetime) -> bool:
    """Set ``after``'s lease on the stored claim if it is still ``before``'s version,
    open, and unleased, leased out of time or leased by ``after``'s holder."""
    claims = Claim._get_collection()
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
    Claim._get_collection().update_one(
        {"claim_id": after.claim_id, **_lease_of(after)}, {"$set": _lease_of(before)}
    )
