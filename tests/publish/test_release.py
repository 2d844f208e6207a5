"""Release is one atomic step with verify's current answer: confirmed, gated, stored on
that exact version. Fails closed, refuses on doubt; corrections, flags, retraction."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from pymongo import MongoClient

from publish.stories.schemas import GateOut
from services.contracts import StoryReviewed, Topic
from tests.publish.builders import bump, claim, cleared_story, story, with_status
from tests.publish.conftest import Solo
from tests.support.kafka import read_topic


def test_an_editor_releases_a_cleared_story_once(solo: Solo) -> None:
    snapshot = solo.reviewed(cleared_story(section=solo.section()))
    gate = solo.gate(snapshot.story_id, 1)
    assert gate["publishable"] is True
    assert gate["blockers"] == []
    assert gate["state"] == "publishable"

    with solo.client("editor") as editor:
        released = editor.post(f"/v1/stories/{snapshot.story_id}/publish")
        assert released.status_code == 200, released.text
        body = released.json()
        assert body["action"] == "published"
        assert (body["revision"], body["version"]) == (1, 1)
        again = editor.post(f"/v1/stories/{snapshot.story_id}/publish", json={"revision": 1})
        assert again.status_code == 200
        assert again.json()["action"] == "unchanged"
        listed = editor.get("/v1/stories", params={"state": "published", "limit": 200}).json()
        assert snapshot.story_id in {s["story_id"] for s in listed["items"]}
        # the same version, now released: the gate's answer follows the state, not only
        # the version it was first given for
        after = editor.get(f"/v1/stories/{snapshot.story_id}/gate")
        assert (after.json()["version"], after.json()["state"]) == (1, "published")

    with solo.client() as public:
        ninjs = public.get(f"/v1/published/{snapshot.story_id}")
        assert ninjs.status_code == 200
        assert ninjs.json()["headlines"][0]["value"] == snapshot.headline

    # The outbox announced it once on stories.published, keyed by story id.
    topic = solo.settings.topic(Topic.STORIES_PUBLISHED)

    def mine(records: list) -> list:  # type: ignore[type-arg]
        return [r for r in records if r.key == snapshot.story_id.encode()]

    records = mine(read_topic(solo.settings.kafka_bootstrap, topic, lambda r: bool(mine(r))))
    event = json.loads(records[0].value)
    assert event["type"] == "org.newsroom.story.published"
    assert event["data"]["action"] == "published"
    assert event["data"]["version"] == 1
    time.sleep(1.0)  # a second send would have come by now
    assert len(mine(read_topic(solo.settings.kafka_bootstrap, topic, lambda r: True))) == 1


def test_the_gate_answers_each_new_version_with_who_holds_the_claim_now(solo: Solo) -> None:
    body = "The vote was 7 to 2. Critics doubted that."
    held = solo.reviewed(
        story(
            body, [claim(body, "The vote was 7 to 2", "pending", claim_id="c_held", holder="ana")]
        )
    )
    first = solo.gate(held.story_id, 1)
    GateOut.model_validate(first)  # the answer as documented, though spliced from the row
    assert (first["story_id"], first["state"], first["publishable"]) == (
        held.story_id,
        "held",
        False,
    )
    assert [b["holder"] for b in first["blockers"]] == ["ana"]
    moved = held.claims[0].model_copy(update={"holder": "ben"})
    solo.reviewed(bump(held, claims=[moved]))
    second = solo.gate(held.story_id, 2)
    assert [b["holder"] for b in second["blockers"]] == ["ben"]
    assert second["version"] == 2


def test_a_row_stored_before_verdicts_were_kept_still_gets_its_gate(solo: Solo) -> None:
    body = "The vote was 7 to 2. Critics doubted that."
    held = solo.reviewed(story(body, [claim(body, "The vote was 7 to 2", "pending")]))
    kept = solo.gate(held.story_id, 1)
    with MongoClient(solo.settings.mongo_url) as client:
        rows = client[solo.settings.database("publish")]["stories"]
        unset = rows.update_one({"_id": held.story_id}, {"$unset": {"verdict_json": ""}})
        assert unset.modified_count == 1
    with solo.client("editor") as editor:
        worked_out = editor.get(f"/v1/stories/{held.story_id}/gate")
    assert worked_out.status_code == 200
    assert worked_out.json() == kept


def test_a_story_that_does_not_pass_is_refused_with_its_blockers(solo: Solo) -> None:
    body = "The vote was 7 to 2. Critics doubted that."
    snapshot = solo.reviewed(
        story(body, [claim(body, "The vote was 7 to 2", "pending", claim_id="c_pending")])
    )
    solo.gate(snapshot.story_id, 1)
    with solo.client("editor") as editor:
        refused = editor.post(f"/v1/stories/{snapshot.story_id}/publish")
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"] == "urn:newsroom:problem:blocked"
    assert problem["publishable"] is False
    assert problem["blockers"] == [
        {
            "claim_id": "c_pending",
            "claim_text": "The vote was 7 to 2",
            "status": "pending",
            "reason": "pending",
            "lacks": "Claim is still pending review",
            "holder": "reviewers' queue",
        }
    ]
    with solo.client() as public:
        assert public.get(f"/v1/published/{snapshot.story_id}").status_code == 404


def test_a_claim_marked_false_after_the_gate_check_does_not_slip_through(solo: Solo) -> None:
    snapshot = solo.reviewed(cleared_story())
    assert solo.gate(snapshot.story_id, 1)["publishable"] is True
    # A reviewer marks a claim false in verify; neither the event nor catch-up has
    # brought the change to publish, whose own view still says publishable.
    solo.verify.hidden.add(snapshot.story_id)
    changed = solo.reviewed(
        with_status(snapshot, snapshot.claims[0].claim_id, "false"), event=False
    )
    with solo.client("editor") as editor:
        stale = editor.get(f"/v1/stories/{snapshot.story_id}/gate").json()
        assert (stale["version"], stale["publishable"]) == (1, True)
        refused = editor.post(f"/v1/stories/{snapshot.story_id}/publish")
        assert refused.status_code == 409, refused.text
        assert refused.json()["version"] == changed.version
        assert [b["reason"] for b in refused.json()["blockers"]] == ["false"]
        # Publish's own view was brought up to what verify said.
        gate = editor.get(f"/v1/stories/{snapshot.story_id}/gate").json()
        assert gate["version"] == 2
        assert gate["publishable"] is False
        # A verify replica that lags answers version 1 again, every claim cleared: the
        # gate passes on that answer, but publish knows version 2 and releases only the
        # version it checked, so nothing goes out.
        solo.verify.put(snapshot)
        lagging = editor.post(f"/v1/stories/{snapshot.story_id}/publish")
        assert lagging.status_code == 409, lagging.text
        assert "check the gate again" in lagging.json()["detail"]
    with solo.client() as public:
        assert public.get(f"/v1/published/{snapshot.story_id}").status_code == 404


def test_release_fails_closed_when_verify_cannot_confirm(solo: Solo) -> None:
    snapshot = solo.reviewed(cleared_story())
    solo.gate(snapshot.story_id, 1)
    with solo.client("editor") as editor:
        for mode in ("error", "garbage", "drop"):
            solo.verify.mode[snapshot.story_id] = mode
            refused = editor.post(f"/v1/stories/{snapshot.story_id}/publish")
            assert refused.status_code == 503, (mode, refused.text)
            assert refused.headers["retry-after"]
            assert refused.json()["type"] == "urn:newsroom:problem:unavailable"
        solo.verify.mode.pop(snapshot.story_id)
        del solo.verify.snapshots[snapshot.story_id]  # verify no longer knows the story
        unknown = editor.post(f"/v1/stories/{snapshot.story_id}/publish")
        assert unknown.status_code == 409
    with solo.client() as public:
        assert public.get(f"/v1/published/{snapshot.story_id}").status_code == 404


def test_release_is_refused_when_a_newer_version_is_already_known(solo: Solo) -> None:
    snapshot = cleared_story()
    newer = bump(bump(snapshot))
    solo.reviewed(newer)  # publish has seen version 3
    solo.gate(snapshot.story_id, 3)
    solo.verify.put(snapshot)  # a lagging verify replica answers version 1
    with solo.client("editor") as editor:
        refused = editor.post(f"/v1/stories/{snapshot.story_id}/publish")
        assert refused.status_code == 409
        assert "check the gate again" in refused.json()["detail"]
        solo.verify.put(newer)
        pinned = editor.post(f"/v1/stories/{snapshot.story_id}/publish", json={"revision": 2})
        assert pinned.status_code == 409  # revision 1 is current, not 2
        assert editor.post(f"/v1/stories/{snapshot.story_id}/publish").status_code == 200


def test_a_new_revision_is_gated_again_and_released_as_a_correction(solo: Solo) -> None:
    section = solo.section()
    first = solo.reviewed(cleared_story(section=section))
    solo.gate(first.story_id, 1)
    with solo.client("editor") as editor:
        assert editor.post(f"/v1/stories/{first.story_id}/publish").status_code == 200
        body = first.body.replace("7 to 2", "6 to 3")
        held = solo.reviewed(
            bump(
                first,
                revision=2,
                body=body,
                claims=[claim(body, "The vote was 6 to 3", "pending")],
                claim_list_confirmed_revision=2,  # rule 0 holds: this test is about the claim
            )
        )
        gate = solo.gate(first.story_id, held.version)
        assert gate["publishable"] is False
        assert gate["revision"] == 2
        assert gate["state"] == "published"  # revision 1 stays out meanwhile
        assert editor.post(f"/v1/stories/{first.story_id}/publish").status_code == 409
        cleared = solo.reviewed(with_status(held, held.claims[0].claim_id, "verified"))
        solo.gate(first.story_id, cleared.version)
        corrected = editor.post(
            f"/v1/stories/{first.story_id}/publish",
            json={"correction": "The vote was 6 to 3, not 7 to 2."},
        )
        assert corrected.status_code == 200, corrected.text
        assert corrected.json()["action"] == "corrected"
    with solo.client() as public:
        item = public.get(f"/feeds/{section}.json").json()["items"][0]
    assert item["id"] == f"urn:newsroom:story:{first.story_id}"
    assert item["date_modified"] >= item["date_published"]
    assert "6 to 3" in item["content_html"]
    assert "The vote was 6 to 3, not 7 to 2." in item["content_html"]
    assert item["_newsroom"]["revision"] == 2


def test_a_claim_that_changes_after_release_flags_the_story_for_editors(solo: Solo) -> None:
    snapshot = solo.reviewed(cleared_story())
    solo.gate(snapshot.story_id, 1)
    with solo.client("editor") as editor:
        assert editor.post(f"/v1/stories/{snapshot.story_id}/publish").status_code == 200
        solo.reviewed(with_status(snapshot, snapshot.claims[0].claim_id, "false"))
        gate = solo.gate(snapshot.story_id, 2)
        assert gate["state"] == "needs_correction"
        flagged = editor.get("/v1/stories", params={"state": "needs_correction", "limit": 200})
        row = next(s for s in flagged.json()["items"] if s["story_id"] == snapshot.story_id)
        assert row["needs_correction"] is True
        assert any("changed from verified to false" in r for r in row["correction_reasons"])
    with solo.client() as public:
        # Nothing changed silently: readers still have the released version.
        assert public.get(f"/v1/published/{snapshot.story_id}").json()["version"] == "1"


def test_publish_when_cleared_releases_without_an_editor(solo: Solo) -> None:
    section = solo.section()
    snapshot = solo.reviewed(cleared_story(section=section, publish_when_cleared=True))
    with solo.client() as public:
        deadline = time.monotonic() + 20
        while public.get(f"/v1/published/{snapshot.story_id}").status_code != 200:
            assert time.monotonic() < deadline, "never released automatically"
            time.sleep(0.2)
        assert [i["id"] for i in public.get(f"/feeds/{section}.json").json()["items"]] == [
            f"urn:newsroom:story:{snapshot.story_id}"
        ]


def test_a_snapshot_whose_event_was_lost_is_caught_up_from_verify(solo: Solo) -> None:
    snapshot = solo.reviewed(cleared_story(), event=False)  # only verify knows it
    assert solo.gate(snapshot.story_id, 1, timeout=20)["publishable"] is True


def test_an_older_or_repeated_snapshot_changes_nothing(solo: Solo) -> None:
    first = cleared_story()
    second = with_status(first, first.claims[0].claim_id, "pending")
    solo.reviewed(second)
    solo.gate(first.story_id, 2)

    def stored() -> dict[str, Any]:
        with MongoClient(solo.settings.mongo_url) as client:
            rows = client[solo.settings.database("publish")]["stories"]
            return dict(rows.find_one({"_id": first.story_id}) or {})

    def handled(late: StoryReviewed) -> dict[str, Any]:
        """Publish's row once it has handled ``late`` (sent with a trace id of its own,
        which a stored row would carry): a marker sent behind it on its partition shows
        it has (a partition is consumed in order)."""
        solo.reviewed(late, trace_id=uuid.uuid4().hex)
        marker = solo.reviewed(cleared_story(story_id=solo.behind(first.story_id)))
        solo.gate(marker.story_id, 1)
        return stored()

    before = stored()
    assert before["version"] == 2
    assert handled(first) == before  # older
    assert handled(second) == before  # repeated


def test_concurrent_releases_all_go_out_in_one_feed_order(solo: Solo) -> None:
    from concurrent.futures import ThreadPoolExecutor

    section = solo.section()
    stories = [solo.reviewed(cleared_story(section=section)) for _ in range(6)]
    for snapshot in stories:
        solo.gate(snapshot.story_id, 1)

    def publish(story_id: str) -> tuple[int, str]:
        with solo.client("editor") as editor:
            response = editor.post(f"/v1/stories/{story_id}/publish")
            return response.status_code, response.text[:300]

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(publish, [s.story_id for s in stories]))
    assert [code for code, _ in answers] == [200] * 6, answers
    with solo.client() as public:
        seen: list[str] = []
        url: str | None = f"/feeds/{section}.json"
        while url:
            page = public.get(url).json()
            seen += [i["id"] for i in page["items"]]
            url = solo.local(page["next_url"]) if "next_url" in page else None
    assert sorted(seen) == sorted(f"urn:newsroom:story:{s.story_id}" for s in stories)
