"""Candidate layouts of verify's claims, for :mod:`bench.claims_layout`: each stores a
poll batch of new stories as verify's consumer does, and does the reviewers' common
actions (lease a claim, mark it, read a queue page) on a stored story.

- ``A``: today's layout, through verify's own code (``intake.store_new_stories``,
  ``review.lease``/``review.review``, ``queue.service.page``).
- ``B``: today's layout with the claim's ``_id`` its ``claim_id`` (no ``claim_id``
  index); the same commands as A, by ``_id``.
- ``C``: a story's open claims embedded in one ``claimsets`` document (``_id``: the story
  id), with a per-story queue key (``queue``: one ``"status|oldest queued_at"`` per status
  of its open claims) and one index on it; actions are positional updates.
- ``D``: claims stay one small document each, keyed by ``_id`` = claim id, with no
  secondary index written at insert (claim memory's sparse bands index only); the story
  document holds its open claim ids and the queue key (indexed); audit entries keyed by
  ``_id`` = ``claim_id:seq``; a lease is a compare-and-set on the lease fields read (no
  top-level ``$or``, which the store answers with a collection scan).

B, C and D are written with pymongo from the very records verify plans (``intake``'s
plan, ``repository.doc_of``), on verify's database as its documents declare it, with
their indexes changed as said. Nothing here changes verify's real layout.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.client_session import ClientSession

from services import outbox as shared_outbox
from services import store
from services.auth import Role
from services.contracts import ReportSubmitted, ReviewStatus
from verify.common import Actor
from verify.queue import service as queue_service
from verify.stories import intake, repository, review, unit_of_work
from verify.stories.analysis import Analysis
from verify.stories.documents import Story
from verify.stories.records import ClaimRecord
from verify.stories.schemas import ReviewIn

LAYOUTS = ("A", "B", "C", "D", "E")
LEASE_SECONDS = 600
PAGE = 20
REVIEWER = Actor("u_bench_reviewer", "Bench Reviewer", Role.REVIEWER.value)
PENDING = "pending"
# Claims per insert statement, as verify's ``apply_writes`` slices them.
SLICE = repository.INSERT_SLICE


def queue_keys(statuses: list[tuple[str, datetime]]) -> list[str]:
    """The per-story queue key of C and D: one ``"status|oldest queued_at"`` per status
    among a story's open claims (given as (status, queued_at)), sorted. One index entry
    per status, not per claim; a range on ``"pending|"`` walks stories oldest first."""
    oldest: dict[str, datetime] = {}
    for status, at in statuses:
        if status not in oldest or at < oldest[status]:
            oldest[status] = at
    return sorted(f"{s}|{at.isoformat()}" for s, at in oldest.items())


def status_range(status: str) -> dict[str, str]:
    """The filter on a queue key that selects the stories with open claims of ``status``."""
    return {"$gt": f"{status}|", "$lt": f"{status}|\uffff"}


@dataclass(frozen=True)
class Planned:
    """A report that begins a story, and the revision verify plans for it."""

    report: ReportSubmitted
    analysis: Analysis
    plan: unit_of_work.RevisionPlan


def plan_of(report: ReportSubmitted, analysis: Analysis, now: datetime) -> Planned:
    # The plan intake.store_new_stories makes for a new story (the same function).
    plan = intake._plan_current(report, None, [], analysis.candidates, now, analysis.over)
    return Planned(report, analysis, plan)


def database() -> Any:
    return Story._get_collection().database


def tx(work: Callable[[ClientSession], Any]) -> Any:
    return unit_of_work.transaction(work)


def _created(record: ClaimRecord, actor: Actor, now: datetime) -> dict[str, Any]:
    """The "created" audit entry a new claim carries (as ``apply_writes`` writes it)."""
    values = repository.doc_of(record)
    return {
        "seq": 1, "story_id": record.story_id, "version": record.version, "at": now,
        "actor": actor.as_dict(), "action": "created", "detail": "detected",
        "before": {}, "after": {k: values[k] for k in repository.AUDITED if k in values},
    }  # fmt: skip


def claim_doc(record: ClaimRecord, now: datetime) -> dict[str, Any]:
    created = _created(record, unit_of_work.SYSTEM, now)
    return {**repository.doc_of(record), "audit_seq": 1, repository.CREATED: created}


def keyed_claim_docs(batch: list[Planned], now: datetime) -> list[dict[str, Any]]:
    """A batch's claims as documents keyed by ``_id`` = claim id (B and D)."""
    return [
        {"_id": w.after.claim_id, **claim_doc(w.after, now)}
        for p in batch for w in p.plan.writes
    ]  # fmt: skip


