"""Rule 0 in publish: a revision whose claim list no reviewer confirmed reaches no feed,
no ninjs and no webhook, by an editor's hand or by ``publish_when_cleared``; a claim-free
story and a story whose only claim detection missed are held alike until confirmed."""

from __future__ import annotations

from typing import Any

from services.contracts import StoryReviewed
from tests.publish.builders import bump, cleared_story, story
from tests.publish.conftest import Solo
from tests.support.servers import wait_for

PATH = "/signoff"


def story_ids_in_feed(solo: Solo, section: str) -> list[str]:
    with solo.client() as public:
        items = public.get(f"/feeds/{section}.json").json()["items"]
    return [item["id"].removeprefix("urn:newsroom:story:") for item in items]


def delivered(solo: Solo) -> list[str]:
    return [r.json["data"]["story_id"] for r in solo.receiver.at(PATH)]  # CloudEvents


def ninjs_status(solo: Solo, story_id: str) -> int:
    with solo.client() as public:
        return public.get(f"/v1/published/{story_id}").status_code


def held(solo: Solo, snapshot: StoryReviewed) -> dict[str, Any]:
    gate = solo.gate(snapshot.story_id, snapshot.version)
    assert gate["publishable"] is False
    [blocker] = gate["blockers"]
    assert blocker["reason"] == "claim_list_unconfirmed"
    assert blocker["claim_id"] is None
    assert blocker["holder"] == "reviewers or editors: confirm the claim list in verify"
    return blocker


def test_unconfirmed_claim_lists_reach_no_reader_until_a_reviewer_confirms(solo: Solo) -> None:
    section = solo.section()
    with solo.client("editor") as editor:
        answer = editor.post(
            "/v1/subscriptions", json={"url": solo.receiver.url(PATH), "sections": [section]}
        )
        assert answer.status_code == 201, answer.text
    common: dict[str, Any] = {
        "section": section, "publish_when_cleared": True, "confirmed": False,
        "sentences_to_check": 2,
    }  # fmt: skip
    # No claim at all, and one a reviewer would make that detection did not.
    free = solo.reviewed(story("...", [], **{**common, "sentences_to_check": 1}))
    missed = solo.reviewed(
        story("The mayor lied. Rumour has it that the bridge will close.", [], **common)
    )
    assert held(solo, free)["lacks"] == "1 sentence of revision 1 not yet checked for claims"
    assert held(solo, missed)["lacks"] == "2 sentences of revision 1 not yet checked for claims"

    with solo.client("editor") as editor:
        for snapshot in (free, missed):
            refused = editor.post(f"/v1/stories/{snapshot.story_id}/publish")
            assert refused.status_code == 409, refused.text
            assert refused.json()["type"] == "urn:newsroom:problem:blocked"
            assert "not yet checked for claims" in refused.json()["detail"]

    # A confirmed story after them, released by the same worker, the same feed and the same
    # subscription: once it is out, the held ones had every chance to go too.
    marker = solo.reviewed(cleared_story(section=section, publish_when_cleared=True))
    wait_for(lambda: marker.story_id in delivered(solo), 30, what="the marker's webhook")
    assert story_ids_in_feed(solo, section) == [marker.story_id]
    assert delivered(solo) == [marker.story_id]
    assert ninjs_status(solo, free.story_id) == ninjs_status(solo, missed.story_id) == 404

    for snapshot in (free, missed):
        solo.reviewed(bump(snapshot, claim_list_confirmed_revision=1, sentences_to_check=0))
    wait_for(lambda: len(delivered(solo)) == 3, 30, what="the confirmed stories' webhooks")
    assert set(story_ids_in_feed(solo, section)) == {
        marker.story_id, free.story_id, missed.story_id
    }  # fmt: skip
    assert ninjs_status(solo, free.story_id) == ninjs_status(solo, missed.story_id) == 200


def test_a_new_revision_is_held_until_its_own_claim_list_is_confirmed(solo: Solo) -> None:
    section = solo.section()
    first = solo.reviewed(cleared_story(section=section))
    solo.gate(first.story_id, 1)
    with solo.client("editor") as editor:
        assert editor.post(f"/v1/stories/{first.story_id}/publish").status_code == 200
        second = solo.reviewed(bump(first, revision=2, sentences_to_check=1))
        assert held(solo, second)["lacks"] == "1 sentence of revision 2 not yet checked for claims"
        gate = solo.gate(first.story_id, second.version)
        assert gate["state"] == "published"  # revision 1 stays out; no correction flagged
        refused = editor.post(f"/v1/stories/{first.story_id}/publish")
        assert refused.status_code == 409
        confirmed = solo.reviewed(bump(second, claim_list_confirmed_revision=2))
        solo.gate(first.story_id, confirmed.version)
        assert editor.post(f"/v1/stories/{first.story_id}/publish").json()["revision"] == 2
