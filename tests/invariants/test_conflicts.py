"""Concurrency is not an error: contention on one claim's lease is answered at once
with 409 and the holder, changes of one story's claims take turns in a process, and a
write conflict that outlives its retries answers 503 with Retry-After as a problem,
never 500, and changes nothing."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from pymongo.client_session import ClientSession
from pymongo.errors import OperationFailure

from services import store
from services.errors import Busy
from tests.support.desk import story_claims
from tests.support.reports import submit
from tests.support.servers import api, wait_for
from tests.support.stack import Stack
from verify.stories import unit_of_work
from verify.stories.documents import Story

CONTENDERS = 20


def claim_in_review(stack: Stack) -> dict[str, Any]:
    with stack.client("ingest", "reporter") as ingest:
        story_id = submit(ingest).json()["story_id"]
    with stack.client("verify", "reviewer") as verify:
        claim: dict[str, Any] = story_claims(verify, story_id)["claims"][0]
    return {**claim, "story_id": story_id}


def test_concurrent_leases_of_one_claim_give_one_lease_and_409s(stack: Stack) -> None:
    claim = claim_in_review(stack)
    tokens = [stack.new_user("reviewer")[1] for _ in range(CONTENDERS)]

    def lease(token: str) -> httpx.Response:
        with api(stack.url("verify"), token) as client:
            return client.post(f"/v1/claims/{claim['claim_id']}/lease")

    with ThreadPoolExecutor(CONTENDERS) as pool:
        answers = list(pool.map(lease, tokens))
    counts = Counter(a.status_code for a in answers)
    assert counts == {200: 1, 409: CONTENDERS - 1}, counts
    holder = next(a for a in answers if a.status_code == 200).json()["holder"]
    for refused in (a for a in answers if a.status_code == 409):
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["holder"] == holder
        assert int(refused.headers["retry-after"]) >= 1  # when the lease ends
    with stack.client("verify", "reviewer") as verify:
        history = verify.get(f"/v1/claims/{claim['claim_id']}/history").json()
    entries = history["entries"] if isinstance(history, dict) else history
    assert [e["action"] for e in entries].count("leased") == 1


def test_lease_contenders_are_refused_without_waiting_for_the_story(stack: Stack) -> None:
    """While another transaction holds the story (a revision being stored...), the
    contenders for one claim are still answered 409 at once: they never start a
    transaction of their own. The one that took the lease cannot record it until the
    story is free; past the retry window it is answered 503 and the lease is given back."""
    claim = claim_in_review(stack)
    tokens = [stack.new_user("reviewer")[1] for _ in range(CONTENDERS)]

    def lease(token: str) -> httpx.Response:
        with api(stack.url("verify"), token) as client:
            return client.post(f"/v1/claims/{claim['claim_id']}/lease")

    with (
        story_held_by_another_transaction(claim["story_id"]),
        ThreadPoolExecutor(CONTENDERS) as pool,
    ):
        answers = list(pool.map(lease, tokens))
    counts = Counter(a.status_code for a in answers)
    assert counts == {409: CONTENDERS - 1, 503: 1}, counts
    busy = next(a for a in answers if a.status_code == 503)
    assert busy.headers["retry-after"]
    with stack.client("verify", "reviewer") as verify:
        after = verify.get(f"/v1/claims/{claim['claim_id']}").json()
    assert after["holder"] is None


def lease_history(stack: Stack, claim_id: str) -> list[str]:
    with stack.client("verify", "reviewer") as verify:
        history = verify.get(f"/v1/claims/{claim_id}/history").json()
    return [e["action"] for e in history["entries"]]


def test_changes_of_one_story_take_turns_instead_of_conflicting(stack: Stack) -> None:
    """Leases of different claims of one story each write the story: in one process they
    wait for the story's turn (no write conflict, no backoff), and record once it is
    theirs."""
    claim = claim_in_review(stack)
    story_id = claim["story_id"]
    with ThreadPoolExecutor(1) as pool, stack.client("verify", "reviewer") as verify:
        with unit_of_work.STORY_TURNS.of(story_id, time.monotonic() + 60):
            answer = pool.submit(verify.post, f"/v1/claims/{claim['claim_id']}/lease")
            # The lease waits for the turn this test holds: it has not recorded yet.
            wait_for(lambda: unit_of_work.STORY_TURNS.waiting(story_id) == 2, what="waiter")
            assert "leased" not in lease_history(stack, claim["claim_id"])
            assert not answer.done()
        leased = answer.result(timeout=60)
        assert leased.status_code == 200, leased.text
    assert lease_history(stack, claim["claim_id"]).count("leased") == 1
    assert unit_of_work.STORY_TURNS.waiting(story_id) == 0  # nothing kept per story


def test_a_turn_is_waited_for_only_as_long_as_a_conflict(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A story whose turn stays taken answers 503 Busy after the conflict window, as a
    conflict would, and the lease is given back: no request waits behind every other."""
    monkeypatch.setattr(store, "CONFLICT_RETRY_SECONDS", 1.0)
    claim = claim_in_review(stack)
    with ThreadPoolExecutor(1) as pool, stack.client("verify", "reviewer") as verify:
        with unit_of_work.STORY_TURNS.of(claim["story_id"], time.monotonic() + 60):
            answer = pool.submit(verify.post, f"/v1/claims/{claim['claim_id']}/lease")
            refused = answer.result(timeout=30)  # while the turn is still taken
        assert refused.status_code == 503, refused.text
        assert refused.json()["type"] == "urn:newsroom:problem:busy"
        assert int(refused.headers["retry-after"]) >= 1
        assert verify.get(f"/v1/claims/{claim['claim_id']}").json()["holder"] is None


