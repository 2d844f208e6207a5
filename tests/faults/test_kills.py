"""Invariant 1 under fire: hundreds of reports while ingest, publish and each of two verify
replicas (one consumer group) are SIGKILLed in turn at random moments and the broker
restarts empty; afterwards every
report answered 202 is in the verification queue exactly once, no claim is without its
report, and every story released before a kill is still in the feeds. Invariant 2 across
the same kills: stories whose every claim passes but whose claim list no reviewer
confirmed, with ``publish_when_cleared``, are released nowhere (re-sent snapshots,
catch-up and the auto-release worker restarting included) until a reviewer confirms.

`make test` runs a short form; `make test-faults` (NEWSROOM_FAULTS=long) the long one.
"""

from __future__ import annotations

import os
import random
import threading
import time
from collections import Counter
from typing import Any

import httpx
import pytest
from pymongo import MongoClient

from tests.support.desk import confirm_claim_list, publish_when_publishable, verify_every_claim
from tests.support.fleet import Fleet, submit_reports
from tests.support.servers import wait_for

LONG = os.environ.get("NEWSROOM_FAULTS") == "long"
REPORTS = 600 if LONG else 120
KILL_ROUNDS = 4 if LONG else 1  # each round kills ingest, verify and publish once
BROKER_WIPES = 2 if LONG else 1

pytestmark = pytest.mark.faults


def payload(n: int) -> dict[str, Any]:
    sentence = f"The council approved a budget of {n + 2} million euros on Monday."
    return {
        "headline": f"Budget vote {n}",
        "section": "local",
        "body": f"{sentence} The vote was held in the town hall.",
        "claims": [{"text": sentence}],
    }


def release(fleet: Fleet, n: int) -> str:
    """Submit, review and publish one story; return its id."""
    with fleet.client("ingest", "reporter") as ingest:
        key = f"release-{n}-{time.time()}"
        answer = ingest.post("/v1/reports", json=payload(10_000 + n),
                             headers={"Idempotency-Key": key})  # fmt: skip
        story_id = str(answer.json()["story_id"])
    with fleet.client("verify", "reviewer") as verify:
        verify_every_claim(verify, story_id)
        confirm_claim_list(verify, story_id)
    with fleet.client("publish", "editor") as publish:
        publish_when_publishable(publish, story_id, timeout=90)
    return story_id


def reviewed_unconfirmed(fleet: Fleet, n: int) -> str:
    """A story whose every claim a reviewer verified, its claim list not confirmed, asking
    for ``publish_when_cleared``: only the sign-off holds it."""
    with fleet.client("ingest", "reporter") as ingest:
        answer = ingest.post(
            "/v1/reports",
            json={**payload(20_000 + n), "publish_when_cleared": True},
            headers={"Idempotency-Key": f"unconfirmed-{n}-{time.time()}"},
        )
        story_id = str(answer.json()["story_id"])
    with fleet.client("verify", "reviewer") as verify:
        verify_every_claim(verify, story_id)
    return story_id


def released_anywhere(fleet: Fleet, story_id: str) -> list[str]:
    """Where readers can get the story: the feed, ninjs, publish's publications (webhook
    deliveries are made in the release's own transaction, so none without one)."""
    found = []
    feed = httpx.get(f"{fleet.url('publish')}/feeds/all.json", timeout=30).json()
    if any(story_id in item["id"] for item in feed["items"]):
        found.append("feed")
    if httpx.get(f"{fleet.url('publish')}/v1/published/{story_id}", timeout=30).status_code != 404:
        found.append("ninjs")
    publish_db = MongoClient(fleet.settings.mongo_url)[fleet.settings.database("publish")]
    if publish_db.publications.count_documents({"_id": story_id}):
        found.append("publications")
    if publish_db.deliveries.count_documents({"story_id": story_id}):
        found.append("webhooks")
    return found


def chaos(fleet: Fleet, stop: threading.Event, log: list[str]) -> None:
    """Kill each process in turn at random moments; wipe the broker in between."""
    rng = random.Random(7)
    plan: list[str] = []
    for round_ in range(KILL_ROUNDS):
        plan += list(fleet.names)
        if round_ < BROKER_WIPES:
            plan.append("broker")
    for victim in plan:
        if stop.wait(rng.uniform(0.5, 2.0)):
            return
        if victim == "broker":
            fleet.wipe_broker()
        else:
            fleet.kill_and_restart(victim)
        log.append(victim)


