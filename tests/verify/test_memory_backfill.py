"""Claim memory after an upgrade: a claim reviewed and released by a version before claim
memory has no statement and no bands, so no lookup found it. Verify's start-up backfill
reads it: a new story's same claim is offered its review, and marking that claim false
flags the story released before the upgrade."""

from __future__ import annotations

import random
import string
import uuid
from typing import Any

from tests.support.desk import (
    confirm_claim_list,
    publish_when_publishable,
    story_claims,
    verify_every_claim,
)
from tests.support.reports import report
from tests.support.servers import wait_for
from tests.support.stack import Stack
from verify.memory.backfill import Backfill
from verify.stories.documents import Claim


def _story(stack: Stack, body: str) -> dict[str, Any]:
    with stack.client("ingest", "reporter") as ingest:
        answer = ingest.post(
            "/v1/reports",
            json=report(headline="Depot attack", body=body, claims=[]),
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    assert answer.status_code == 202, answer.text
    with stack.client("verify", "reviewer") as verify:
        return story_claims(verify, answer.json()["story_id"])


def _as_before_claim_memory(story_id: str) -> None:
    """The story's claims as the older version stored them: no statement, no bands."""
    Claim._get_collection().update_many(
        {"story_id": story_id},
        {"$unset": {"memory": "", "memory_bands": "", "memory_not_same": ""}},
    )


def test_a_claim_released_before_claim_memory_is_flagged_after_the_backfill(
    stack: Stack,
) -> None:
    town = "".join(random.choices(string.ascii_lowercase, k=9)).capitalize()
    old = _story(stack, f"Drones struck a fuel depot outside {town} on Sunday, the governor said.")
    with stack.client("verify", "reviewer") as verify:
        verify_every_claim(verify, old["story_id"])
        confirm_claim_list(verify, old["story_id"])
    with stack.client("publish", "editor") as publish:
        publish_when_publishable(publish, old["story_id"])
    _as_before_claim_memory(old["story_id"])
    read = {"story_id": old["story_id"], "memory_bands": {"$exists": True}}
    assert Claim._get_collection().count_documents(read) == 0

    backfill = Backfill(batch=5)
    while backfill():
        pass
    assert backfill.done
    assert not backfill()  # done: asks the store no more

    new = _story(stack, f"On Sunday drones struck a fuel depot outside {town}.")
    [claim] = [c for c in new["claims"] if town in c["text"]]
    with stack.client("verify", "reviewer") as verify:
        earlier = verify.get(f"/v1/claims/{claim['claim_id']}/earlier-reviews").json()["items"]
        assert [e["story_id"] for e in earlier] == [old["story_id"]]
        answer = verify.post(
            f"/v1/claims/{claim['claim_id']}/review",
            json={"status": "false", "note": "The depot was not hit"},
            headers={"If-Match": f'"{claim["version"]}"'},
        )
        assert answer.status_code == 200, answer.text

    def flagged() -> bool:
        with stack.client("publish", "editor") as publish:
            items = publish.get("/v1/stories", params={"state": "needs_correction"}).json()
        return old["story_id"] in {s["story_id"] for s in items["items"]}

    wait_for(flagged, 60, what="the story released before the upgrade marked needs_correction")


def test_a_claim_stored_without_its_folded_text_is_read_too(stack: Stack) -> None:
    """A claim with no ``norm`` either: the backfill's conditional write must match it,
    or the claim would come back in every batch and be read forever."""
    town = "".join(random.choices(string.ascii_lowercase, k=9)).capitalize()
    old = _story(stack, f"Shelling hit a bridge near {town} on Monday, the mayor said.")
    with stack.client("verify", "reviewer") as verify:
        verify_every_claim(verify, old["story_id"])
    _as_before_claim_memory(old["story_id"])
    Claim._get_collection().update_many({"story_id": old["story_id"]}, {"$unset": {"norm": ""}})

    backfill = Backfill(batch=5)
    while backfill():
        pass
    unread = {"story_id": old["story_id"], "memory": {"$exists": False}}
    assert Claim._get_collection().count_documents(unread) == 0
