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
from pymongo import ReturnDocument
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


class StaleClaim(Exception):
    """A conditional write found the claim changed, closed or leased by another."""

    def __init__(self, claim_id: str) -> None:
        super().__init__(claim_id)
        self.claim_id = claim_id


def _collection(document: type[Document]) -> Any:
    return document._get_collection()


def _audit_view(values: dict[str, Any]) -> dict[str, Any]:
    return {k: values[k] for k in AUDITED if k in values}


def apply_writes(
    session: ClientSession, writes: list[ClaimWrite], actor: Actor, now: datetime
) -> list[ClaimRecord]:
    """Apply ``writes`` in order inside ``session``'s transaction, each with its audit entry.

    New claims and audit entries go to the store in batches (``insert_many``): one round
    trip for a revision's claims instead of one per claim (bench: the transaction was
    most of verify's time per report). Pending new claims are inserted before any update,
    which may be of one of them (a late revision's claims are created, then closed)."""
    claims = _collection(Claim)
    audit = _collection(ClaimAudit)
    stored: list[ClaimRecord] = []
    new_claims: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []

    def insert_new_claims() -> None:
        if new_claims:
            claims.insert_many(new_claims, ordered=True, session=session)
            new_claims.clear()

    for write in writes:
        after = doc_of(write.after)
        if write.before is None:
            new_claims.append({**after, "audit_seq": 1})
            seq, before_view, after_view = 1, {}, _audit_view(after)
        else:
            insert_new_claims()
            previous = doc_of(write.before)
            changed = {k: v for k, v in after.items() if previous.get(k) != v}
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
            result = claims.find_one_and_update(
                query,
                update,
                session=session,
                return_document=ReturnDocument.AFTER,
                projection={"audit_seq": 1},
            )
            if result is None:
                raise StaleClaim(write.before.claim_id)
            seq = int(result["audit_seq"])
            before_view = _audit_view({k: previous[k] for k in changed})
            after_view = _audit_view(changed)
        entries.append(
            {
                "claim_id": write.after.claim_id,
                "seq": seq,
                "story_id": write.after.story_id,
                "version": write.after.version,
                "at": now,
                "actor": actor.as_dict(),
                "action": write.action,
                "detail": write.detail,
                "before": before_view,
                "after": {**after_view, **write.extra_audit},
            }
        )
        stored.append(write.after)
    insert_new_claims()
    if entries:
        audit.insert_many(entries, ordered=True, session=session)
    return stored


# --- reads -------------------------------------------------------------------------------


def get_claim(claim_id: str, session: ClientSession | None = None) -> ClaimRecord | None:
    doc = _collection(Claim).find_one({"claim_id": claim_id}, session=session)
    return record_of(doc) if doc else None


def open_claims(story_id: str, session: ClientSession | None = None) -> list[ClaimRecord]:
    cursor = _collection(Claim).find({"story_id": story_id, "open": True}, session=session)
    return sorted((record_of(d) for d in cursor), key=lambda c: (c.start, c.end))


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
