"""Claims and their audit: documents, records, and the conditional writes that change them.

Every change of a claim is one ``find_one_and_update`` on ``claim_id`` + ``version`` (and
the lease, where it matters), with its audit entry inserted in the same transaction: a
change without its audit cannot happen. The story's version is raised in that same
transaction by :mod:`verify.changes`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from mongoengine import (
    BooleanField,
    DateTimeField,
    DictField,
    Document,
    IntField,
    ListField,
    StringField,
)
from pymongo import UpdateOne
from pymongo.client_session import ClientSession

from verify.common import Actor

ALIAS = "verify"


class Claim(Document):
    claim_id = StringField(required=True)
    story_id = StringField(required=True)
    revision = IntField(required=True)
    section = StringField(required=True)
    text = StringField(required=True)
    norm = StringField(required=True)
    start = IntField(required=True)
    end = IntField(required=True)
    context_start = IntField(required=True)
    context_end = IntField(required=True)
    contested = BooleanField(required=True)
    contest_signals = ListField(DictField())
    detected_attributions = ListField(DictField())
    checkable_reasons = ListField(StringField())
    declared_sources = ListField(StringField())
    origin = StringField(required=True)
    status = StringField(required=True)
    attributions = ListField(DictField())
    version = IntField(required=True)
    audit_seq = IntField(required=True)
    open = BooleanField(required=True)
    closed_reason = StringField()
    lease_holder_id = StringField()
    lease_holder = StringField()
    lease_until = DateTimeField()
    reviewed_by = StringField()
    reviewed_at = DateTimeField()
    note = StringField()
    queued_at = DateTimeField(required=True)
    created_at = DateTimeField(required=True)
    updated_at = DateTimeField(required=True)

    meta = {
        "db_alias": ALIAS,
        "collection": "claims",
        "indexes": [
            {"fields": ["claim_id"], "unique": True},
            {"fields": ["story_id", "open", "start"]},
            # The queue: open claims by status (and section), oldest first.
            {"fields": ["open", "status", "queued_at", "claim_id"]},
            {"fields": ["open", "status", "section", "queued_at", "claim_id"]},
        ],
    }


class ClaimAudit(Document):
    claim_id = StringField(required=True)
    seq = IntField(required=True)
    story_id = StringField(required=True)
    version = IntField(required=True)
    at = DateTimeField(required=True)
    actor = DictField(required=True)
    action = StringField(required=True)
    detail = StringField()
    before = DictField()
    after = DictField()

    meta = {
        "db_alias": ALIAS,
        "collection": "claim_audit",
        # Unique: one entry per change; the claim's audit_seq numbers them.
        "indexes": [{"fields": ["claim_id", "seq"], "unique": True}],
    }


DOCUMENTS = (Claim, ClaimAudit)


@dataclass(frozen=True)
class ClaimRecord:
    claim_id: str
    story_id: str
    revision: int
    section: str
    text: str
    norm: str
    start: int
    end: int
    context_start: int
    context_end: int
    contested: bool
    contest_signals: list[dict[str, Any]]
    detected_attributions: list[dict[str, Any]]
    checkable_reasons: list[str]
    declared_sources: list[str]
    origin: str
    status: str
    attributions: list[dict[str, Any]]
    version: int
    open: bool
    queued_at: datetime
    created_at: datetime
    updated_at: datetime
    closed_reason: str | None = None
    lease_holder_id: str | None = None
    lease_holder: str | None = None
    lease_until: datetime | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    note: str | None = None

    def holder_at(self, now: datetime) -> str | None:
        """The lease holder's name while the lease runs; an expired lease is free."""
        if self.lease_holder and self.lease_until is not None and self.lease_until > now:
            return self.lease_holder
        return None

    def held_by_other(self, user_id: str, now: datetime) -> bool:
        return self.holder_at(now) is not None and self.lease_holder_id != user_id


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
    values: dict[str, Any] = {name: doc.get(name) for name in _FIELDS}
    for name in ("contest_signals", "detected_attributions", "checkable_reasons"):
        values[name] = list(values[name] or [])
    values["declared_sources"] = list(values["declared_sources"] or [])
    values["attributions"] = list(values["attributions"] or [])
    return ClaimRecord(**values)


def doc_of(record: ClaimRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in _FIELDS}


