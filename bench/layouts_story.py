"""The per-story layouts of :mod:`bench.layouts` (C, D and E): a story's claims found
through their story, the reviewers' queue indexed per story (``queue_keys``), no
top-level ``$or`` in any condition."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.client_session import ClientSession

from bench.layouts import (
    PAGE,
    PENDING,
    SLICE,
    Layout,
    Planned,
    audit_entry,
    bump,
    claim_doc,
    database,
    keyed_claim_docs,
    lease_or,
    queue_keys,
    status_range,
    story_doc,
    tx,
)
from verify.stories import repository


def _page_of(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    waiting = [c for c in claims if c.get("open") and c.get("status") == PENDING]
    waiting.sort(key=lambda c: (c["queued_at"], c["claim_id"]))
    return waiting[:PAGE]


def record(collection: Any, query: dict[str, Any], claim: dict[str, Any],
           changes: dict[str, Any], seq: int, action: str, now: datetime, *, full: bool,
           extra: dict[str, Any]) -> None:  # fmt: skip
    """D's and E's transaction of one change: the conditional update of the claim's own
    small document, its audit entry keyed by ``claim_id:seq``, the story's bump."""

    def work(session: ClientSession) -> None:
        update = {"$inc": {"audit_seq": 1}, "$set": changes}
        assert collection.update_one(query, update, session=session).matched_count == 1
        before = {k: claim.get(k) for k in changes}
        entry = audit_entry(claim, seq, action, before, changes, now)
        key = f"{claim['claim_id']}:{seq}"
        database()["claim_audit"].insert_one({"_id": key, **entry}, session=session)
        bump(session, claim["story_id"], now, full=full, extra=extra, scan_free=True)

    tx(work)


# Stories read per queue page: enough for a page of claims with a few stories' worth.
PAGE_STORIES = 5


def queued_stories(projection: dict[str, int]) -> list[dict[str, Any]]:
    """D's and E's first stories with pending claims, oldest first, by their queue key."""
    found = database()["stories"].find({"queue": status_range(PENDING)}, projection)
    return list(found.sort([("queue", 1)]).limit(PAGE_STORIES))


class Embedded(Layout):
    """C: a story's open claims in one ``claimsets`` document, ``_id`` the story id."""

    name = "C"

    def prepare(self) -> None:
        database()["claimsets"].create_index([("queue", 1)], name="queue_1")

    def store(self, batch: list[Planned], now: datetime) -> None:
        self.first_reads(batch, now)
        sets = []
        for p in batch:
            claims = [claim_doc(w.after, now) for w in p.plan.writes]
            sets.append({
                "_id": p.report.story_id, "section": p.report.section,
                "queue": queue_keys([(c["status"], c["queued_at"]) for c in claims]),
                "claims": claims,
            })  # fmt: skip
        db = database()

        def work(session: ClientSession) -> None:
            repository.insert_revisions(session, [p.plan.revision for p in batch])
            db["claimsets"].insert_many(sets, session=session)
            db["stories"].insert_many([story_doc(p, now) for p in batch], session=session)

        tx(work)
        self.handed_off(batch, now)

    def change(self, claim_id: str, now: datetime, fields: dict[str, Any], action: str,
                *, full: bool, version_up: bool) -> None:  # fmt: skip
        sets = database()["claimsets"]
        story_id = claim_id.split("~", 1)[0]
        found = sets.find_one({"_id": story_id}, {"claims." + repository.CREATED: 0})
        assert found is not None
        claim = next(c for c in found["claims"] if c["claim_id"] == claim_id)
        match = {"claim_id": claim_id, "version": claim["version"], "open": True,
                 "$or": lease_or(now)}  # fmt: skip
        query = {"_id": story_id, "claims": {"$elemMatch": match}}
        # The store's positional "$" does not follow an $elemMatch with an $or in it.
        which = [{"c.claim_id": claim_id}]
        if action == "leased":
            lease = {f"claims.$[c].{k}": v for k, v in fields.items()}
            taken = sets.update_one(query, {"$set": lease}, array_filters=which)
            assert taken.modified_count == 1
        changes = dict(fields)
        if version_up:
            changes["version"] = claim["version"] + 1
        update: dict[str, Any] = {
            "$inc": {"claims.$[c].audit_seq": 1},
            "$set": {f"claims.$[c].{k}": v for k, v in changes.items()},
        }
        if "status" in changes:
            after = [c if c["claim_id"] != claim_id else {**c, **changes} for c in found["claims"]]
            update["$set"]["queue"] = queue_keys(
                [(c["status"], c["queued_at"]) for c in after if c["open"]]
            )

        def work(session: ClientSession) -> None:
            done = sets.update_one(query, update, session=session, array_filters=which)
            assert done.matched_count == 1
            before = {k: claim.get(k) for k in changes}
            entry = audit_entry(claim, int(claim["audit_seq"]) + 1, action, before, changes, now)
            database()["claim_audit"].insert_one(entry, session=session)
            bump(session, story_id, now, full=full, scan_free=True)

        tx(work)

    def queue_page(self) -> int:
        db = database()
        found = db["claimsets"].find({"queue": status_range(PENDING)}, {"claims.created_audit": 0})
        sets = list(found.sort([("queue", 1)]).limit(PAGE_STORIES))
        page = _page_of([c for s in sets for c in s["claims"]])
        ids = sorted({c["story_id"] for c in page})
        list(db["stories"].find({"story_id": {"$in": ids}}, {"story_id": 1, "headline": 1}))
        return len(page)


