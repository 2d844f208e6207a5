"""A report with many claims is stored in the consumer's large lane, beside the rounds
(verify/README.md, "The large lane"): its story's later revision, sent right behind it,
is still applied after it, and a story sent after both is stored too."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.database import Database

from tests.support.servers import wait_for
from tests.verify.support import Newsroom
from verify.consumer import LARGE_CLAIMS
from verify.stories import intake


def many_claims(count: int) -> str:
    """``count`` short attributed sentences, ten to a paragraph: a claim each."""
    lines = [
        f"{1000 + 37 * k} ballots were counted in precinct {k}, police said." for k in range(count)
    ]
    return "\n\n".join(" ".join(lines[i : i + 10]) for i in range(0, len(lines), 10))


def test_a_large_revision_and_the_next_one_right_behind_it_are_applied_in_order(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The lane stores them its own way (tests/verify/test_lane_writes.py): seen here.
    in_lane: list[str] = []
    store_large_report = intake.store_large_report

    def spy(report: Any, *args: Any) -> Any:
        in_lane.append(report.report_id)
        return store_large_report(report, *args)

    monkeypatch.setattr(intake, "store_large_report", spy)
    large = newsroom.report(
        headline="Results by precinct", body=many_claims(LARGE_CLAIMS + 50), claims=[]
    )
    line = "The count ended at midnight, the commission said."
    revised = newsroom.report(story_id=large.story_id, revision=2, body=line, claims=[])
    ordinary = newsroom.report()
    for report in (large, revised, ordinary):
        newsroom.submit(report)

    story = newsroom.wait_story(large.story_id, until=lambda s: s["revision"] == 2, timeout=120)
    assert story["body"] == line
    newsroom.wait_story(ordinary.story_id, timeout=120)
    first = newsroom.receipts(large)[0]
    assert first["claims"] >= LARGE_CLAIMS
    assert not first["duplicate"]
    assert not newsroom.receipts(revised)[0]["duplicate"]
    assert {large.report_id, revised.report_id} <= set(in_lane)
    assert ordinary.report_id not in in_lane

    settings = newsroom.settings
    db: Database[Any] = MongoClient(settings.mongo_url)[settings.database("verify")]
    docs = {d["revision"]: d for d in db.revisions.find({"story_id": large.story_id})}
    # Revision 1 was stored first, as the current one: not as a late one, superseded.
    assert (docs[1]["superseded"], docs[2]["superseded"]) == (False, False)

    # The claims revision 2 dropped are closed by the sweep (and no longer count as
    # pending when the next test reads the queue's depth).
    def swept() -> bool:
        revisions = db.claims.distinct("revision", {"story_id": large.story_id, "open": True})
        return revisions == [2]

    wait_for(swept, timeout=120, interval=0.5, what="revision 1's claims closed")
