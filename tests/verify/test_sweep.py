"""The sweep closes the claims a revision dropped with one update statement a slice, not
one a claim (the store locks the claims collection for each statement), rests after each
slice so other stories' writes go on, and still audits every claim it closes, once
(verify/README.md, "Bounded work per story"); it reads each dropped claim once, only as far
as closing needs (those of a long revision window by window as it closes them:
tests/verify/test_claim_windows.py), and each of its statements names at most
``CLOSE_CHUNK`` of them."""

from __future__ import annotations

import math
import threading
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.database import Database

from tests.support.servers import wait_for
from tests.verify.support import Newsroom
from tests.verify.test_large_lane import many_claims
from verify.stories import intake, unit_of_work
from verify.stories.intake import CLOSE_CHUNK
from verify.stories.repository import CLOSING, WINDOW
from verify.stories.repository import open_claims_before as read_before
from verify.stories.repository import revision_claims as read_windows

DROPPED = 130


class UpdateStatements:
    """Every update statement sent to the claims collection that closes a claim, by the
    claim ids it names: a spy on pymongo's two ways to send them, which still sends them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[list[str]] = []
        # What the sweep did, in order: "close" (a statement of ours) or "rest".
        self.steps: list[str] = []
        self.ours: set[str] = set()
        self._lock = threading.Lock()
        bulk_write, update_many, rest = Collection.bulk_write, Collection.update_many, intake.rest
        spy = self

        def on_rest(seconds: float) -> None:
            with spy._lock:
                spy.steps.append("rest")
            rest(seconds)

        def on_bulk_write(collection: Collection[Any], requests: Any, *a: Any, **k: Any) -> Any:
            for op in requests:
                spy.note(collection, getattr(op, "_filter", {}), getattr(op, "_doc", {}))
            return bulk_write(collection, requests, *a, **k)

        def on_update_many(
            collection: Collection[Any], query: Any, update: Any, *a: Any, **k: Any
        ) -> Any:
            spy.note(collection, query, update)
            return update_many(collection, query, update, *a, **k)

        monkeypatch.setattr(Collection, "bulk_write", on_bulk_write)
        monkeypatch.setattr(Collection, "update_many", on_update_many)
        monkeypatch.setattr(intake, "rest", on_rest)

    def note(self, collection: Collection[Any], query: Any, update: Any) -> None:
        if collection.name != "claims" or (update.get("$set") or {}).get("open") is not False:
            return
        named = query.get("claim_id")
        ids = named.get("$in", []) if isinstance(named, dict) else [named]
        with self._lock:
            self.seen.append([str(i) for i in ids])
            if self.ours & set(self.seen[-1]):
                self.steps.append("close")

    def naming(self, claim_ids: set[str]) -> list[list[str]]:
        with self._lock:
            return [ids for ids in self.seen if claim_ids & set(ids)]


def test_the_sweep_closes_a_slice_of_claims_a_statement_and_audits_each_once(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    statements = UpdateStatements(monkeypatch)
    first = newsroom.report(headline="Results", body=many_claims(DROPPED), claims=[])
    assert len(first.body) > WINDOW  # so revision 1's are read in windows
    # The sweep's reads of this story's dropped claims: what they read, with their fields.
    reads: list[tuple[str, Any]] = []

    def on_read(story_id: str, revision: int, limit: int = 0, fields: Any = None) -> Any:
        if story_id == first.story_id:
            reads.append(("before", fields))
        return read_before(story_id, revision, limit, **({"fields": fields} if fields else {}))

    def on_windows(story_id: str, revision: int, span: int, *a: Any, fields: Any) -> Any:
        if story_id == first.story_id:
            reads.append(("windows", fields))
        return read_windows(story_id, revision, span, *a, fields=fields)

    monkeypatch.setattr(unit_of_work, "open_claims_before", on_read)
    monkeypatch.setattr(unit_of_work, "revision_claims", on_windows)
    newsroom.submit(first)
    newsroom.wait_story(first.story_id, timeout=120)
    settings = newsroom.settings
    db: Database[Any] = MongoClient(settings.mongo_url)[settings.database("verify")]
    dropped = {d["claim_id"] for d in db.claims.find({"story_id": first.story_id, "open": True})}
    assert len(dropped) >= DROPPED
    statements.ours = dropped

    line = "The count ended at midnight, the commission said."
    newsroom.submit(newsroom.report(story_id=first.story_id, revision=2, body=line, claims=[]))

    def swept() -> bool:
        """Every dropped claim closed, and the sweep done with the story: its last read,
        which finds none left, clears the story's mark (the claims close before it)."""
        left = db.claims.count_documents({"claim_id": {"$in": list(dropped)}, "open": True})
        marked = db.stories.count_documents({"story_id": first.story_id, "sweep_pending": True})
        return left == 0 and marked == 0

    wait_for(swept, timeout=120, interval=0.5, what="revision 1's claims closed, the sweep done")
    sent = statements.naming(dropped)
    closed_by = [i for ids in sent for i in ids if i in dropped]
    assert set(closed_by) == dropped
    # One statement a slice (a slice again only when a claim changed under the sweep).
    assert len(sent) <= 2 * math.ceil(len(dropped) / CLOSE_CHUNK), len(sent)
    assert max(len(ids) for ids in sent) <= CLOSE_CHUNK
    # Read once, window by window as they are closed, then once more to find none left:
    # the store fetches every match of a read, and a read a slice fetched all that was
    # left each time.
    assert reads == [("windows", CLOSING), ("before", CLOSING)], reads
    # It rested after each slice: never two of its statements back to back.
    steps = list(statements.steps)
    assert steps.count("close") >= 2
    assert "close,close" not in ",".join(steps), steps

    entries = list(db.claim_audit.find({"claim_id": {"$in": list(dropped)}, "action": "closed"}))
    assert sorted(e["claim_id"] for e in entries) == sorted(dropped)
    claims = {d["claim_id"]: d for d in db.claims.find({"claim_id": {"$in": list(dropped)}})}
    for entry in entries:
        claim = claims[entry["claim_id"]]
        assert entry["detail"] == "not in revision 2"
        assert (entry["before"]["open"], entry["after"]["open"]) == (True, False)
        assert entry["version"] == claim["version"]
        assert entry["seq"] == claim["audit_seq"]
