"""How the large lane writes a report with many claims (verify/README.md, "The large
lane"): its claims go in slices with a rest after each, so other stories' writes go on
between them, yet inside one transaction, so no reader sees a revision half written; no
statement it sends to the claims or their audit names more than ``LANE_SLICE`` of them,
whether it inserts, updates or reads them (the store holds a collection for a whole
statement, about 2-4 ms a claim); a
copy of a report already stored is answered from one read, without planning it again; and
once it is revised away, a snapshot reads only the new revision's claims, not the old
ones the sweep has yet to close."""

from __future__ import annotations

import math
import threading
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.database import Database

from services.clock import utcnow
from services.contracts import ReportSubmitted
from tests.verify.support import Newsroom
from tests.verify.test_large_lane import many_claims
from verify.consumer import LARGE_CLAIMS
from verify.stories import intake, unit_of_work
from verify.stories.analysis import Analysis, analyse_report
from verify.stories.intake import LANE_SLICE
from verify.stories.repository import claims as claim_queries
from verify.stories.snapshot import current_snapshot, current_snapshots


def large(newsroom: Newsroom) -> tuple[ReportSubmitted, Analysis]:
    report = newsroom.report(
        headline="Results by precinct", body=many_claims(LARGE_CLAIMS + 50), claims=[]
    )
    analysis = analyse_report(report.body, report.claims, 1000, report.headline)
    assert isinstance(analysis, Analysis)
    return report, analysis


def verify_db(newsroom: Newsroom) -> Database[Any]:
    settings = newsroom.settings
    return MongoClient(settings.mongo_url)[settings.database("verify")]