@dataclass(frozen=True)
class ClaimWrite:
    """One change of one claim. ``before`` None inserts ``after`` as a new claim.

    The update applies only while the stored claim still has ``before.version`` and, with
    ``lease_for`` set, is unleased, leased out of time, or leased by that user.
    """

    after: ClaimRecord
    before: ClaimRecord | None
    action: str
    detail: str = ""
    lease_for: str | None = None
    extra_audit: dict[str, Any] = field(default_factory=dict)
    # Who made it, when not the actor of the whole list (stories stored together).
    by: Actor | None = None


class StaleClaim(Exception):
    """A conditional write found the claim changed, closed or leased by another."""

    def __init__(self, claim_id: str) -> None:
        super().__init__(claim_id)
        self.claim_id = claim_id


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


def _update_of(write: ClaimWrite, now: datetime) -> tuple[UpdateOne, dict[str, Any]]:
    """The conditional update of one existing claim, and what it changes."""
    assert write.before is not None
    previous = doc_of(write.before)
    changed = {k: v for k, v in doc_of(write.after).items() if previous.get(k) != v}
    query: dict[str, Any] = {
        "claim_id": write.before.claim_id,
        "version": write.before.version,
        "open": True,
    }
    if write.lease_for is not None:
        query["$or"] = [
            {"lease_holder_id": None},
            {"lease_until": {"$lte": now}},
            {"lease_holder_id": write.lease_for},
        ]
    update: dict[str, Any] = {"$inc": {"audit_seq": 1}}
    if changed:
        update["$set"] = changed
    return UpdateOne(query, update), changed


def apply_writes(
    session: ClientSession, writes: list[ClaimWrite], actor: Actor, now: datetime
) -> list[ClaimRecord]:
    """Apply ``writes`` in order inside ``session``'s transaction, each with its audit entry.

    A few commands whatever the number of writes (bench: round trips to the store were
    most of a revision's transaction): new claims with one ``insert_many``, updates with
    one ordered ``bulk_write`` (then one read of their audit numbers), audit entries with
    one ``insert_many``. New claims go in before the updates, which may be of one of them
    (a late revision's claims are created, then closed); a claim changed twice in one
    list starts a second round."""
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
            docs = [{**doc_of(w.after), "audit_seq": 1} for w in new]
            claims.insert_many(docs, ordered=True, session=session)
            entries += [_entry(w, 1, {}, _audit_view(doc_of(w.after)), actor, now) for w in new]
        updates = [(w, *_update_of(w, now)) for w in batch if w.before is not None]
        if not updates:
            continue
        result = claims.bulk_write([u for _, u, _ in updates], ordered=True, session=session)
        updated = [w.after.claim_id for w, _, _ in updates]
        seqs = {
            d["claim_id"]: (int(d["audit_seq"]), d.get("version"))
            for d in claims.find(
                {"claim_id": {"$in": updated}},
                projection={"claim_id": 1, "audit_seq": 1, "version": 1},
                session=session,
            )
        }
        if result.matched_count != len(updates):
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
        _collection(ClaimAudit).insert_many(entries, ordered=True, session=session)
    return [w.after for w in writes]


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
    doc = _collection(Claim).find_one({"claim_id": claim_id}, session=session)
    return record_of(doc) if doc else None


def open_claims(story_id: str, session: ClientSession | None = None) -> list[ClaimRecord]:
    cursor = _collection(Claim).find({"story_id": story_id, "open": True}, session=session)
    return sorted((record_of(d) for d in cursor), key=lambda c: (c.start, c.end))


def open_claims_before(story_id: str, revision: int, limit: int) -> list[ClaimRecord]:
    """Up to ``limit`` open claims of the story's revisions before ``revision``."""
    query = {"story_id": story_id, "open": True, "revision": {"$lt": revision}}
    return [record_of(d) for d in _collection(Claim).find(query).limit(limit)]


def open_claims_of(
    story_ids: list[str], session: ClientSession | None = None
) -> dict[str, list[ClaimRecord]]:
    out: dict[str, list[ClaimRecord]] = {s: [] for s in story_ids}
    if not story_ids:
        return out
    query = {"story_id": {"$in": story_ids}, "open": True}
    for doc in _collection(Claim).find(query, session=session):
        out.setdefault(doc["story_id"], []).append(record_of(doc))
    for claims in out.values():
        claims.sort(key=lambda c: (c.start, c.end))
    return out


def history(claim_id: str) -> list[dict[str, Any]]:
    entries = _collection(ClaimAudit).find({"claim_id": claim_id}).sort("seq", 1)
    return [dict(e) for e in entries]
