"""Claim memory for the claims reviewed before it existed.

A version before claim memory stored no statement with a claim, and this one reads a
claim only when it is reviewed (or looked up): a claim reviewed, and perhaps released,
before the upgrade would never be offered as an earlier review, and marking the same
claim false in a new story would not flag the stories that released it. A worker reads
those claims once, a batch at a time, at start-up; once it finds none it asks no more
(every claim reviewed since is read at its review). Replicas may read the same claim:
the write is conditional and the statement the same.
"""

from __future__ import annotations

from services.log import get_logger
from services.runtime import PeriodicWorker
from verify.memory import repository
from verify.memory.statement import read

log = get_logger(__name__)

BATCH = 100
INTERVAL = 30.0  # only while the store cannot be read: the work itself runs back to back


def read_unread(batch: int = BATCH) -> bool:
    """Store the statement of up to ``batch`` reviewed claims that have none; True when
    there may be more."""
    docs = repository.unread_reviewed(batch)
    written = 0
    for doc in docs:
        # The claim's norm as stored (None when missing), so the conditional write
        # matches an unchanged claim.
        text = doc.get("text") or ""
        written += repository.store_unread(doc["claim_id"], read(text), doc.get("norm"))
    if docs:
        log.info("claim_memory_backfilled", claims=written, skipped=len(docs) - written)
    # A full batch of which nothing could be written would come back whole next time:
    # stop rather than read it back to back forever.
    return len(docs) == batch and written > 0


class Backfill:
    """The worker's work: done for this process once a batch comes back short."""

    def __init__(self, batch: int = BATCH) -> None:
        self.batch = batch
        self.done = False

    def __call__(self) -> bool:
        if self.done:
            return False
        more = read_unread(self.batch)
        self.done = not more
        return more


def backfill_worker() -> PeriodicWorker:
    return PeriodicWorker("claim-memory-backfill", INTERVAL, Backfill())
