"""The outbox's fields and queries, on the collection of whatever document owns an event.

A row is a document of the owning service (a report in ingest, a story in verify, a
release in publish) with an ``outbox`` sub-document: the event is due while
``outbox.due`` is set. Keeping the fields on the owner's own document means the change
and its outbox row are one write (ingest's one insert per report) or one transaction
(verify's and publish's changes), with no second collection to keep in step.

- ``due``: when the row is to be sent (next); unset once it needs no more sending.
- ``claim`` and ``until``: which worker has it and until when. Claiming is one atomic
  update on rows whose claim is absent or expired, so two replicas never send the same
  row at once, and a crashed replica's rows are taken over once its claim expires.
- ``tries``: failed attempts in a row (the backoff); ``sends``: acknowledged sends.
- ``aside``: why the row was set aside (it can never be sent); it waits no more.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, UpdateMany, UpdateOne
from pymongo.collection import Collection

FIELD = "outbox"
DUE = f"{FIELD}.due"
CLAIM = f"{FIELD}.claim"
UNTIL = f"{FIELD}.until"
TRIES = f"{FIELD}.tries"
SENDS = f"{FIELD}.sends"
SENT_AT = f"{FIELD}.sent_at"
SENT_VERSION = f"{FIELD}.sent_version"
ASIDE = f"{FIELD}.aside"

# A worker that lost rows to another looks past them this many times in all.
CLAIM_ROUNDS = 2

# The index every outbox collection needs (ensured by the owner's documents).
INDEX = {"fields": [DUE]}


def due_now(now: datetime) -> dict[str, Any]:
    """The ``$set`` that makes a row due (a new row, or a change to send again)."""
    return {DUE: now}


def new_row(now: datetime) -> dict[str, Any]:
    """The ``outbox`` sub-document of a row inserted due now."""
    return {"due": now, "tries": 0, "sends": 0}


@dataclass(frozen=True)
class Claimed:
    token: str
    docs: list[dict[str, Any]]


class OutboxRows:
    """The outbox queries on one collection (``collection()`` is looked up each call, so
    a store reconnect is followed)."""

    def __init__(self, collection: Callable[[], Collection[Any]]) -> None:
        self._collection = collection

    def _rows(self) -> Collection[Any]:
        return self._collection()

    @staticmethod
    def _claimable(now: datetime) -> dict[str, Any]:
        return {DUE: {"$lte": now}, "$or": [{UNTIL: None}, {UNTIL: {"$lt": now}}]}

    def claim(
        self,
        now: datetime,
        hold: timedelta,
        limit: int,
        projection: Mapping[str, Any] | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> Claimed:
        """Claim up to ``limit`` due rows, oldest due first, until ``now + hold``.

        Each round is three commands whatever the batch size: find candidates, claim
        those still claimable in one update (atomic per row, so a row another worker
        claimed meanwhile is left out), read back the ones carrying this claim's token,
        with the fields the worker needs. A worker that lost candidates to another one
        looks once more past them, so two replicas polling together share the rows
        instead of one of them getting none. ``where`` narrows the due rows to the ones
        the source wants sent now (ingest leaves the reports verify has not reached yet)."""
        rows = self._rows()
        token = uuid.uuid4().hex
        order = [(DUE, ASCENDING), ("_id", ASCENDING)]
        seen: list[Any] = []
        docs: list[dict[str, Any]] = []
        for _ in range(CLAIM_ROUNDS):
            query = {**self._claimable(now), **(where or {})}
            if seen:
                query["_id"] = {"$nin": seen}
            wanted = limit - len(docs)
            candidates = [
                d["_id"] for d in rows.find(query, projection={"_id": 1}).sort(order).limit(wanted)
            ]
            if not candidates:
                break
            rows.update_many(
                {**self._claimable(now), **(where or {}), "_id": {"$in": candidates}},
                {"$set": {CLAIM: token, UNTIL: now + hold}},
            )
            got = list(
                rows.find({"_id": {"$in": candidates}, CLAIM: token}, projection=projection)
                .sort(order)
            )  # fmt: skip
            docs += got
            seen += candidates
            if len(got) == len(candidates) or len(docs) >= limit:
                break
        return Claimed(token, docs)

    # --- after a send ------------------------------------------------------------------

    def done(self, ids: Iterable[Any], token: str, now: datetime) -> None:
        """Sent and needing nothing more (publish's events)."""
        ids = list(ids)
        if ids:
            self._rows().update_many(
                {"_id": {"$in": ids}, CLAIM: token},
                {"$unset": {DUE: "", CLAIM: "", UNTIL: ""},
                 "$set": {SENT_AT: now, TRIES: 0}, "$inc": {SENDS: 1}},
            )  # fmt: skip

    def done_at_version(
        self,
        sent: Iterable[tuple[Any, int, Mapping[str, Any]]],
        token: str,
        now: datetime,
        version: str = "version",
    ) -> None:
        """Each ``(row_id, version, also)`` sent as of that version: done (with the
        ``$set`` of ``also``) unless the row changed again since, in which case it stays
        due and its next send carries the newer state. The claims are given back."""
        sent = list(sent)
        if not sent:
            return
        # One command: the updates of a bulk write travel together, in this order (the
        # claim is given back only after every row was marked under it).
        self._rows().bulk_write(
            [*(UpdateOne({"_id": row_id, version: v, CLAIM: token},
                         {"$unset": {DUE: ""}, "$set": {SENT_VERSION: v, **also}})
               for row_id, v, also in sent),
             UpdateMany({"_id": {"$in": [row_id for row_id, _, _ in sent]}, CLAIM: token},
                        {"$unset": {CLAIM: "", UNTIL: ""}, "$set": {SENT_AT: now, TRIES: 0},
                         "$inc": {SENDS: 1}})],
            ordered=True,
        )  # fmt: skip

    def done_unclaimed(
        self,
        sent: Iterable[tuple[Any, int, Mapping[str, Any]]],
        now: datetime,
        key: str = "_id",
        version: str = "version",
    ) -> None:
        """Each ``(key value, version, also)`` was sent by the writer of the row itself
        (verify's consumer sends a new story's snapshot with its receipt), no worker having
        claimed it: done as in :meth:`done_at_version`, with one command for them all."""
        sent = list(sent)
        if sent:
            self._rows().bulk_write(
                [UpdateOne({key: value, version: v, CLAIM: None},
                           {"$unset": {DUE: ""}, "$inc": {SENDS: 1},
                            "$set": {SENT_VERSION: v, SENT_AT: now, TRIES: 0, **also}})
                 for value, v, also in sent],
                ordered=False,
            )  # fmt: skip

    def again_after(
        self,
        ids: Iterable[Any],
        token: str,
        now: datetime,
        wait: timedelta,
        at_most: Mapping[str, Any] | None = None,
    ) -> None:
        """Sent, and due again after ``wait`` unless something closes it meanwhile
        (ingest re-sends a report until verify's receipt arrives). ``at_most`` is a
        ``$min`` applied with it (the first time a report was queued)."""
        ids = list(ids)
        if ids:
            update: dict[str, Any] = {
                "$set": {DUE: now + wait, SENT_AT: now, TRIES: 0},
                "$unset": {CLAIM: "", UNTIL: ""},
                "$inc": {SENDS: 1},
            }
            if at_most:
                update["$min"] = dict(at_most)
            result = self._rows().update_many(
                {"_id": {"$in": ids}, CLAIM: token, DUE: {"$ne": None}}, update
            )
            # A row closed while it was being sent only gives its claim back (a command
            # only when there is one: the store answers every command in turn).
            if result.matched_count < len(ids):
                self.release(ids, token)

    def retry_after(self, ids: Iterable[Any], token: str, now: datetime, wait: timedelta) -> None:
        """Not acknowledged (the broker is down or slow): due again after ``wait``."""
        ids = list(ids)
        if ids:
            self._rows().update_many(
                {"_id": {"$in": ids}, CLAIM: token, DUE: {"$ne": None}},
                {"$set": {DUE: now + wait}, "$inc": {TRIES: 1}},
            )
            self.release(ids, token)

    def set_aside(self, row_id: Any, token: str, reason: str, detail: str, now: datetime) -> None:
        """This row can never be sent: it waits no more, and says why."""
        self._rows().update_one(
            {"_id": row_id, CLAIM: token},
            {"$unset": {DUE: "", CLAIM: "", UNTIL: ""},
             "$set": {ASIDE: {"reason": reason, "detail": detail[:2000], "at": now}}},
        )  # fmt: skip

    def release(self, ids: Iterable[Any], token: str) -> None:
        ids = list(ids)
        if ids:
            self._rows().update_many(
                {"_id": {"$in": ids}, CLAIM: token}, {"$unset": {CLAIM: "", UNTIL: ""}}
            )

    # --- outside the worker ------------------------------------------------------------

    def adopt(self, legacy: Mapping[str, Any], now: datetime) -> int:
        """Make due the rows stored before the outbox fields existed that still wait to be
        sent (``legacy`` says which), so an upgrade loses none of them."""
        result = self._rows().update_many(
            {**legacy, FIELD: {"$exists": False}}, {"$set": {FIELD: new_row(now)}}
        )
        return int(result.modified_count)

    def close(self, row_id: Any) -> bool:
        """Nothing more to send for this row (a receipt arrived)."""
        result = self._rows().update_one({"_id": row_id}, {"$unset": {DUE: ""}})
        return bool(result.matched_count)

    def oldest_due(self, now: datetime, where: Mapping[str, Any] | None = None) -> datetime | None:
        """When the longest-waiting due row (of those ``where`` picks) became due (None
        when nothing is due)."""
        doc = self._rows().find_one(
            {DUE: {"$lte": now}, **(where or {})}, projection={DUE: 1}, sort=[(DUE, ASCENDING)]
        )
        if doc is None:
            return None
        due = doc.get(FIELD, {}).get("due")
        return due if isinstance(due, datetime) else None

    def backlog(self, now: datetime) -> int:
        return int(self._rows().count_documents({DUE: {"$lte": now}}))
