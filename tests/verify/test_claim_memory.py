"""Claim memory through HTTP with the real broker and store: a claim reviewed in one story
is offered with its review when a reworded copy arrives in another; a near miss (another
number) is not; the review can be applied (audited as applied from that claim) or
refused as not the same claim; marking it false flags every released story carrying it."""

from __future__ import annotations

import random
import string
import uuid
from typing import Any

import httpx

from tests.support.console import CSRF, signed_in
from tests.support.desk import (
    confirm_claim_list,
    publish_when_publishable,
    story_claims,
    verify_every_claim,
)
from tests.support.reports import report
from tests.support.servers import wait_for
from tests.support.stack import Stack


def _name() -> str:
    """A place no other story names (letters only: digits would read as a number)."""
    return "".join(random.choices(string.ascii_lowercase, k=9)).capitalize()


def _story(stack: Stack, body: str, headline: str = "Port figures") -> dict[str, Any]:
    with stack.client("ingest", "reporter") as ingest:
        answer = ingest.post(
            "/v1/reports",
            json=report(headline=headline, body=body, claims=[]),
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
    assert answer.status_code == 202, answer.text
    with stack.client("verify", "reviewer") as verify:
        return story_claims(verify, answer.json()["story_id"])


def _claim(story: dict[str, Any], words: str) -> dict[str, Any]:
    return next(c for c in story["claims"] if words in c["text"])


def _review(verify: httpx.Client, claim: dict[str, Any], status: str, **body: Any) -> Any:
    answer = verify.post(
        f"/v1/claims/{claim['claim_id']}/review",
        json={"status": status, **body},
        headers={"If-Match": f'"{claim["version"]}"'},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def _earlier(verify: httpx.Client, claim_id: str) -> list[dict[str, Any]]:
    answer = verify.get(f"/v1/claims/{claim_id}/earlier-reviews")
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


ATTRIBUTION = {"source_name": "Harbour master", "source_kind": "person",
               "obtained_via": "statement"}  # fmt: skip


def test_a_reworded_claim_is_offered_its_earlier_review_and_a_near_miss_is_not(
    stack: Stack,
) -> None:
    port = _name()
    first = _story(
        stack, f"The port of {port} handled 310 ships in March, the harbour master said."
    )
    with stack.client("verify", "reviewer") as verify:
        reviewed = _review(verify, _claim(first, port), "contested", attributions=[ATTRIBUTION])
    second = _story(
        stack,
        f"In March the port of {port} handled 310 ships, according to shipping data. "
        f"The port of {port} handled 301 ships in March, officials said.",
    )
    reworded = _claim(second, "310 ships")
    near_miss = _claim(second, "301 ships")
    with stack.client("verify", "reviewer") as verify:
        [offer] = _earlier(verify, reworded["claim_id"])
        assert offer["claim_id"] == reviewed["claim_id"]
        assert offer["story_id"] == first["story_id"]
        assert offer["headline"] == "Port figures"
        assert offer["status"] == "contested"
        assert offer["attributions"][0]["source_name"] == "Harbour master"
        assert offer["reviewed_by"]
        assert offer["reviewed_at"]
        assert 0 < offer["score"] <= 1
        assert _earlier(verify, near_miss["claim_id"]) == []

        applied = verify.post(
            f"/v1/claims/{reworded['claim_id']}/apply-review",
            json={"from_claim_id": reviewed["claim_id"]},
            headers={"If-Match": f'"{reworded["version"]}"'},
        )
        assert applied.status_code == 200, applied.text
        claim = applied.json()
        assert claim["status"] == "contested"
        assert [a["source_name"] for a in claim["attributions"]] == ["Harbour master"]
        assert claim["attributions"][0]["start"] is None  # spans were the other story's
        last = verify.get(f"/v1/claims/{reworded['claim_id']}/history").json()["entries"][-1]
        assert last["action"] == "applied_from_match"
        assert last["after"]["from_claim_id"] == reviewed["claim_id"]
        assert last["after"]["status"] == "contested"
        assert last["before"]["status"] == "pending"

        refused = verify.post(
            f"/v1/claims/{near_miss['claim_id']}/apply-review",
            json={"from_claim_id": reviewed["claim_id"]},
            headers={"If-Match": f'"{near_miss["version"]}"'},
        )
        assert refused.status_code == 409, refused.text
        assert refused.json()["differs"] == "number"
        assert verify.get(f"/v1/claims/{near_miss['claim_id']}").json()["status"] == "pending"


def test_a_suggestion_marked_not_the_same_is_not_offered_again(stack: Stack) -> None:
    town = _name()
    first = _story(stack, f"Floodwater closed the bridge at {town} on Tuesday, police said.")
    with stack.client("verify", "reviewer") as verify:
        reviewed = _review(verify, _claim(first, town), "verified")
    second = _story(stack, f"On Tuesday floodwater closed the bridge at {town}.")
    copy = _claim(second, town)
    with stack.client("verify", "reviewer") as verify:
        assert [o["claim_id"] for o in _earlier(verify, copy["claim_id"])] == [reviewed["claim_id"]]
        answer = verify.post(
            f"/v1/claims/{copy['claim_id']}/not-same", json={"claim_id": reviewed["claim_id"]}
        )
        assert answer.status_code == 204, answer.text
        assert _earlier(verify, copy["claim_id"]) == []
        applied = verify.post(
            f"/v1/claims/{copy['claim_id']}/apply-review",
            json={"from_claim_id": reviewed["claim_id"]},
            headers={"If-Match": f'"{copy["version"]}"'},
        )
        assert applied.status_code == 409


def test_marking_a_claim_false_flags_every_released_story_carrying_it(stack: Stack) -> None:
    town = _name()
    sentence = f"Drones struck a fuel depot outside {town} on Sunday, the governor said."
    first = _story(stack, sentence)
    released = _story(stack, f"On Sunday drones struck a fuel depot outside {town}.")
    held = _story(stack, f"Drones struck a fuel depot outside {town} on Sunday, residents said.")
    with stack.client("verify", "reviewer") as verify:
        verify_every_claim(verify, first["story_id"])
        verify_every_claim(verify, released["story_id"])
        confirm_claim_list(verify, released["story_id"])  # rule 0, before any release
    with stack.client("publish", "editor") as publish:
        publish_when_publishable(publish, released["story_id"])
    with stack.client("verify", "reviewer") as verify:
        claim = verify.get(f"/v1/claims/{_claim(first, town)['claim_id']}").json()
        _review(verify, claim, "false", note="The depot was not hit")

    def flagged() -> dict[str, Any] | None:
        with stack.client("publish", "editor") as publish:
            items = publish.get("/v1/stories", params={"state": "needs_correction"}).json()
        return next((s for s in items["items"] if s["story_id"] == released["story_id"]), None)

    row = wait_for(flagged, 60, what="the released story marked needs_correction")
    [flag] = row["correction_flags"]
    assert flag["source_claim_id"] == claim["claim_id"]
    assert flag["source_story_id"] == first["story_id"]
    assert flag["status"] == "false"
    assert flag["review_url"].endswith(f"/ui/claims/{claim['claim_id']}")
    with stack.client("publish", "editor") as publish:
        others = publish.get("/v1/stories", params={"state": "needs_correction"}).json()
    assert held["story_id"] not in {s["story_id"] for s in others["items"]}


def test_the_claim_page_offers_the_earlier_review_and_applies_it(stack: Stack) -> None:
    school = _name()
    first = _story(
        stack, f"Inspectors closed the {school} Street bakery on Monday, the council said."
    )
    with stack.client("verify", "reviewer") as verify:
        reviewed = _review(verify, _claim(first, school), "verified")
    second = _story(stack, f"On Monday inspectors closed the {school} Street bakery.")
    copy = _claim(second, school)
    with signed_in(stack.url("verify"), stack.tokens["reviewer"]) as console:
        page = console.get(f"/ui/claims/{copy['claim_id']}")
        assert page.status_code == 200
        assert "Reviewed before in other stories" in page.text
        assert f'name="from_claim_id" value="{reviewed["claim_id"]}"' in page.text
        token = CSRF.search(page.text)
        assert token is not None
        answer = console.post(
            f"/ui/claims/{copy['claim_id']}/apply-review",
            data={
                "csrf_token": token.group(1),
                "version": str(copy["version"]),
                "from_claim_id": reviewed["claim_id"],
            },
        )
        assert answer.status_code == 303, answer.text[:300]
    with stack.client("verify", "reviewer") as verify:
        after = verify.get(f"/v1/claims/{copy['claim_id']}").json()
        assert after["status"] == "verified"
        last = verify.get(f"/v1/claims/{copy['claim_id']}/history").json()["entries"][-1]
        assert last["action"] == "applied_from_match"