class Keyed(Layout):
    """D: one small document per claim, by ``_id``, with no secondary index at insert;
    the story holds its open claims' ids and the queue key."""

    name = "D"

    def prepare(self) -> None:
        db = database()
        for name in ("claim_id_1", "story_id_1_open_1_revision_1_start_1",
                     "open_1_status_1_section_1_queued_at_1_claim_id_1"):  # fmt: skip
            db["claims"].drop_index(name)
        db["claim_audit"].drop_index("claim_id_1_seq_1")
        db["stories"].create_index([("queue", 1)], name="queue_1")

    def store(self, batch: list[Planned], now: datetime) -> None:
        self.first_reads(batch, now)
        docs = keyed_claim_docs(batch, now)
        stories = []
        for p in batch:
            claims = [w.after for w in p.plan.writes]
            stories.append({
                **story_doc(p, now), "claim_ids": [c.claim_id for c in claims],
                "queue": queue_keys([(c.status, c.queued_at) for c in claims]),
            })  # fmt: skip
        db = database()

        def work(session: ClientSession) -> None:
            repository.insert_revisions(session, [p.plan.revision for p in batch])
            for start in range(0, len(docs), SLICE):
                db["claims"].insert_many(docs[start : start + SLICE], session=session)
            db["stories"].insert_many(stories, session=session)

        tx(work)
        self.handed_off(batch, now)

    def change(self, claim_id: str, now: datetime, fields: dict[str, Any], action: str,
                *, full: bool, version_up: bool) -> None:  # fmt: skip
        db = database()
        claims = db["claims"]
        claim = claims.find_one({"_id": claim_id}, {repository.CREATED: 0})
        assert claim is not None
        # Compare-and-set on what was read: equalities beside _id, no $or.
        seen = {k: claim.get(k) for k in ("lease_holder_id", "lease_until")}
        query = {"_id": claim_id, "version": claim["version"], "open": True, **seen}
        if action == "leased":
            assert claims.update_one(query, {"$set": fields}).modified_count == 1
            query.update({k: fields[k] for k in seen})
        changes = dict(fields)
        if version_up:
            changes["version"] = claim["version"] + 1
        extra: dict[str, Any] = {}
        if "status" in changes:
            story = db["stories"].find_one({"story_id": claim["story_id"]}, {"claim_ids": 1})
            others = claims.find({"_id": {"$in": story["claim_ids"]}, "open": True},
                                 {"status": 1, "queued_at": 1})  # fmt: skip
            statuses = [
                (changes["status"] if c["_id"] == claim_id else c["status"], c["queued_at"])
                for c in others
            ]
            extra["queue"] = queue_keys(statuses)
        seq = int(claim["audit_seq"]) + 1

        record(claims, query, claim, changes, seq, action, now, full=full, extra=extra)

    def queue_page(self) -> int:
        db = database()
        stories = queued_stories({"story_id": 1, "headline": 1, "claim_ids": 1})
        ids = [i for s in stories for i in s["claim_ids"]]
        return len(
            _page_of(list(db["claims"].find({"_id": {"$in": ids}}, {repository.CREATED: 0})))
        )


