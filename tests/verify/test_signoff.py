"""Rule 0 in verify: the sentences no claim covers, a reviewer's confirmation of a
revision's claim list (audited, refused for a revision that is not current), carried to a
revision that changed no sentence, and what the snapshot says about it."""

from __future__ import annotations

from typing import Any

from tests.support.desk import confirm_claim_list
from tests.verify.support import BODY, Newsroom, review

# Detection finds no claim here (tests/verify/test_coverage.py checks it): a bare
# accusation and an unattributed rumour.
MISSED = "The mayor lied. Rumour has it that the bridge will close."


def claim_list(newsroom: Newsroom, story_id: str, role: str = "reviewer") -> Any:
    with newsroom.reviewer(role) as client:
        return client.get(f"/v1/stories/{story_id}/claim-list")


def confirm(newsroom: Newsroom, story_id: str, revision: Any, role: str = "reviewer") -> Any:
    with newsroom.reviewer(role) as client:
        return client.post(
            f"/v1/stories/{story_id}/claim-list/confirm", json={"revision": revision}
        )


def test_a_claim_free_story_is_held_until_a_reviewer_confirms_its_claim_list(
    newsroom: Newsroom,
) -> None:
    report = newsroom.submit(newsroom.report(body="...", claims=[]))
    story = newsroom.wait_story(report.story_id)
    assert story["claims"] == []
    assert story["claim_list_confirmed_revision"] is None
    assert story["sentences_to_check"] == 1
    assert story["cleared"] is False
    assert story["held"] == ["1 sentence of revision 1 not yet checked for claims"]

    listed = claim_list(newsroom, report.story_id).json()
    assert listed["confirmed"] is False
    assert [(s["text"], s["checked"]) for s in listed["uncovered"]] == [("...", False)]
    assert listed["confirmations"] == []

    confirmed = confirm(newsroom, report.story_id, 1)
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()
    assert body["confirmed"] is True
    assert body["confirmed_revision"] == 1
    assert body["sentences_to_check"] == 0
    [entry] = body["confirmations"]
    assert entry["revision"] == 1
    assert entry["actor"]["role"] == "reviewer"
    assert entry["at"]
    assert (entry["sentences"], entry["uncovered"], entry["checked_before"]) == (1, 1, 0)

    after = newsroom.wait_story(report.story_id, until=lambda s: s["version"] == body["version"])
    assert after["claim_list_confirmed_revision"] == 1
    assert after["cleared"] is True
    assert after["held"] == []

    again = confirm(newsroom, report.story_id, 1, role="editor")  # changes nothing
    assert again.status_code == 200
    assert again.json()["version"] == body["version"]
    assert len(again.json()["confirmations"]) == 1


def test_a_claim_detection_missed_is_made_from_its_sentence_in_one_step(
    newsroom: Newsroom,
) -> None:
    report = newsroom.submit(newsroom.report(body=MISSED, claims=[]))
    story = newsroom.wait_story(report.story_id)
    assert story["claims"] == []
    uncovered = claim_list(newsroom, report.story_id).json()["uncovered"]
    assert [s["text"] for s in uncovered] == [
        "The mayor lied.",
        "Rumour has it that the bridge will close.",
    ]
    lied = uncovered[0]
    with newsroom.reviewer() as client:
        made = client.post(
            f"/v1/stories/{report.story_id}/claims",
            json={"start": lied["start"], "end": lied["end"]},
        )
    assert made.status_code == 201, made.text
    assert made.json()["text"] == "The mayor lied."
    left = claim_list(newsroom, report.story_id).json()
    assert [s["text"] for s in left["uncovered"]] == ["Rumour has it that the bridge will close."]

    assert confirm(newsroom, report.story_id, 1).status_code == 200
    story = newsroom.wait_story(
        report.story_id, until=lambda s: s["claim_list_confirmed_revision"] == 1
    )
    # Confirmed, and still held by the claim the reviewer made.
    assert story["cleared"] is False
    assert story["held"] == ["1 claim: pending review"]
    with newsroom.reviewer() as client:
        assert review(client, made.json(), "false").status_code == 200
    story = newsroom.wait_story(
        report.story_id, until=lambda s: s["claims"][0]["status"] == "false"
    )
    assert story["cleared"] is False
    assert story["held"] == ["1 claim: found false (the reporter must revise the story)"]


