"""Queries of claims and their audit (documents: :mod:`verify.stories.documents`).

Every change of a claim is one conditional update on ``claim_id`` + ``version`` (and the
lease, where it matters), with its audit entry inserted in the same transaction: a change
without its audit cannot happen.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from mongoengine import Document
from pymongo import UpdateOne
from pymongo.client_session import ClientSession

from verify.common import Actor
from verify.stories.documents import Claim, ClaimAudit
from verify.stories.records import (
    AttributionRecord,
    ClaimRecord,
    ClaimWrite,
    StaleClaim,
    detected_dict,
    detected_of,
    signal_dict,
    signal_of,
)

T = TypeVar("T")
_FIELDS = tuple(f.name for f in dataclasses.fields(ClaimRecord))
# What the audit shows of a change: the fields a person reads, not bookkeeping.
AUDITED = (
    "text",
    "start",
    "end",
    "revision",
    "status",
    "contested",
    "attributions",
    "note",
    "origin",
    "open",
    "closed_reason",
    "lease_holder",
    "lease_until",
    "reviewed_by",
)


def record_of(doc: dict[str, Any]) -> ClaimRecord:
    """A stored claim as its typed record."""
    values: dict[str, Any] = {name: doc.get(name) for name in _FIELDS}
    # A projected read (DESK, RULE) leaves these out.
    values["text"] = values["text"] or ""
    values["norm"] = values["norm"] or ""
    values["contest_signals"] = [signal_of(s) for s in values["contest_signals"] or []]
    values["hedges"] = [signal_of(s) for s in values["hedges"] or []]
    values["headline"] = bool(values["headline"])
    values["detected_attributions"] = [
        detected_of(a) for a in values["detected_attributions"] or []
    ]
    values["attributions"] = [AttributionRecord.of(a) for a in values["attributions"] or []]
    values["checkable_reasons"] = list(values["checkable_reasons"] or [])
    values["declared_sources"] = list(values["declared_sources"] or [])
    return ClaimRecord(**values)


def doc_of(record: ClaimRecord) -> dict[str, Any]:
    """A claim record in its stored form (plain values; also what the audit compares)."""
    values = {name: getattr(record, name) for name in _FIELDS}
    values["contest_signals"] = [signal_dict(s) for s in record.contest_signals]
    values["hedges"] = [signal_dict(s) for s in record.hedges]
    values["detected_attributions"] = [detected_dict(a) for a in record.detected_attributions]
    values["attributions"] = [a.as_dict() for a in record.attributions]
    return values


# The field of a claim that holds its "created" audit entry (seq 1), written with it.
CREATED = "created_audit"
# Claim reads leave it out: only the history shows it.
_NOT_CREATED = {CREATED: 0}
# What a read of current claims leaves out besides, by what its reader needs (a 1,000-claim
# story is read whole only where the whole snapshot is wanted; the store encodes, and the
# service decodes, every field it sends):
# - WHOLE: nothing more (the snapshot as the event and the reviewers show it);
# - DESK: what detection saw and worked with (publish's read model and gate use the
#   claims' text, spans, status, holders and attribution records, not detection's);
# - RULE: also the claims' text and the records' quotes and links (the publish rule's
#   inputs only: whether the story is cleared, and why not).
WHOLE: Mapping[str, int] = _NOT_CREATED
DESK: Mapping[str, int] = {
    **_NOT_CREATED,
    **dict.fromkeys(
        ("norm", "contest_signals", "detected_attributions", "hedges", "checkable_reasons",
         "declared_sources"), 0,
    ),
}  # fmt: skip
RULE: Mapping[str, int] = {**DESK, "text": 0, "attributions.quote": 0, "attributions.url": 0}
# - CLOSING: only what closing a claim reads and changes (``records.closed``; the sweep's
#   one read of the claims a revision dropped: the store fetches every match of a read,
#   and a read of 999 whole claims held its reads for 0.1-0.4 s).
CLOSING: Mapping[str, int] = dict.fromkeys(
    ("claim_id", "story_id", "revision", "version", "open", "closed_reason",
     "lease_holder_id", "lease_holder", "lease_until", "updated_at"), 1,
)  # fmt: skip


def _collection(document: type[Document]) -> Any:
    return document._get_collection()


def _audit_view(values: dict[str, Any]) -> dict[str, Any]:
    return {k: values[k] for k in AUDITED if k in values}


def _entry(write: ClaimWrite, seq: int, before: dict[str, Any], after: dict[str, Any],
           actor: Actor, now: datetime) -> dict[str, Any]:  # fmt: skip
    return {
        "claim_id": write.after.claim_id,
        "seq": seq,
        "story_id": write.after.story_id,
        "version": write.after.version,
        "at": now,
        "actor": (write.by or actor).as_dict(),
        "action": write.action,
        "detail": write.detail,
        "before": before,
        "after": {**after, **write.extra_audit},
    }


def _stored_leases(
    claims: Any, writes: list[ClaimWrite], session: ClientSession | None
) -> dict[str, tuple[Any, Any]]:
    """(holder id, until) of each claim a write conditions on its lease, as stored now."""
    ids = [w.after.claim_id for w in writes if w.lease_for is not None]
    if not ids:
        return {}
    found = claims.find(
        {"claim_id": {"$in": ids}},
        projection={"claim_id": 1, "lease_holder_id": 1, "lease_until": 1},
        session=session,
    )
    return {d["claim_id"]: (d.get("lease_holder_id"), d.get("lease_until")) for d in found}


def _update_of(
    write: ClaimWrite, now: datetime, stored_lease: tuple[Any, Any] | None
) -> tuple[UpdateOne, dict[str, Any]]:
    """The conditional update of one existing claim, and what it changes.

    With ``lease_for``, ``stored_lease`` is the claim's (holder id, until) as read in this
    transaction: the update asserts it (compare-and-set), and matches nothing when another
    holds it. Not an "unleased, out of time or mine" ``$or`` in the filter, which the store
    answers by reading every stored claim (DEVELOPERS.md, "No findAndModify")."""
    assert write.before is not None
    previous = doc_of(write.before)
    changed = {k: v for k, v in doc_of(write.after).items() if previous.get(k) != v}
    query: dict[str, Any] = {
        "claim_id": write.before.claim_id,
        "version": write.before.version,
        "open": True,
    }
    if write.lease_held:
        query["lease_holder_id"] = write.before.lease_holder_id
        query["lease_until"] = write.before.lease_until
    elif write.lease_taken:
        # Recording a lease the atomic take set: only while it is still that lease. A
        # give-back recorded between the take and this write freed the claim, and "mine
        # or free" would let this write put a lease end on a claim nobody holds (and
        # answer the reviewer that they hold it).
        query["lease_holder_id"] = write.after.lease_holder_id
        query["lease_until"] = write.after.lease_until
    elif write.lease_for is not None:
        holder, until = stored_lease if stored_lease is not None else (None, None)
        free = holder is None or holder == write.lease_for or (until is not None and until <= now)
        query["lease_holder_id"] = holder if free and stored_lease is not None else {"$in": []}
        query["lease_until"] = until
    update: dict[str, Any] = {"$inc": {"audit_seq": 1}}
    if changed:
        update["$set"] = changed
    return UpdateOne(query, update), changed


def apply_writes(
    session: ClientSession, writes: list[ClaimWrite], actor: Actor, now: datetime
) -> list[ClaimRecord]:
    """Apply ``writes`` in order inside ``session``'s transaction, each with its audit entry.

    A few commands whatever the number of writes (bench: round trips to the store were
    most of a revision's transaction): new claims with one ``insert_many``, each carrying
    its own "created" audit entry (:data:`CREATED`: the store's cost is per document, and
    a new story's claims were half the documents it wrote), updates with one ordered
    ``bulk_write`` (then one read of their audit numbers), their audit entries with one
    ``insert_many``. New claims go in before the updates, which may be of one of them
    (a late revision's claims are created, then closed); a claim changed twice in one
    list starts a second round. Inserts, updates and the read of their audit numbers go in
    slices of ``INSERT_SLICE`` documents (:func:`paced`: fewer, with rests, in the large
    lane): the store locks a collection for a whole statement, so a revision of 1,000
    claims in one statement held every other story's writes for seconds; between slices
    they go on."""
    claims = _collection(Claim)
    entries: list[dict[str, Any]] = []
    rounds: list[list[ClaimWrite]] = [[]]
    for write in writes:
        ids = {w.after.claim_id for w in rounds[-1] if w.before is not None}
        if write.before is not None and write.before.claim_id in ids:
            rounds.append([])
        rounds[-1].append(write)
    for batch in rounds:
        new = [w for w in batch if w.before is None]
        if new:
            docs = []
            for w in new:
                values = doc_of(w.after)
                created = _entry(w, 1, {}, _audit_view(values), actor, now)
                del created["claim_id"]
                docs.append({**values, "audit_seq": 1, CREATED: created})
            _insert_sliced(claims, docs, session)
        leases = _stored_leases(claims, [w for w in batch if w.before is not None], session)
        updates = [
            (w, *_update_of(w, now, leases.get(w.after.claim_id)))
            for w in batch
            if w.before is not None
        ]
        if not updates:
            continue
        results = _sliced(
            [u for _, u, _ in updates],
            lambda part: claims.bulk_write(part, ordered=True, session=session),
        )
        updated = [w.after.claim_id for w, _, _ in updates]
        seqs = {
            d["claim_id"]: (int(d["audit_seq"]), d.get("version"))
            for part in _sliced(updated, lambda ids: list(claims.find(
                {"claim_id": {"$in": ids}},
                projection={"claim_id": 1, "audit_seq": 1, "version": 1},
                session=session,
            )))
            for d in part
        }  # fmt: skip
        if sum(r.matched_count for r in results) != len(updates):
            raise StaleClaim(_first_stale(updates, seqs))
        for write, _, changed in updates:
            assert write.before is not None
            before = doc_of(write.before)
            entries.append(
                _entry(
                    write,
                    seqs[write.after.claim_id][0],
                    _audit_view({k: before[k] for k in changed}),
                    _audit_view(changed),
                    actor,
                    now,
                )
            )
    if entries:
        _insert_sliced(_collection(ClaimAudit), entries, session)
    return [w.after for w in writes]


def close_claims(
    session: ClientSession, writes: list[ClaimWrite], actor: Actor, now: datetime
) -> None:
    """Apply ``writes`` that each close one open claim the same way (the sweep's: the same
    fields set to the same values, the version up by one) as one ``update_many`` by
    ``claim_id``, with their audit entries, inside ``session``'s transaction.

    :func:`apply_writes` sends one conditional update per claim, and the store runs each
    as a statement (a 999-claim sweep cost it about 16 s); this is three statements a
    slice. The per-claim condition becomes a read in the same transaction: a claim gone,
    closed, or not at the version planned is :class:`StaleClaim` (read again, plan again);
    one changed after that read makes the transaction conflict."""
    if not writes:
        return
    claims = _collection(Claim)
    ids = [w.after.claim_id for w in writes]
    stored = {
        d["claim_id"]: d
        for d in claims.find(
            {"claim_id": {"$in": ids}, "open": True},
            projection={"claim_id": 1, "audit_seq": 1, "version": 1},
            session=session,
        )
    }
    fields: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    for write in writes:
        assert write.before is not None
        before, after = doc_of(write.before), doc_of(write.after)
        found = stored.get(write.after.claim_id)
        if found is None or found.get("version") != write.before.version:
            raise StaleClaim(write.after.claim_id)
        changed = {k: v for k, v in after.items() if before.get(k) != v}
        if changed.pop("version", None) != write.before.version + 1:
            raise ValueError(f"not a close of {write.after.claim_id}: its version must rise by 1")
        for key, value in changed.items():
            if fields.setdefault(key, value) != value:
                raise ValueError(f"the closes differ in {key}: one update_many cannot do them")
        changed["version"] = write.after.version
        entries.append(
            _entry(
                write,
                int(found.get("audit_seq") or 0) + 1,
                _audit_view({k: before[k] for k in changed}),
                _audit_view(changed),
                actor,
                now,
            )
        )
    update: dict[str, Any] = {"$inc": {"version": 1, "audit_seq": 1}}
    if fields:
        update["$set"] = fields
    result = claims.update_many({"claim_id": {"$in": ids}, "open": True}, update, session=session)
    if result.matched_count != len(ids):
        raise StaleClaim(ids[0])
    _insert_sliced(_collection(ClaimAudit), entries, session)


# Documents per insert or update statement inside a transaction (see ``apply_writes``).
INSERT_SLICE = 100


@dataclass(frozen=True)
class Pace:
    """How this thread's sliced writes go: ``size`` documents to a statement, and after
    each statement a rest of ``rest`` times as long as it took (0: none)."""

    size: int = INSERT_SLICE
    rest: float = 0.0


_PACE: ContextVar[Pace | None] = ContextVar("write_pace", default=None)


@contextmanager
def paced(rest: float, size: int = INSERT_SLICE) -> Iterator[None]:
    """Within this block, this thread's sliced writes go ``size`` documents to a statement
    and rest ``rest`` times as long as each slice took before the next (the large lane: the
    store holds a collection for a whole write statement, about 2-4 ms a claim, so a
    statement of 100 claims held every other story's writes for 0.2-1 s; slices back to
    back kept the store busy for seconds). The rest is inside the transaction, which still
    commits whole: readers see all of the revision's claims or none, only later."""
    token = _PACE.set(Pace(size, rest))
    try:
        yield
    finally:
        _PACE.reset(token)


def pause(seconds: float) -> None:
    """The rest between two write slices (see :func:`paced`)."""
    time.sleep(seconds)


def _sliced(items: list[T], send: Callable[[list[T]], Any]) -> list[Any]:
    """``send`` each slice of ``items`` (:func:`paced`: how many to a slice, and the rest
    after each but the last); what each ``send`` answered."""
    pace = _PACE.get() or Pace()
    out = []
    for start in range(0, len(items), pace.size):
        began = time.monotonic()
        out.append(send(items[start : start + pace.size]))
        if pace.rest > 0 and start + pace.size < len(items):
            pause(pace.rest * (time.monotonic() - began))
    return out


def _insert_sliced(collection: Any, docs: list[dict[str, Any]], session: ClientSession) -> None:
    _sliced(docs, lambda part: collection.insert_many(part, ordered=True, session=session))


def _first_stale(
    updates: list[tuple[ClaimWrite, UpdateOne, dict[str, Any]]],
    stored: dict[str, tuple[int, Any]],
) -> str:
    """The first claim of an ordered bulk update that did not apply (the store stops there):
    gone, or not at the version the write left it at."""
    for write, _, _ in updates:
        found = stored.get(write.after.claim_id)
        if found is None or found[1] != write.after.version:
            return write.after.claim_id
    return updates[0][0].after.claim_id


# --- reads -------------------------------------------------------------------------------


def get_claim(claim_id: str, session: ClientSession | None = None) -> ClaimRecord | None:
    doc = _collection(Claim).find_one({"claim_id": claim_id}, _NOT_CREATED, session=session)
    return record_of(doc) if doc else None


def open_claims(story_id: str, session: ClientSession | None = None) -> list[ClaimRecord]:
    query = {"story_id": story_id, "open": True}
    cursor = _collection(Claim).find(query, _NOT_CREATED, session=session)
    return sorted((record_of(d) for d in cursor), key=lambda c: (c.start, c.end))


def open_claims_before(
    story_id: str, revision: int, limit: int = 0, fields: Mapping[str, int] = WHOLE
) -> list[ClaimRecord]:
    """Up to ``limit`` (0: all) open claims of the story's revisions before ``revision``;
    ``fields``: what the read keeps or leaves out (``WHOLE``, ``CLOSING``)."""
    query = {"story_id": story_id, "open": True, "revision": {"$lt": revision}}
    return [record_of(d) for d in _collection(Claim).find(query, dict(fields)).limit(limit)]


# A read of one story's claims of one revision goes in windows of where they start in the
# text when the text is longer than ``WINDOW`` characters: the store holds every other read
# while it decodes all that a read matches (before any limit), and a read of 1,000 claims
# held them 150-600 ms, when ordinary stories were slowest. A window is a range on the
# claims' index, ``(story_id, open, revision, start)``, so the store decodes only what it
# holds. The first is ``WINDOW`` wide (at most about 100 claims in the densest text
# detection finds claims in, short attributed sentences); each next one is sized to hold
# about ``PAGE`` claims at the density the last one found, and at most four times as wide.
PAGE = 100
WINDOW = 4_000


def windows(read: Callable[[dict[str, Any]], list[T]], span: int) -> Iterator[list[T]]:
    """``read`` (a find given the condition on ``start``) window by window over
    ``[0, span)``, then once for every claim starting at ``span`` or after (a text longer
    than the one the span was taken from): together, every claim, each once."""
    low, width = 0, WINDOW
    while low < span:
        found = read({"$gte": low, "$lt": low + width})
        yield found
        low += width
        width = max(1, min(4 * width, width * PAGE // max(1, len(found))))
    yield read({"$gte": low})


def revision_claims(
    story_id: str,
    revision: int,
    span: int,
    session: ClientSession | None = None,
    fields: Mapping[str, int] = WHOLE,
) -> Iterator[list[ClaimRecord]]:
    """The open claims of one revision of a story, window by window (:func:`windows`);
    ``span``: the length of the revision's text (its body, or its headline if longer)."""

    def read(start: dict[str, Any]) -> list[ClaimRecord]:
        query = {"story_id": story_id, "open": True, "revision": revision, "start": start}
        return [record_of(d) for d in _collection(Claim).find(query, dict(fields), session=session)]

    return windows(read, span)


def current_claims_of(
    revisions: Mapping[str, int],
    session: ClientSession | None = None,
    fields: Mapping[str, int] = WHOLE,
    spans: Mapping[str, int] | None = None,
) -> dict[str, list[ClaimRecord]]:
    """The open claims of each story's given revision (its current one: what a snapshot
    shows), by story id; one query per distinct revision. The claims a revision dropped,
    open until the sweep closes them, are not read: a 1,000-claim revision revised to one
    line was read whole by every snapshot until then (the outbox's, publish's). ``fields``:
    what the read leaves out (``WHOLE``, ``DESK``, ``RULE``). ``spans``: the length of each
    story's text; a story's whose is over ``WINDOW`` is read alone, in windows
    (:func:`revision_claims`). A story read alone is named by an equality: the store
    answers ``story_id: {$in: [...]}`` beside other fields from the story's every claim, of
    every revision, open or not."""
    out: dict[str, list[ClaimRecord]] = {s: [] for s in revisions}
    by_revision: dict[int, list[str]] = {}
    for story_id, revision in revisions.items():
        span = (spans or {}).get(story_id, 0)
        if span > WINDOW:
            for part in revision_claims(story_id, revision, span, session, fields):
                out[story_id] += part
        else:
            by_revision.setdefault(revision, []).append(story_id)
    for revision, story_ids in by_revision.items():
        named: Any = story_ids[0] if len(story_ids) == 1 else {"$in": story_ids}
        query = {"story_id": named, "open": True, "revision": revision}
        for doc in _collection(Claim).find(query, dict(fields), session=session):
            out.setdefault(doc["story_id"], []).append(record_of(doc))
    for claims in out.values():
        claims.sort(key=lambda c: (c.start, c.end))
    return out


def history(claim_id: str) -> list[dict[str, Any]]:
    """The claim's audit, oldest first: its "created" entry (kept on the claim since it was
    created; claims stored before that have it in ``claim_audit``), then every change."""
    found = _collection(Claim).find_one({"claim_id": claim_id}, projection={CREATED: 1})
    entries = [dict(e) for e in _collection(ClaimAudit).find({"claim_id": claim_id}).sort("seq", 1)]
    created = (found or {}).get(CREATED)
    if created and not any(e.get("seq") == created.get("seq") for e in entries):
        entries.insert(0, {"claim_id": claim_id, **created})
    return entries


# --- the snapshot outbox ------------------------------------------------------------------