class Split(Layout):
    """E: what detection found is written once, a story's claims in one ``claimsets``
    document (as C); what reviewers change (status, lease, version) lives in one small
    ``claimstate`` document per claim, made on the claim's first change (``_id``: the
    claim id, no secondary index); the story holds each claim's status and the queue key.
    A claim is its set's entry with its state's fields over it."""

    name = "E"

    def prepare(self) -> None:
        db = database()
        db["claim_audit"].drop_index("claim_id_1_seq_1")
        db["stories"].create_index([("queue", 1)], name="queue_1")

    def store(self, batch: list[Planned], now: datetime) -> None:
        self.first_reads(batch, now)
        sets, stories = [], []
        for p in batch:
            claims = [claim_doc(w.after, now) for w in p.plan.writes]
            sets.append({"_id": p.report.story_id, "claims": claims})
            stories.append({
                **story_doc(p, now),
                "statuses": {c["claim_id"]: c["status"] for c in claims},
                "queue": queue_keys([(c["status"], c["queued_at"]) for c in claims]),
            })  # fmt: skip
        db = database()

        def work(session: ClientSession) -> None:
            repository.insert_revisions(session, [p.plan.revision for p in batch])
            db["claimsets"].insert_many(sets, session=session)
            db["stories"].insert_many(stories, session=session)

        tx(work)
        self.handed_off(batch, now)

    def change(self, claim_id: str, now: datetime, fields: dict[str, Any], action: str,
                *, full: bool, version_up: bool) -> None:  # fmt: skip
        db = database()
        states = db["claimstate"]
        story_id = claim_id.split("~", 1)[0]
        state = states.find_one({"_id": claim_id}) or {
            "_id": claim_id, "claim_id": claim_id, "story_id": story_id, "version": 1,
            "audit_seq": 1, "lease_holder_id": None, "lease_until": None, "status": PENDING,
        }  # fmt: skip
        seen = {k: state.get(k) for k in ("lease_holder_id", "lease_until")}
        query = {"_id": claim_id, "version": state["version"], **seen}
        if action == "leased":
            if "open" in state:  # a state exists: compare-and-set, as D
                assert states.update_one(query, {"$set": fields}).modified_count == 1
            else:  # the claim's first change makes its state (the _id refuses a second)
                states.insert_one({**state, **fields, "open": True})
            query.update({k: fields[k] for k in seen})
        changes = dict(fields)
        if version_up:
            changes["version"] = state["version"] + 1
        extra: dict[str, Any] = {}
        if "status" in changes:
            story = db["stories"].find_one({"story_id": story_id}, {"statuses": 1, "created_at": 1})
            statuses = {**story["statuses"], claim_id: changes["status"]}
            extra[f"statuses.{claim_id}"] = changes["status"]
            # A new story's claims are queued when it is stored (a revision's, later:
            # the story would keep each status's oldest time beside its count).
            extra["queue"] = queue_keys([(s, story["created_at"]) for s in statuses.values()])
        seq = int(state["audit_seq"]) + 1

        record(states, query, state, changes, seq, action, now, full=full, extra=extra)

    def queue_page(self) -> int:
        db = database()
        stories = queued_stories({"story_id": 1, "headline": 1, "statuses": 1})
        ids = [s["story_id"] for s in stories]
        sets = db["claimsets"].find({"_id": {"$in": ids}}, {"claims." + repository.CREATED: 0})
        claims = {c["claim_id"]: c for s in sets for c in s["claims"]}
        changed = db["claimstate"].find({"_id": {"$in": list(claims)}})
        for state in changed:
            claims[state["_id"]] = {**claims[state["_id"]], **state}
        return len(_page_of(list(claims.values())))
