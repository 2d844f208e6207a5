"""Verify's claims cost the store as few index entries as its queries need, and every
query of a story's claims, a claim, or the queue is answered from an index.

The store (SecantusDB) writes each index entry of each document itself, and rewrites them
all on an update: a story's ~20 claims were most of what storing the story cost. So the
claims collection has only the indexes some query uses, and each of those queries is
asked the way the store can answer from its index (equalities on the leading fields, or
one range after them).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.collection import Collection

from services.contracts import ReviewStatus
from services.store import ensure_indexes
from tests.support.plans import plan
from tests.verify.support import Newsroom
from verify.common import Actor
from verify.queue import repository as queue
from verify.stories import repository
from verify.stories.documents import Claim, Story
from verify.stories.records import ClaimRecord, ClaimWrite, StaleClaim
from verify.stories.repository import leases
from verify.stories.unit_of_work import commit_claims


def _claims() -> Collection[dict[str, Any]]:
    collection: Collection[dict[str, Any]] = Claim._get_collection()
    return collection


def _entries(doc: dict[str, Any], index: dict[str, Any]) -> int:
    fields = list(index["key"])
    if index.get("sparse") and not any(f in doc for f in fields):
        return 0
    return 1


def test_a_stored_claim_has_four_index_entries(story: dict[str, Any]) -> None:
    """_id, claim_id, (story_id, open, revision, start) and the queue's: the bands' index is
    sparse (a new claim has no bands yet), and no index no query uses is left."""
    doc = _claims().find_one({"claim_id": story["claims"][0]["claim_id"]})
    assert doc is not None
    indexes = list(_claims().list_indexes())
    assert sum(_entries(doc, index) for index in indexes) == 4
    assert len(indexes) == 5


def test_retired_indexes_are_dropped_at_start_up(newsroom: Newsroom) -> None:
    claims = _claims()
    claims.create_index([("story_id", 1), ("open", 1), ("start", 1)])
    claims.create_index([("open", 1), ("status", 1), ("queued_at", 1), ("claim_id", 1)])
    try:
        ensure_indexes([Claim])
        names = set(claims.index_information())
        assert "story_id_1_open_1_start_1" not in names
        assert "open_1_status_1_queued_at_1_claim_id_1" not in names
        assert "memory_bands_sparse" in names
        ensure_indexes([Claim])  # again (another replica): nothing left to drop, no error
    finally:
        for name in ("story_id_1_open_1_start_1", "open_1_status_1_queued_at_1_claim_id_1"):
            if name in claims.index_information():
                claims.drop_index(name)


def _spy(monkeypatch: pytest.MonkeyPatch, collection: str) -> list[dict[str, Any]]:
    """The filters of the finds sent to ``collection`` meanwhile (passed on): the
    repository asks through mongoengine's client, which `plans.watched` cannot listen to."""
    seen: list[dict[str, Any]] = []
    find = Collection.find

    def spy(self: Collection[Any], filter: Any = None, *args: Any, **kwargs: Any) -> Any:
        if self.name == collection and filter:
            seen.append(dict(filter))
        return find(self, filter, *args, **kwargs)

    monkeypatch.setattr(Collection, "find", spy)
    return seen


