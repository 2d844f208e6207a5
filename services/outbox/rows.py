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
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, UpdateOne
from pymongo.collection import Collection

from services.store import update_each

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


# The earliest a due time can be: the lower bound of every query on ``outbox.due``. The
# index holds a null entry for each row that is not due (sent, closed, set aside), null
# sorts below every date, and SecantusDB walks a ``$lte``-only range from the index's
# start: ``{due: {$lte: now}}`` fetched every closed row (110 ms at 3,000 closed reports;
# 1 ms with this bound). A sparse index would drop those entries too, but SecantusDB
# (0.7, storage.py ``_compound_index_for_sort``, ``_sparse_index_usable``) honours
# sparse and partial indexes when writing and only serves a query from one it can prove
# covers it: a partial ``{$exists: true}`` index was not used for ``$lte`` at all, and
# changing an existing index's options fails at start-up (IndexOptionsConflict).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _due_bound(now: datetime, where: Mapping[str, Any] | None) -> tuple[datetime, dict[str, Any]]:
    """The latest due time to take, and the rest of ``where`` (a filter of its own)."""
    rest = dict(where or {})
    bound = rest.get(DUE)
    if (
        isinstance(bound, Mapping)
        and set(bound) == {"$lte"}
        and isinstance(bound["$lte"], datetime)
    ):
        del rest[DUE]
        return min(_aware(now), _aware(bound["$lte"])), rest
    return now, rest


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)  # the driver's naive UTC


def _claimable_by(row: Mapping[str, Any], now: datetime) -> bool:
    """Unclaimed, or its claim expired (the row's ``outbox`` as read)."""
    until = row.get("until")
    return until is None or _aware(until) < _aware(now)


def _take(token: str, now: datetime, until: datetime, due_by: datetime) -> list[dict[str, Any]]:
    """The update pipeline that claims a row still claimable (due by ``due_by``, its claim
    absent or expired); any other row is left as it is (not rewritten)."""
    still = {"$and": [
        {"$eq": [{"$type": f"${DUE}"}, "date"]},
        {"$lte": [f"${DUE}", due_by]},
        {"$lt": [{"$ifNull": [f"${UNTIL}", None]}, now]},
    ]}  # fmt: skip
    return [{"$set": {CLAIM: {"$cond": [still, token, f"${CLAIM}"]},
                      UNTIL: {"$cond": [still, until, f"${UNTIL}"]}}}]  # fmt: skip


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

    def claim(
        self,
        now: datetime,
        hold: timedelta,
        limit: int,
        projection: Mapping[str, Any] | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> Claimed:
        """Claim up to ``limit`` due rows, oldest due first, until ``now + hold``.

        Three commands whatever the batch size (one when nothing is due), each answered
        from an index: the due rows in due order from ``outbox.due``'s index (their
        claims read with them, the unclaimed ones picked here); one update of the picked
        rows by ``_id`` whose pipeline takes each row only if it is still claimable
        (atomic per row, so a row another worker claimed meanwhile is left out); the
        rows read back by ``_id``, those carrying this claim's token kept. SecantusDB
        reads every document of the collection for a filter with ``$or`` (60-400 ms at
        3,000 reports), which the claim's filter had: every poll of every relay read
        every row it ever stored.
        A worker that lost picked rows to another takes the next unclaimed ones it read,
        so two replicas polling together share the rows instead of one of them getting
        none. ``where`` narrows the due rows to the ones the source wants sent now
        (ingest leaves the reports verify has not reached yet): a bound on ``outbox.due``
        (``{DUE: {"$lte": t}}``) stays on the index; anything else is a filter of its own."""
        rows = self._rows()
        token = uuid.uuid4().hex
        due_by, rest = _due_bound(now, where)
        query = {DUE: {"$gte": EPOCH, "$lte": due_by}, **rest}
        found = rows.find(query, projection={"_id": 1, CLAIM: 1, UNTIL: 1})
        candidates = [
            d["_id"]
            for d in found.sort([(DUE, ASCENDING)]).limit(CLAIM_ROUNDS * limit)
            if _claimable_by(d.get(FIELD, {}), now)
        ]
        if projection is not None and FIELD not in projection:
            projection = {**projection, CLAIM: 1}
        docs: list[dict[str, Any]] = []
        for _ in range(CLAIM_ROUNDS):
            picked, candidates = candidates[: limit - len(docs)], candidates[limit - len(docs) :]
            if not picked:
                break
            update_each(rows, picked, _take(token, now, now + hold, due_by))
            order = {row_id: i for i, row_id in enumerate(picked)}
            got = [
                d for d in rows.find({"_id": {"$in": picked}}, projection=projection)
                if d.get(FIELD, {}).get("claim") == token
            ]  # fmt: skip
            docs += sorted(got, key=lambda d: order[d["_id"]])
            if len(got) == len(picked) or len(docs) >= limit:
                break
        return Claimed(token, docs)

    # --- after a send ------------------------------------------------------------------

    def done(self, ids: Iterable[Any], token: str, now: datetime) -> None:
        """Sent and needing nothing more (publish's events)."""
        ids = list(ids)
        if ids:
            update_each(
                self._rows(), ids,
                {"$unset": {DUE: "", CLAIM: "", UNTIL: ""},
                 "$set": {SENT_AT: now, TRIES: 0}, "$inc": {SENDS: 1}},
                where={CLAIM: token},
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
             *(UpdateOne({"_id": row_id, CLAIM: token},
                         {"$unset": {CLAIM: "", UNTIL: ""}, "$set": {SENT_AT: now, TRIES: 0},
                          "$inc": {SENDS: 1}})
               for row_id, _, _ in sent)],
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
            matched = update_each(
                self._rows(), ids, update, where={CLAIM: token, DUE: {"$ne": None}}
            )
            # A row closed while it was being sent only gives its claim back (a command
            # only when there is one: the store answers every command in turn).
            if matched < len(ids):
                self.release(ids, token)

    def retry_after(self, ids: Iterable[Any], token: str, now: datetime, wait: timedelta) -> None:
        """Not acknowledged (the broker is down or slow): due again after ``wait``."""
        ids = list(ids)
        if ids:
            update_each(
                self._rows(), ids, {"$set": {DUE: now + wait}, "$inc": {TRIES: 1}},
                where={CLAIM: token, DUE: {"$ne": None}},
            )  # fmt: skip
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
            update_each(self._rows(), ids, {"$unset": {CLAIM: "", UNTIL: ""}}, where={CLAIM: token})

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
        due_by, rest = _due_bound(now, where)
        doc = self._rows().find_one(
            {DUE: {"$gte": EPOCH, "$lte": due_by}, **rest},
            projection={DUE: 1},
            sort=[(DUE, ASCENDING)],
        )
        if doc is None:
            return None
        due = doc.get(FIELD, {}).get("due")
        return due if isinstance(due, datetime) else None

    def backlog(self, now: datetime) -> int:
        return int(self._rows().count_documents({DUE: {"$gte": EPOCH, "$lte": now}}))