@pytest.mark.parametrize("fleet", [2], indirect=True, ids=["two-verify-replicas"])
def test_reports_survive_kills_and_broker_wipes(fleet: Fleet) -> None:
    released_before = [release(fleet, 0)]
    unconfirmed = [reviewed_unconfirmed(fleet, n) for n in range(2)]

    stop, killed = threading.Event(), []
    chaos_thread = threading.Thread(target=chaos, args=(fleet, stop, killed))
    chaos_thread.start()
    try:
        load = submit_reports(fleet.url("ingest"), fleet.tokens["reporter"], REPORTS, payload)
    finally:
        chaos_thread.join()
        stop.set()
    assert load.refused == []
    assert len(load.accepted) == REPORTS

    # Settle: every accepted report reaches verify (ingest re-sends what is unconfirmed).
    verify_db = MongoClient(fleet.settings.mongo_url)[fleet.settings.database("verify")]
    accepted = set(load.accepted)

    def all_received() -> bool:
        found = {d["report_id"] for d in verify_db.revisions.find({}, {"report_id": 1})}
        return accepted <= found

    wait_for(all_received, timeout=180, interval=0.25, what="every accepted report in verify")

    revisions = Counter(d["report_id"] for d in verify_db.revisions.find({}, {"report_id": 1}))
    lost = [r for r in accepted if revisions[r] == 0]
    duplicated = [r for r in accepted if revisions[r] > 1]
    assert lost == []
    assert duplicated == []
    stories = {load.accepted[r]["story_id"] for r in accepted}
    claims_per_story = Counter(
        d["story_id"] for d in verify_db.claims.find({"open": True}, {"story_id": 1})
        if d["story_id"] in stories
    )  # fmt: skip
    # Each report's story holds its claims exactly once: the same count for every story.
    assert set(claims_per_story) == stories
    assert len(set(claims_per_story.values())) == 1, claims_per_story.most_common(3)
    known = {(d["story_id"], d["revision"]) for d in verify_db.revisions.find()}
    orphans = [c["claim_id"] for c in verify_db.claims.find()
               if (c["story_id"], c["revision"]) not in known]  # fmt: skip
    assert orphans == []

    # Released before the kills: still in the feed, served by a publish that was killed.
    feed = httpx.get(f"{fleet.url('publish')}/feeds/all.json", timeout=30).json()
    in_feed = {item["id"] for item in feed["items"]}
    for story_id in released_before:
        assert any(story_id in item_id for item_id in in_feed), (story_id, in_feed)

    # Held by the sign-off alone through every kill: nothing of them reached readers.
    with fleet.client("publish", "editor") as publish:

        def held_by_sign_off(story_id: str) -> bool:
            found = publish.get(f"/v1/stories/{story_id}/gate")
            reasons = [b["reason"] for b in found.json().get("blockers", [])]
            return found.status_code == 200 and reasons == ["claim_list_unconfirmed"]

        for story_id in unconfirmed:
            wait_for(lambda s=story_id: held_by_sign_off(s), timeout=90, interval=0.25,
                     what="publish to hold the story for its claim list alone")  # fmt: skip
            assert released_anywhere(fleet, story_id) == []
    # The sign-off is what held them: once confirmed, the reporter's "publish when cleared"
    # releases one with nobody else.
    with fleet.client("verify", "reviewer") as verify:
        confirm_claim_list(verify, unconfirmed[0])
    wait_for(lambda: "ninjs" in released_anywhere(fleet, unconfirmed[0]), timeout=90,
             interval=1, what="the confirmed story released by publish_when_cleared")  # fmt: skip
    assert released_anywhere(fleet, unconfirmed[1]) == []

    assert Counter(killed)["broker"] == BROKER_WIPES
    # Both verify replicas took their share of the group's partitions and stored reports.
    stored_by = {name: fleet.services[name].log.read_text().count("report_received")
                 for name in ("verify", "verify2")}  # fmt: skip
    assert all(stored_by.values()), stored_by
    assert Counter(killed)["verify2"] == KILL_ROUNDS
    print(  # the figures for the closing note
        f"\nreports submitted={REPORTS} attempts={load.attempts} retried={load.retried} "
        f"kills={dict(fleet.kills)} broker_wipes={fleet.broker_wipes} lost={len(lost)} "
        f"duplicated={len(duplicated)} orphan_claims={len(orphans)} stored_by={stored_by}"
    )