@pytest.fixture
def finds(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    return _spy(monkeypatch, "claims")


def test_the_queries_of_claims_are_answered_from_an_index(
    story: dict[str, Any], finds: list[dict[str, Any]]
) -> None:
    story_id = story["story_id"]
    revision = story["revision"]
    assert repository.open_claims(story_id)
    repository.open_claims_before(story_id, revision + 1, 10)
    # A long story's claims, window by window (a range on the index's last field).
    windows = list(repository.revision_claims(story_id, revision, 3 * repository.WINDOW))
    assert len(windows) >= 3
    assert sum(len(w) for w in windows) == len(repository.open_claims(story_id))
    assert repository.get_claim(story["claims"][0]["claim_id"]) is not None
    pending = ReviewStatus.PENDING.value
    assert queue.waiting(status=pending, section=None, contested=None, after=None, limit=5)
    assert queue.waiting(status=pending, section="local", contested=None, after=None, limit=5)
    assert len(finds) >= 5
    # Not asked: a snapshot's read of several stories' claims (``current_claims_of``),
    # an ``$in`` beside other fields, which the store's explain calls COLLSCAN but answers
    # from the index (timed: 5-8 ms for 40 of 6,000 claims, as fast as one query a story).
    for filter in finds:
        assert not plan(_claims(), filter).scans, filter


@pytest.fixture
def claim_writes(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The filters of the updates sent to the claims collection meanwhile (passed on)."""
    seen: list[dict[str, Any]] = []
    update_one, bulk_write = Collection.update_one, Collection.bulk_write

    def spy_update(self: Collection[Any], filter: Any, *args: Any, **kwargs: Any) -> Any:
        if self.name == "claims":
            seen.append(dict(filter))
        return update_one(self, filter, *args, **kwargs)

    def spy_bulk(self: Collection[Any], requests: Any, *args: Any, **kwargs: Any) -> Any:
        if self.name == "claims":
            seen.extend(dict(r._filter) for r in requests)
        return bulk_write(self, requests, *args, **kwargs)

    monkeypatch.setattr(Collection, "update_one", spy_update)
    monkeypatch.setattr(Collection, "bulk_write", spy_bulk)
    return seen


def test_a_lease_is_taken_and_recorded_by_writes_the_store_answers_from_an_index(
    story: dict[str, Any], claim_writes: list[dict[str, Any]]
) -> None:
    """Taking a lease and recording it assert the lease as read (compare-and-set), not an
    "unleased, out of time or mine" ``$or``, which the store answers by reading every
    stored claim; a contender is still refused at both steps."""
    claim = repository.get_claim(story["claims"][0]["claim_id"])
    assert claim is not None
    now = datetime.now(UTC)

    def leased_to(user: str) -> ClaimRecord:
        return dataclasses.replace(
            claim, lease_holder_id=user, lease_holder=user, lease_until=now + timedelta(minutes=5)
        )

    mine, theirs = leased_to("u_mine"), leased_to("u_theirs")
    assert leases.take(claim, mine, now)
    assert not leases.take(claim, theirs, now)  # live, and another's
    assert leases.take(claim, mine, now)  # renewed by its holder
    actor = Actor("u_mine", "mine", "reviewer")
    recorded = commit_claims(
        claim.story_id, [ClaimWrite(mine, claim, "leased", lease_for="u_mine")], actor, now
    )
    assert recorded.claims[0].lease_holder_id == "u_mine"
    with pytest.raises(StaleClaim):
        commit_claims(
            claim.story_id, [ClaimWrite(theirs, mine, "leased", lease_for="u_theirs")], actor, now
        )
    assert claim_writes, "no update was watched"
    operators = [f for f in claim_writes if any(key.startswith("$") for key in f)]
    assert operators == []


@pytest.fixture
def tied(newsroom: Newsroom) -> Iterator[tuple[datetime, list[str]]]:
    """Six stories changed at one time (a round of new stories is stored with one ``now``)
    and two a second later, long ago: no listing of recent changes sees them."""
    at = datetime(2001, 1, 1, tzinfo=UTC)
    tag = uuid.uuid4().hex[:8]
    stamps = [at] * 6 + [at + timedelta(seconds=1)] * 2
    ids = [f"s_tie_{tag}_{n}" for n in range(len(stamps))]
    stories = Story._get_collection()
    stories.insert_many(
        [{"story_id": i, "version": 1, "updated_at": u} for i, u in zip(ids, stamps, strict=True)]
    )
    try:
        yield at, ids
    finally:
        stories.delete_many({"story_id": {"$in": ids}})


def test_a_page_of_changes_after_a_cursor_is_read_by_index_ranges(
    tied: tuple[datetime, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Publish's catch-up pages through verify's changes; every page after the first read
    every story (one filter with ``$or``, which the store answers by a scan). Now the
    rest of the cursor's change time, then the later ones, each a range on the index."""
    at, ids = tied
    seen = _spy(monkeypatch, "stories")
    page = repository.story_versions_after(at.replace(tzinfo=None), ids[1], 5)
    assert [story_id for story_id, _, _ in page] == ids[2:7]
    assert seen
    for filter in seen:
        assert not any(key.startswith("$") for key in filter), filter
        assert not plan(Story._get_collection(), filter).scans, filter
    last = repository.story_versions_after(page[-1][2], page[-1][0], 5)
    assert [story_id for story_id, _, _ in last][:1] == ids[7:]
