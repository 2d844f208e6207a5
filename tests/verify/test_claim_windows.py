"""A long story's claims are read in windows of where they start in its text, so no read of
them makes the store decode more than about a page (verify/README.md, "The large lane";
DEVELOPERS.md, "What a statement holds": a read holds every other read of the store while
it decodes all it matches, before any limit, and a read of 1,000 claims held them for
150-600 ms). Checked against the real store: every find that names the story is explained
as it is sent, and none examines more than two pages of claims, from the story's first
snapshot to the sweep that closes what its revision to one line dropped."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.database import Database

from tests.support.plans import plan
from tests.support.servers import wait_for
from tests.verify.support import Newsroom
from tests.verify.test_large_lane import many_claims
from verify.stories import unit_of_work
from verify.stories.repository import DESK, PAGE, WINDOW

CLAIMS = 450
# The first window holds about 75 of these claims; each next one is sized to about PAGE.
MOST = 2 * PAGE


class ClaimReads:
    """Every find sent to the claims collection, from any thread, that names ``story_id``,
    with how many documents the store examined to answer it (its explain, asked just
    before the find is sent on)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, story_id: str) -> None:
        self.seen: list[tuple[dict[str, Any], int]] = []
        self._lock = threading.Lock()
        find = Collection.find
        reads = self

        def spy(collection: Collection[Any], filter: Any = None, *a: Any, **k: Any) -> Any:
            if collection.name == "claims" and _names(filter, story_id):
                examined = plan(collection, filter).docs_examined
                with reads._lock:
                    reads.seen.append((dict(filter), examined))
            return find(collection, filter, *a, **k)

        monkeypatch.setattr(Collection, "find", spy)

    def over(self, most: int) -> list[tuple[dict[str, Any], int]]:
        with self._lock:
            return [(f, n) for f, n in self.seen if n > most]


def _names(filter: Any, story_id: str) -> bool:
    named = (filter or {}).get("story_id")
    return named == story_id or (isinstance(named, dict) and story_id in named.get("$in", []))


def test_no_read_of_a_long_storys_claims_decodes_more_than_a_page_of_them(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = newsroom.report(headline="Results", body=many_claims(CLAIMS), claims=[])
    assert len(first.body) > 4 * WINDOW
    reads = ClaimReads(monkeypatch, first.story_id)
    newsroom.submit(first)
    # The snapshot outbox's read of it, and verify's API's (this wait reads it over HTTP).
    story = newsroom.wait_story(first.story_id, timeout=120)
    ids = {c["claim_id"] for c in story["claims"]}
    assert len(ids) >= CLAIMS

    # The reads a too-large story's snapshot and publish's desk view make, all of it.
    judged = unit_of_work.read_stories_sized([first.story_id], lambda s: True, lambda s, c: True)
    assert [(s.whole, {c.claim_id for c in s.claims}) for s in judged] == [(False, ids)]
    desk = unit_of_work.read_stories([first.story_id], DESK)
    assert [c.claim_id for c in desk[0][1]] == [c["claim_id"] for c in story["claims"]]

    # Revised to one line: the revision, its snapshot, and the sweep of what it dropped.
    line = "The count ended at midnight, the commission said."
    newsroom.submit(newsroom.report(story_id=first.story_id, revision=2, body=line, claims=[]))
    settings = newsroom.settings
    db: Database[Any] = MongoClient(settings.mongo_url)[settings.database("verify")]

    def swept() -> bool:
        left = {"story_id": first.story_id, "open": True, "revision": 1}
        return db.claims.count_documents(left) == 0

    wait_for(swept, timeout=120, interval=0.5, what="revision 1's claims closed")
    assert db.claims.count_documents({"story_id": first.story_id, "open": False}) >= CLAIMS

    assert len(reads.seen) >= 3 * (CLAIMS // PAGE), reads.seen
    assert reads.over(MOST) == []
