"""A released story across its later revisions, through the real broker and store: a
fixing revision goes out by itself when the reporter asked for it, a released claim
found false is told to subscribers, and a released claim's new verdict flags the story
whatever revision is in review."""

from __future__ import annotations

import uuid
from typing import Any

from services.contracts import StoryReviewed
from tests.publish.builders import BODY, attribution, bump, claim, cleared_story, with_status
from tests.publish.conftest import Solo
from tests.publish.test_webhooks import deliveries, release, subscribe
from tests.support.servers import wait_for


def _row(solo: Solo, story_id: str, section: str) -> dict[str, Any] | None:
    with solo.client("editor") as editor:
        page = editor.get("/v1/stories", params={"section": section}).json()
    return next((s for s in page["items"] if s["story_id"] == story_id), None)


def _released_revision(solo: Solo, story_id: str) -> int | None:
    with solo.client() as public:
        answer = public.get(f"/v1/published/{story_id}")
    return int(answer.json()["version"]) if answer.status_code == 200 else None


def _without_first_sentence(snapshot: StoryReviewed) -> StoryReviewed:
    """The next revision without the story's first sentence (and its claim); the other
    claim carried over under its id, as verify carries it."""
    body = BODY.removeprefix("The city council approved the budget on Monday. ")
    kept = snapshot.claims[1]
    carried = claim(
        body,
        kept.text,
        kept.status.value,
        attributions=[attribution("Ana Ruiz", "person", "press_conference")],
        claim_id=kept.claim_id,
    )
    revision = snapshot.revision + 1
    return bump(
        snapshot,
        revision=revision,
        body=body,
        claims=[carried],
        claim_list_confirmed_revision=revision,
    )


def test_a_cleared_revision_that_fixes_a_flagged_story_goes_out_by_itself(solo: Solo) -> None:
    section, path = solo.section(), f"/fix-{uuid.uuid4().hex[:6]}"
    subscription_id, _ = subscribe(solo, path, sections=[section])
    first = solo.reviewed(cleared_story(section=section, publish_when_cleared=True))
    wait_for(lambda: _released_revision(solo, first.story_id) == 1, 30, what="revision 1 out")
    flagged = solo.reviewed(with_status(first, first.claims[0].claim_id, "false"))
    assert solo.gate(first.story_id, flagged.version)["state"] == "needs_correction"

    fixed = solo.reviewed(_without_first_sentence(flagged))
    wait_for(lambda: _released_revision(solo, first.story_id) == 2, 30, what="the fix released")
    row = wait_for(
        lambda: (r := _row(solo, first.story_id, section)) and r["state"] == "published" and r,
        30,
        what="the flag cleared",
    )
    assert row["needs_correction"] is False
    assert row["correction_reasons"] == []
    assert row["version"] == fixed.version
    events = [d["event"] for d in deliveries(solo, subscription_id)]
    assert sorted(events) == ["corrected", "needs_correction", "published"]


def test_a_released_claim_found_false_in_the_story_itself_is_told_once(solo: Solo) -> None:
    section, path = solo.section(), f"/false-{uuid.uuid4().hex[:6]}"
    subscription_id, _ = subscribe(solo, path, sections=[section], events=["needs_correction"])
    snapshot = release(solo, cleared_story(section=section))
    claim_id = snapshot.claims[0].claim_id
    flagged = solo.reviewed(with_status(snapshot, claim_id, "false"))

    got = wait_for(lambda: solo.receiver.at(path), 30, what="the needs_correction webhook")
    assert got[0].headers["newsroom-event"] == "needs_correction"
    data = got[0].json["data"]
    assert (data["action"], data["story_id"]) == ("needs_correction", snapshot.story_id)
    assert "changed from verified to false" in data["reason"]

    # Later snapshots of the same flagged story (a lease moved, a note) tell no one again.
    later = solo.reviewed(bump(bump(flagged)))
    assert solo.gate(snapshot.story_id, later.version)["state"] == "needs_correction"
    assert [d["event"] for d in deliveries(solo, subscription_id)] == ["needs_correction"]


def test_a_released_claim_reviewed_again_while_a_newer_revision_waits_flags_the_story(
    solo: Solo,
) -> None:
    section = solo.section()
    first = release(solo, cleared_story(section=section))
    # Revision 2 carries both released claims and waits for its claim list.
    pending = solo.reviewed(
        bump(first, revision=2, body=first.body, claim_list_confirmed_revision=None)
    )
    assert solo.gate(first.story_id, pending.version)["state"] == "published"

    changed = solo.reviewed(with_status(pending, first.claims[0].claim_id, "false"))
    gate = solo.gate(first.story_id, changed.version)
    assert gate["state"] == "needs_correction"
    row = _row(solo, first.story_id, section)
    assert row is not None
    assert any("changed from verified to false" in r for r in row["correction_reasons"])