def test_confirming_is_refused_for_a_revision_that_is_not_current(newsroom: Newsroom) -> None:
    first = newsroom.submit(newsroom.report())
    newsroom.wait_story(first.story_id)
    ahead = confirm(newsroom, first.story_id, 2)
    assert ahead.status_code == 409
    assert ahead.headers["content-type"].startswith("application/problem+json")
    assert ahead.json()["type"] == "urn:newsroom:problem:claims_being_detected"
    assert ahead.json()["revision"] == 1
    assert claim_list(newsroom, first.story_id).json()["confirmations"] == []

    confirmed = confirm_claim_list(newsroom.reviewer(), first.story_id)
    assert confirmed["confirmed_revision"] == 1
    changed = BODY.replace("21 to 9", "20 to 10") + "\n\nThe budget takes effect in May."
    second = newsroom.submit(
        newsroom.report(story_id=first.story_id, revision=2, body=changed, claims=[])
    )
    story = newsroom.wait_story(second.story_id, until=lambda s: s["revision"] == 2)
    # Two sentences are new or changed; the unchanged ones keep their confirmation.
    assert story["claim_list_confirmed_revision"] == 1
    assert story["sentences_to_check"] == 2
    assert story["held"][0] == "2 sentences of revision 2 not yet checked for claims"
    listed = claim_list(newsroom, first.story_id).json()
    assert listed["confirmed"] is False
    assert listed["sentences_to_check"] == 2

    behind = confirm(newsroom, first.story_id, 1)
    assert behind.status_code == 409
    assert behind.json()["type"] == "urn:newsroom:problem:revision_not_current"
    assert confirm(newsroom, first.story_id, 2).json()["confirmed_revision"] == 2


def test_a_revision_that_changes_no_sentence_keeps_the_confirmation(newsroom: Newsroom) -> None:
    first = newsroom.submit(newsroom.report())
    newsroom.wait_story(first.story_id)
    confirm_claim_list(newsroom.reviewer(), first.story_id)
    shorter = BODY.replace("\n\nThe vote was 21 to 9.", "")
    newsroom.submit(
        newsroom.report(
            story_id=first.story_id, revision=2, body=shorter, claims=[], headline="New headline"
        )
    )
    story = newsroom.wait_story(first.story_id, until=lambda s: s["revision"] == 2)
    assert story["claim_list_confirmed_revision"] == 2
    assert story["sentences_to_check"] == 0
    assert not any("not yet checked" in line for line in story["held"])
    # Kept, not confirmed again: the audit has the one confirmation, of revision 1.
    listed = claim_list(newsroom, first.story_id).json()
    assert listed["confirmed"] is True
    assert [c["revision"] for c in listed["confirmations"]] == [1]


def test_bad_confirmations_get_a_problem_and_change_nothing(newsroom: Newsroom) -> None:
    report = newsroom.submit(newsroom.report())
    newsroom.wait_story(report.story_id)
    for bad in (0, -1, "1", 1.5, None, 10**7):
        answer = confirm(newsroom, report.story_id, bad)
        assert answer.status_code == 422, (bad, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    with newsroom.reviewer() as client:
        empty = client.post(f"/v1/stories/{report.story_id}/claim-list/confirm", json={})
        assert empty.status_code == 422
    missing = confirm(newsroom, "s_" + "0" * 32, 1)
    assert missing.status_code == 404
    assert claim_list(newsroom, report.story_id).json()["confirmed"] is False
    assert claim_list(newsroom, report.story_id, role="reporter").status_code == 403
    assert confirm(newsroom, report.story_id, 1, role="reporter").status_code == 403