def story_doc(planned: Planned, now: datetime) -> dict[str, Any]:
    revision = planned.plan.revision
    return {
        "story_id": revision.story_id,
        "version": 1,
        **{name: getattr(revision, name) for name in repository.CURRENT_FIELDS},
        "outbox": {**shared_outbox.new_row(now + repository.HANDOFF), "full": True},
        repository.SNAPSHOT_TRACE: None,
        "created_at": now,
        "updated_at": now,
    }


def bump(session: ClientSession, story_id: str, now: datetime, *, full: bool,
         extra: dict[str, Any] | None = None, scan_free: bool = False) -> None:  # fmt: skip
    """``repository.bump_story``'s update, with ``extra`` fields set beside it: as verify
    does (``services.store.update_and_read``: a read, the update by ``_id``, a read back;
    not a ``find_one_and_update``, whose write the store serves by reading the whole
    collection), or (``scan_free``) by ``update_one`` on the story id and one read."""
    fields: dict[str, Any] = {"updated_at": now, **shared_outbox.due_now(now)}
    fields[repository.SNAPSHOT_TRACE] = None
    if full:
        fields[repository.OUTBOX_FULL] = True
    fields.update(extra or {})
    stories = database()["stories"]
    update = {"$inc": {"version": 1}, "$set": fields}
    if scan_free:
        assert stories.update_one({"story_id": story_id}, update, session=session).matched_count
        assert stories.find_one({"story_id": story_id}, {"version": 1}, session=session)
    else:
        assert store.update_and_read(stories, {"story_id": story_id}, update, session=session)


class Layout:
    """One layout: how it is indexed, stores a batch, and serves the reviewers."""

    name = ""

    def prepare(self) -> None:
        """Indexes on a fresh database (verify's own built first)."""

    def target(self, planned: Planned) -> str:
        """The claim of this stored story the reviewers' actions work on (its first)."""
        return planned.plan.writes[0].after.claim_id

    def store(self, batch: list[Planned], now: datetime) -> None:
        raise NotImplementedError

    def change(self, claim_id: str, now: datetime, fields: dict[str, Any], action: str,
               *, full: bool, version_up: bool) -> None:  # fmt: skip
        """Record one reviewer's change of a claim (``fields``), as ``action``."""
        raise NotImplementedError

    def lease(self, claim_id: str, now: datetime) -> None:
        self.change(claim_id, now, lease_fields(now), "leased", full=False, version_up=False)

    def mark(self, claim_id: str, now: datetime) -> None:
        self.change(claim_id, now, marked(now), "reviewed", full=True, version_up=True)

    def queue_page(self) -> int:
        """The first page of pending claims with their headlines; how many claims."""
        raise NotImplementedError

    def handed_off(self, batch: list[Planned], now: datetime) -> None:
        # The consumer marks the first snapshots sent after the round (verify's code).
        sent: list[tuple[str, int, Mapping[str, Any]]] = [(p.report.story_id, 1, {}) for p in batch]
        repository.snapshots_handed_off(sent, now)

    def known(self, batch: list[Planned], now: datetime) -> None:
        # The consumer's first read of a batch: the reports stored before (verify's code).
        intake.known_receipts([p.report for p in batch], now)

    def first_reads(self, batch: list[Planned], now: datetime) -> None:
        """What verify reads before it stores a batch of new stories (its own code)."""
        self.known(batch, now)
        repository.existing_stories([p.report.story_id for p in batch])


class Today(Layout):
    """A: verify's own code on verify's own indexes."""

    name = "A"

    def store(self, batch: list[Planned], now: datetime) -> None:
        self.known(batch, now)
        stored = intake.store_new_stories([(p.report, p.analysis) for p in batch], now)
        assert len(stored) == len(batch), "a batch of new stories was not stored whole"
        self.handed_off(batch, now)

    def target(self, planned: Planned) -> str:
        # store_new_stories plans (and names) the claims again: read the stored ones.
        story_id = planned.report.story_id
        return repository.current_claims_of({story_id: 1})[story_id][0].claim_id

    def lease(self, claim_id: str, now: datetime) -> None:
        review.lease(claim_id, REVIEWER, LEASE_SECONDS, now, lambda _: None)

    def mark(self, claim_id: str, now: datetime) -> None:
        claim = review.get(claim_id)
        given = ReviewIn(status=ReviewStatus.VERIFIED)
        review.review(claim_id, given, claim.version, REVIEWER, now, lambda _: None)

    def queue_page(self) -> int:
        page = queue_service.page(
            status=ReviewStatus.PENDING, section=None, contested=None,
            limit=PAGE, cursor=None,
        )  # fmt: skip
        return len(page.claims)


