"""Publish in the session stack, next to the real verify: roles on every path, the gate
API on events from the bus, and end to end from a submitted report to a feed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from publish.feeds.ninjs import reviews_of
from services.bus import EventProducer, TopicAdmin
from services.contracts import DeclaredClaim, ReportSubmitted, StoryReviewed, Topic
from tests.publish.builders import BODY, attribution, claim, story, with_status
from tests.support.desk import confirm_claim_list
from tests.support.kafka import story_behind
from tests.support.servers import wait_for
from tests.support.stack import Stack


@pytest.fixture(scope="module")
def producer(stack: Stack) -> Iterator[EventProducer]:
    producer = EventProducer(stack.settings, "/tests/publish-stack", TopicAdmin(stack.settings))
    try:
        yield producer
    finally:
        producer.close()


def announce(producer: EventProducer, snapshot: StoryReviewed) -> StoryReviewed:
    message = producer.message(Topic.STORIES_REVIEWED, snapshot, key=snapshot.story_id)
    producer.send(message)
    return snapshot


def gate_at(stack: Stack, story_id: str, version: int, timeout: float = 30) -> dict[str, Any]:
    with stack.client("publish", "reviewer") as reviewer:

        def seen() -> dict[str, Any] | None:
            response = reviewer.get(f"/v1/stories/{story_id}/gate")
            if response.status_code == 200 and response.json()["version"] >= version:
                return dict(response.json())
            return None

        found: dict[str, Any] = wait_for(seen, timeout, what=f"version {version} in publish")
        return found


# --- roles --------------------------------------------------------------------------------

ANYONE = None
PATHS: list[tuple[str, str, set[str]]] = [
    # method, path, roles allowed
    ("GET", "/v1/stories/s_x/gate", {"editor", "reviewer"}),
    ("POST", "/v1/stories/s_x/publish", {"editor"}),
    ("POST", "/v1/stories/s_x/retract", {"editor"}),
    ("GET", "/v1/stories", {"editor"}),
    ("GET", "/v1/subscriptions", {"editor", "admin"}),
    ("POST", "/v1/subscriptions", {"editor", "admin"}),
    ("GET", "/v1/subscriptions/sub_x", {"editor", "admin"}),
    ("DELETE", "/v1/subscriptions/sub_x", {"editor", "admin"}),
    ("GET", "/v1/subscriptions/sub_x/deliveries", {"editor", "admin"}),
]


@pytest.mark.parametrize(("method", "path", "allowed"), PATHS)
def test_each_role_can_do_only_what_it_may(
    stack: Stack, method: str, path: str, allowed: set[str]
) -> None:
    body = {"reason": "r"} if path.endswith("retract") else {"url": "http://127.0.0.1:9/x"}
    kwargs = {"json": body} if method == "POST" else {}
    with stack.client("publish") as anonymous:
        response = anonymous.request(method, path, **kwargs)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["www-authenticate"].startswith("Bearer")
    for role in ("reporter", "reviewer", "editor", "admin", "service"):
        with stack.client("publish", role) as client:
            response = client.request(method, path, **kwargs)
            if response.status_code == 201:  # leave no subscriber behind in the shared stack
                assert (
                    client.delete(f"/v1/subscriptions/{response.json()['id']}").status_code == 204
                )
        if role in allowed:
            assert response.status_code not in (401, 403), (role, response.text)
        else:
            assert response.status_code == 403, (role, path, response.text)
            assert response.json()["type"] == "urn:newsroom:problem:forbidden"


def test_feeds_and_published_stories_are_public(stack: Stack) -> None:
    with stack.client("publish") as anonymous:
        assert anonymous.get("/feeds/all.json").status_code == 200
        assert anonymous.get("/feeds/world.atom").status_code == 200
        assert anonymous.get("/v1/published/s_never").status_code == 404


# --- the gate API on events from the bus --------------------------------------------------


def test_the_gate_api_names_every_blocker_what_it_lacks_and_who_holds_it(
    stack: Stack, producer: EventProducer
) -> None:
    body = (
        "The council approved the budget on Monday. Officials met. "
        "The ministry will close two hospitals, sources said. "
        "The plan would cut potholes by half. The vote was 7 to 2. Critics doubted that."
    )
    snapshot = announce(
        producer,
        story(
            body,
            [
                claim(body, "The council approved the budget on Monday", "pending",
                      claim_id="c_pending", holder="rev-ana"),
                claim(body, "The vote was 7 to 2", "false", claim_id="c_false"),
                claim(body, "Critics doubted that", "contested", claim_id="c_none"),
                claim(body, "The ministry will close two hospitals", "contested", claim_id="c_anon",
                      attributions=[attribution("a ministry official", "anonymous")]),
                claim(body, "The plan would cut potholes by half", "unverifiable",
                      claim_id="c_text", attributions=[attribution("Ana Ruiz")]),
            ],
        ),
    )  # fmt: skip
    gate = gate_at(stack, snapshot.story_id, 1)
    assert gate["publishable"] is False
    assert gate["state"] == "held"
    assert (gate["revision"], gate["version"]) == (1, 1)
    seen = {b["claim_id"]: (b["reason"], b["holder"]) for b in gate["blockers"]}
    assert seen == {
        "c_pending": ("pending", "rev-ana"),
        "c_false": ("false", "reporter"),
        "c_none": ("no_attribution", "reviewers' queue"),
        "c_anon": ("anonymous_unapproved", "editors"),
        "c_text": ("not_attributed_in_text", "reporter"),
    }
    lacks = {b["claim_id"]: b["lacks"] for b in gate["blockers"]}
    assert lacks["c_anon"] == "Anonymous source awaits an editor's approval"
    assert lacks["c_text"].startswith("The text does not say who claims this")
    assert all(b["claim_text"] for b in gate["blockers"])

    with stack.client("publish", "editor") as editor:
        held = editor.get("/v1/stories", params={"state": "held", "limit": 200}).json()
        assert snapshot.story_id in {s["story_id"] for s in held["items"]}
        assert editor.get("/v1/stories", params={"state": "nonsense"}).status_code == 422
        assert editor.get("/v1/stories/s_unknown/gate").status_code == 404


def test_the_read_model_keeps_only_the_newest_version(
    stack: Stack, producer: EventProducer
) -> None:
    first = story(BODY, [claim(BODY, "The vote was 7 to 2", "verified")])
    second = with_status(first, first.claims[0].claim_id, "pending")
    announce(producer, second)
    newest = gate_at(stack, first.story_id, 2)
    assert (newest["version"], newest["publishable"]) == (2, False)

    def handled(late: StoryReviewed) -> dict[str, Any]:
        """The gate once publish has handled ``late``: a marker sent behind it on its
        partition shows it has (a partition is consumed in order; a marker of another
        key may sit on another partition, read before ``late``)."""
        announce(producer, late)
        behind = story_behind(first.story_id, stack.settings.topic_partitions)
        gate_at(stack, announce(producer, story(BODY, [], story_id=behind)).story_id, 1)
        with stack.client("publish", "reviewer") as reviewer:
            return dict(reviewer.get(f"/v1/stories/{first.story_id}/gate").json())

    assert handled(first) == newest  # late and older: ignored
    assert handled(second) == newest  # repeated: nothing changes


# --- end to end with the real verify ------------------------------------------------------


def submit(producer: EventProducer, body: str, section: str) -> str:
    story_id = f"s_e2e_{uuid.uuid4().hex[:10]}"
    report = ReportSubmitted(
        report_id=f"r_{uuid.uuid4().hex[:10]}", story_id=story_id, revision=1,
        reporter_id="u_reporter", byline="Dana Reporter", headline="Council passes budget",
        body=body, section=section,
        claims=[DeclaredClaim(text="The city council approved the budget")],
        accepted_at=datetime.now(UTC),
    )  # fmt: skip
    producer.send(producer.message(Topic.REPORTS_SUBMITTED, report, key=story_id))
    return story_id


def verify_story(verify: httpx.Client, story_id: str) -> dict[str, Any]:
    found: dict[str, Any] = wait_for(
        lambda: (r := verify.get(f"/v1/stories/{story_id}")).status_code == 200 and r.json(),
        60,
        what="verify to hold the story",
    )
    return found


def review(verify: httpx.Client, claim_id: str, status: str, **extra: Any) -> None:
    current = verify.get(f"/v1/claims/{claim_id}")
    assert current.status_code == 200, current.text
    response = verify.post(
        f"/v1/claims/{claim_id}/review",
        json={"status": status, **extra},
        headers={"If-Match": current.headers["etag"]},
    )
    assert response.status_code == 200, response.text


E2E_BODY = (
    "The city council approved the budget on Monday. "
    "Mayor Ana Ruiz said the plan would cut potholes by half."
)


def clear_all(verify: httpx.Client, snapshot: dict[str, Any]) -> None:
    """Verified, except the mayor's prediction: contested, attributed to her."""
    for found in snapshot["claims"]:
        if "potholes" in found["text"]:
            record = {"source_name": "Ana Ruiz", "source_kind": "person",
                      "obtained_via": "press_conference"}  # fmt: skip
            review(verify, found["claim_id"], "contested", attributions=[record])
        else:
            review(verify, found["claim_id"], "verified")