def test_a_large_revisions_claims_go_in_slices_with_rests_and_appear_all_at_once(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, analysis = large(newsroom)
    db = verify_db(newsroom)
    steps: list[str] = []  # "insert" (a slice of this story's claims) or "rest"
    seen_while_resting: list[tuple[int, int, int]] = []
    insert_many, pause = Collection.insert_many, claim_queries.pause

    def on_insert_many(collection: Collection[Any], docs: Any, *a: Any, **k: Any) -> Any:
        docs = list(docs)
        if collection.name == "claims" and any(d.get("story_id") == report.story_id for d in docs):
            steps.append("insert")
        return insert_many(collection, docs, *a, **k)

    def on_pause(seconds: float) -> None:
        steps.append("rest")
        # What any other reader sees meanwhile: nothing of this revision yet.
        seen_while_resting.append(
            (
                db.claims.count_documents({"story_id": report.story_id}),
                db.revisions.count_documents({"report_id": report.report_id}),
                db.stories.count_documents({"story_id": report.story_id}),
            )
        )
        pause(seconds)

    monkeypatch.setattr(Collection, "insert_many", on_insert_many)
    monkeypatch.setattr(claim_queries, "pause", on_pause)
    receipt = intake.store_large_report(report, analysis, utcnow())

    assert not receipt.duplicate
    assert receipt.claims >= LARGE_CLAIMS
    assert steps.count("insert") >= math.ceil(receipt.claims / LANE_SLICE) >= 3
    # A rest after every slice but the last: never two slices back to back.
    assert "insert,insert" not in ",".join(steps), steps
    assert steps[-1] == "insert"
    assert seen_while_resting
    assert set(seen_while_resting) == {(0, 0, 0)}
    assert db.claims.count_documents({"story_id": report.story_id, "open": True}) == receipt.claims


class Statements:
    """How many documents each statement this thread sends to the claims or their audit
    names: an insert's documents, a bulk write's operations, a read or update by
    ``claim_id`` its ids (a spy on pymongo's collection methods, which still sends them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sizes: list[tuple[str, str, int]] = []  # (collection, method, documents)
        thread = threading.get_ident()
        spy = self

        def wrap(method: str, size: Any) -> None:
            original = getattr(Collection, method)

            def sent(collection: Collection[Any], first: Any, *a: Any, **k: Any) -> Any:
                if collection.name in ("claims", "claim_audit") and (
                    threading.get_ident() == thread
                ):
                    first = list(first) if method in ("insert_many", "bulk_write") else first
                    named = size(first)
                    if named is not None:
                        spy.sizes.append((collection.name, method, named))
                return original(collection, first, *a, **k)

            monkeypatch.setattr(Collection, method, sent)

        def by_ids(query: Any) -> int | None:
            ids = query.get("claim_id") if isinstance(query, dict) else None
            return len(ids["$in"]) if isinstance(ids, dict) and "$in" in ids else None

        wrap("insert_many", len)
        wrap("bulk_write", len)
        wrap("update_many", by_ids)
        wrap("find", by_ids)

    def largest(self) -> int:
        return max(n for _, _, n in self.sizes)


def test_no_statement_of_the_lane_names_more_than_a_slice_of_claims(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rests are the first test's subject, not this one's: without them the revision's
    # transaction is half as long, and under a loaded suite a long one outlasted the
    # store's conflict retries (Busy) before the statement sizes were ever checked.
    monkeypatch.setattr(intake, "LANE_REST", 0.0)
    report, analysis = large(newsroom)
    statements = Statements(monkeypatch)
    first = intake.store_large_report(report, analysis, utcnow())
    assert first.claims >= LARGE_CLAIMS
    inserted = [n for c, m, n in statements.sizes if (c, m) == ("claims", "insert_many")]
    assert sum(inserted) == first.claims
    assert statements.largest() <= LANE_SLICE, statements.sizes

    # The next revision carries every claim (one sentence more): an update of each, the
    # read of their audit numbers and their audit entries, all in slices too.
    statements.sizes.clear()
    body = report.body + " The count ended at midnight, the commission said."
    revised = newsroom.report(story_id=report.story_id, revision=2, body=body, claims=[])
    carried = analyse_report(revised.body, revised.claims, 1000, revised.headline)
    assert isinstance(carried, Analysis)
    second = intake.store_large_report(revised, carried, utcnow())
    assert second.claims >= LARGE_CLAIMS
    updated = [n for c, m, n in statements.sizes if (c, m) == ("claims", "bulk_write")]
    audited = [n for c, m, n in statements.sizes if (c, m) == ("claim_audit", "insert_many")]
    assert sum(updated) >= LARGE_CLAIMS
    assert sum(audited) >= LARGE_CLAIMS
    assert statements.largest() <= LANE_SLICE, statements.sizes
    db = verify_db(newsroom)
    assert db.claims.count_documents({"story_id": report.story_id, "revision": 2}) == second.claims


def test_a_copy_of_a_stored_large_report_is_answered_without_planning_it_again(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, analysis = large(newsroom)
    first = intake.store_large_report(report, analysis, utcnow())
    planned: list[str] = []
    read_for_planning = unit_of_work.read_for_planning

    def spy(story_id: str) -> Any:
        planned.append(story_id)
        return read_for_planning(story_id)

    monkeypatch.setattr(unit_of_work, "read_for_planning", spy)
    again = intake.store_large_report(report, analysis, utcnow())

    assert again.duplicate
    assert (again.revision, again.claims) == (first.revision, first.claims)
    assert planned == []  # no read of its thousand claims, no plan
    db = verify_db(newsroom)
    assert db.revisions.count_documents({"report_id": report.report_id}) == 1
    assert db.claims.count_documents({"story_id": report.story_id}) == first.claims


def test_a_snapshot_reads_only_its_revisions_claims_not_those_left_to_the_sweep(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake, "sweep", lambda *a, **k: False)  # revision 1's stay open
    report, analysis = large(newsroom)
    intake.store_large_report(report, analysis, utcnow())
    line = "The count ended at midnight, the commission said."
    revised = newsroom.report(story_id=report.story_id, revision=2, body=line, claims=[])
    shorter = analyse_report(revised.body, revised.claims, 1000, revised.headline)
    assert isinstance(shorter, Analysis)
    intake.store_large_report(revised, shorter, utcnow())
    db = verify_db(newsroom)
    left = {"story_id": report.story_id, "open": True, "revision": 1}
    assert db.claims.count_documents(left) >= LARGE_CLAIMS  # not swept yet

    built: list[str] = []
    record_of = claim_queries.record_of
    this_thread = threading.get_ident()

    def spy(doc: dict[str, Any]) -> Any:
        # Only this test's reads: the session's verify (its outbox) builds in other threads.
        if threading.get_ident() == this_thread:
            built.append(doc["claim_id"])
        return record_of(doc)

    monkeypatch.setattr(claim_queries, "record_of", spy)
    one = current_snapshot(report.story_id, utcnow())
    assert one is not None
    assert one.revision == 2
    assert one.body == line
    assert len(built) == len(one.claims) <= 2
    built.clear()
    [again] = current_snapshots([report.story_id], utcnow())
    assert [c.claim_id for c in again.claims] == [c.claim_id for c in one.claims]
    assert len(built) == len(again.claims)