def lease_fields(now: datetime) -> dict[str, Any]:
    return {
        "lease_holder_id": REVIEWER.user_id,
        "lease_holder": REVIEWER.name,
        "lease_until": now + timedelta(seconds=LEASE_SECONDS),
    }


def audit_entry(claim: dict[str, Any], seq: int, action: str, before: dict[str, Any],
           after: dict[str, Any], now: datetime) -> dict[str, Any]:  # fmt: skip
    return {
        "claim_id": claim["claim_id"], "seq": seq, "story_id": claim["story_id"],
        "version": claim["version"], "at": now, "actor": REVIEWER.as_dict(),
        "action": action, "detail": "", "before": before, "after": after,
    }  # fmt: skip


def marked(now: datetime) -> dict[str, Any]:
    return {"status": "verified", "reviewed_by": REVIEWER.name, "reviewed_at": now,
            "updated_at": now, "note": None}  # fmt: skip


def lease_or(now: datetime) -> list[dict[str, Any]]:
    """Today's lease condition (``leases.take``): free, out of time, or mine."""
    return [
        {"lease_holder_id": None},
        {"lease_until": {"$lte": now}},
        {"lease_holder_id": REVIEWER.user_id},
    ]


class ById(Layout):
    """B: today's documents and commands, the claim's ``_id`` being its ``claim_id``."""

    name = "B"

    def prepare(self) -> None:
        database()["claims"].drop_index("claim_id_1")

    def store(self, batch: list[Planned], now: datetime) -> None:
        self.first_reads(batch, now)
        docs = keyed_claim_docs(batch, now)
        db = database()

        def work(session: ClientSession) -> None:
            repository.insert_revisions(session, [p.plan.revision for p in batch])
            for start in range(0, len(docs), SLICE):
                db["claims"].insert_many(docs[start : start + SLICE], session=session)
            db["stories"].insert_many([story_doc(p, now) for p in batch], session=session)

        tx(work)
        self.handed_off(batch, now)

    def change(self, claim_id: str, now: datetime, fields: dict[str, Any], action: str,
                *, full: bool, version_up: bool) -> None:  # fmt: skip
        claims = database()["claims"]
        claim = claims.find_one({"_id": claim_id}, {repository.CREATED: 0})
        assert claim is not None
        current = {"_id": claim_id, "version": claim["version"], "open": True}
        lease = ("lease_holder_id", "lease_until")
        if action == "leased":  # leases.take, before the transaction: a compare-and-set
            seen = claims.find_one(current, {"_id": 1, **dict.fromkeys(lease, 1)})
            assert seen is not None
            taken = claims.update_one({**current, **{k: seen.get(k) for k in lease}},
                                      {"$set": fields})  # fmt: skip
            assert taken.matched_count == 1
        changes = dict(fields)
        if version_up:
            changes["version"] = claim["version"] + 1

        def work(session: ClientSession) -> None:
            # apply_writes: the lease read in the transaction and asserted as read.
            held = claims.find_one({"_id": {"$in": [claim_id]}}, dict.fromkeys(lease, 1),
                                   session=session)  # fmt: skip
            assert held is not None
            query = {**current, **{k: held.get(k) for k in lease}}
            done = claims.update_one(
                query, {"$inc": {"audit_seq": 1}, "$set": changes}, session=session
            )
            assert done.matched_count == 1
            seq = claims.find_one({"_id": {"$in": [claim_id]}}, {"audit_seq": 1},
                                  session=session)["audit_seq"]  # fmt: skip
            before = {k: claim.get(k) for k in changes}
            database()["claim_audit"].insert_one(
                audit_entry(claim, seq, action, before, changes, now), session=session
            )
            bump(session, claim["story_id"], now, full=full)

        tx(work)

    def queue_page(self) -> int:
        # verify.queue.repository.waiting and headlines, on the same indexes.
        query = {"open": True, "status": PENDING}
        db = database()
        found = list(db["claims"].find(query).sort([("queued_at", 1), ("_id", 1)]).limit(PAGE))
        ids = sorted({c["story_id"] for c in found})
        list(db["stories"].find({"story_id": {"$in": ids}}, {"story_id": 1, "headline": 1}))
        return len(found)


def with_story_ids(planned: Planned, name: str) -> Planned:
    """C finds a claim's set from its id: there, a claim id starts with its story's id."""
    if name not in {"C", "E"}:
        return planned
    writes = [
        dataclasses.replace(
            w, after=dataclasses.replace(w.after, claim_id=f"{w.after.story_id}~{w.after.claim_id}")
        )
        for w in planned.plan.writes
    ]
    return dataclasses.replace(planned, plan=dataclasses.replace(planned.plan, writes=writes))