def test_a_report_reviewed_in_verify_is_released_to_the_feeds(
    stack: Stack, producer: EventProducer
) -> None:
    story_id = submit(producer, E2E_BODY, "local")
    with stack.client("verify", "reviewer") as verify:
        snapshot = verify_story(verify, story_id)
        assert snapshot["claims"], "verify found no claim to review"
        gate = gate_at(stack, story_id, snapshot["version"])
        assert gate["publishable"] is False
        clear_all(verify, snapshot)
        reviewed = verify_story(verify, story_id)
        # Every claim passes; the claim list is not confirmed yet, and that alone holds it.
        gate = wait_for(
            lambda: (
                (g := gate_at(stack, story_id, reviewed["version"]))["blockers"]
                and all(b["claim_id"] is None for b in g["blockers"])
                and g
            ),
            30,
            what="the gate to wait only for the claim list",
        )
        assert [b["reason"] for b in gate["blockers"]] == ["claim_list_unconfirmed"]
        cleared = confirm_claim_list(verify, story_id)
    wait_for(lambda: gate_at(stack, story_id, 1)["publishable"], 30, what="publishable")
    with stack.client("publish", "editor") as editor:
        released = editor.post(f"/v1/stories/{story_id}/publish")
        assert released.status_code == 200, released.text
        assert released.json()["version"] >= cleared["version"]
    with stack.client("publish") as public:
        ids = [i["id"] for i in public.get("/feeds/local.json").json()["items"]]
        assert f"urn:newsroom:story:{story_id}" in ids
        reviews = reviews_of(public.get(f"/v1/published/{story_id}").json())
        assert any(r["itemReviewed"]["author"]["name"] == "Ana Ruiz" for r in reviews)