@contextmanager
def story_held_by_another_transaction(story_id: str) -> Iterator[ClientSession]:
    """An open transaction that has written the story's document: every other
    transaction that writes it meets a write conflict until this one ends (aborted)."""
    with store.client("verify").start_session() as session:
        # The holder's own write may meet the session's verify writing the story (its
        # outbox marking a snapshot sent): it tries again until it holds the story.
        deadline = time.monotonic() + 30
        while True:
            session.start_transaction()
            try:
                Story._get_collection().update_one(
                    {"story_id": story_id}, {"$inc": {"conflict_probe": 1}}, session=session
                )
                break
            except OperationFailure as exc:
                session.abort_transaction()
                if not exc.has_error_label("TransientTransactionError"):
                    raise
                if time.monotonic() > deadline:
                    raise
        try:
            yield session
        finally:
            session.abort_transaction()


def test_a_conflict_past_the_retry_window_raises_busy(stack: Stack) -> None:
    claim = claim_in_review(stack)

    def work(session: ClientSession) -> None:
        Story._get_collection().update_one(
            {"story_id": claim["story_id"]}, {"$inc": {"conflict_probe": 1}}, session=session
        )

    with story_held_by_another_transaction(claim["story_id"]), pytest.raises(Busy):
        store.transaction("verify", work, conflict_seconds=0.5)


def test_a_review_that_keeps_conflicting_answers_503_and_changes_nothing(stack: Stack) -> None:
    claim = claim_in_review(stack)
    url = f"/v1/claims/{claim['claim_id']}"
    with stack.client("verify", "reviewer") as verify:
        before = verify.get(url).json()
        with story_held_by_another_transaction(claim["story_id"]):
            answer = verify.post(
                f"{url}/review",
                json={"status": "verified"},
                headers={"If-Match": f'"{claim["version"]}"', "Idempotency-Key": uuid.uuid4().hex},
            )
        after = verify.get(url).json()
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert int(answer.headers["retry-after"]) >= 1
    assert answer.json()["type"] == "urn:newsroom:problem:busy"
    assert (after["status"], after["version"]) == (before["status"], before["version"])
