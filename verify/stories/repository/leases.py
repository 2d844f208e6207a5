"""Leases: taking one is one atomic conditional update, before the transaction that
records it.

Twenty reviewers leasing one claim at once used to run twenty multi-document
transactions that aborted each other for the whole retry window (and answered 500).
Here the first ``find_one_and_update`` whose filter ("open, this version, and no live
lease but mine") matches takes the lease; every other caller finds nothing to update and
is answered 409 with the holder at once, without starting a transaction. Only the winner
goes on to record the lease (audit entry, story version) in the usual transaction; if
that fails, :func:`give_back` restores the lease as it was.
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
    query = {
        "claim_id": before.claim_id,
        "version": before.version,
        "open": True,
        "$or": [
            {"lease_holder_id": None},
            {"lease_until": {"$lte": now}},
            {"lease_holder_id": after.lease_holder_id},
        ],
    }
    found = Claim._get_collection().find_one_and_update(
        query, {"$set": _lease_of(after)}, projection={"_id": 1}
    )
    return found is not None


def give_back(before: ClaimRecord, after: ClaimRecord) -> None:
    """Undo :func:`take` (the recording transaction failed): only if the lease is still
    the one it set."""
    Claim._get_collection().update_one(
        {"claim_id": after.claim_id, **_lease_of(after)}, {"$set": _lease_of(before)}
    )