def test_a_claim_marked_false_in_verify_after_the_gate_check_is_not_released(
    stack: Stack, producer: EventProducer
) -> None:
    story_id = submit(producer, E2E_BODY, "local")
    with stack.client("verify", "reviewer") as verify:
        snapshot = verify_story(verify, story_id)
        clear_all(verify, snapshot)
        confirm_claim_list(verify, story_id)
        wait_for(lambda: gate_at(stack, story_id, 1)["publishable"], 30, what="publishable")
        # The gate said yes; now a reviewer marks a claim false, and the editor
        # publishes at once, before or after the event reaches publish: refused either way.
        review(verify, snapshot["claims"][0]["claim_id"], "false")
    with stack.client("publish", "editor") as editor:
        refused = editor.post(f"/v1/stories/{story_id}/publish")
    assert refused.status_code == 409, refused.text
    assert "false" in [b["reason"] for b in refused.json()["blockers"]]
    with stack.client("publish") as public:
        assert public.get(f"/v1/published/{story_id}").status_code == 404


def test_from_the_reporter_to_the_feed_when_cleared_and_back_to_the_reporter(stack: Stack) -> None:
    """ingest -> verify -> publish (automatic release) -> stories.published -> ingest."""
    with stack.client("ingest", "reporter") as reporter:
        accepted = reporter.post(
            "/v1/reports",
            json={"headline": "Council passes budget", "body": E2E_BODY, "section": "local",
                  "publish_when_cleared": True},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )  # fmt: skip
        assert accepted.status_code == 202, accepted.text
        report_id, story_id = accepted.json()["report_id"], accepted.json()["story_id"]
        with stack.client("verify", "reviewer") as verify:
            clear_all(verify, verify_story(verify, story_id))
            # Held by the claim list alone, and the reporter is told so.
            held = wait_for(
                lambda: (
                    (r := reporter.get(f"/v1/reports/{report_id}").json())["held"]
                    == ["2 sentences of revision 1 not yet checked for claims"]
                    and r
                ),
                30,
                what="ingest to say why the story is held",
            )
            assert held["status"] == "in_review"
            with stack.client("publish") as public:
                assert public.get(f"/v1/published/{story_id}").status_code == 404
            confirm_claim_list(verify, story_id)
        with stack.client("publish") as public:
            wait_for(
                lambda: public.get(f"/v1/published/{story_id}").status_code == 200,
                30,
                what="the automatic release",
            )
        status = wait_for(
            lambda: (
                (r := reporter.get(f"/v1/reports/{report_id}").json())["status"] == "published"
                and r
            ),
            30,
            what="ingest to see the release",
        )
        assert "published" in [step["status"] for step in status["timeline"]]


# Detection finds no claim in it (tests/verify/test_coverage.py checks it).
MISSED = "The mayor lied. Rumour has it that the bridge will close."


@pytest.mark.parametrize(
    ("body", "count"), [("...", 1), (MISSED, 2)], ids=["claim-free", "missed-claim"]
)
def test_a_story_detection_found_no_claim_in_waits_for_a_reviewer(
    stack: Stack, body: str, count: int
) -> None:
    """Through the real services, with publish_when_cleared: nothing is released, and the
    reporter is told why, until a reviewer confirms the claim list."""
    with stack.client("ingest", "reporter") as reporter:
        accepted = reporter.post(
            "/v1/reports",
            json={"headline": "Bridge to close", "body": body, "section": "local",
                  "publish_when_cleared": True},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )  # fmt: skip
        assert accepted.status_code == 202, accepted.text
        report_id, story_id = accepted.json()["report_id"], accepted.json()["story_id"]
        with stack.client("verify", "reviewer") as verify:
            assert verify_story(verify, story_id)["claims"] == []
            gate = wait_for(lambda: gate_at(stack, story_id, 1), 30, what="publish to hold it")
            [blocker] = gate["blockers"]
            assert blocker["reason"] == "claim_list_unconfirmed"
            assert (
                len(verify.get(f"/v1/stories/{story_id}/claim-list").json()["uncovered"]) == count
            )
            wait_for(
                lambda: reporter.get(f"/v1/reports/{report_id}").json()["held"]
                == [f"{count} sentence{'' if count == 1 else 's'} of revision 1 not yet "
                    "checked for claims"],
                30,
                what="ingest to say why it is held",
            )  # fmt: skip
            with stack.client("publish") as public:
                assert public.get(f"/v1/published/{story_id}").status_code == 404
                items = public.get("/feeds/local.json").json()["items"]
                assert f"urn:newsroom:story:{story_id}" not in [i["id"] for i in items]
            assert reporter.get(f"/v1/reports/{report_id}").json()["status"] == "in_review"
            confirm_claim_list(verify, story_id)
        with stack.client("publish") as public:
            wait_for(
                lambda: public.get(f"/v1/published/{story_id}").status_code == 200,
                30,
                what="the automatic release once confirmed",
            )
