"""A headline that reports a claim is a claim in the queue (issue 16); detection's hedges
travel with every claim to the API and the snapshot."""

from __future__ import annotations

from typing import Any

from tests.verify.support import BODY, Newsroom, whole_queue

REPORTING = "Three dead in warehouse fire: police"


def _headline_claims(story: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in story["claims"] if c["in_headline"]]


def test_a_headline_that_reports_a_claim_is_a_claim_in_the_queue(newsroom: Newsroom) -> None:
    report = newsroom.submit(newsroom.report(headline=REPORTING))
    story = newsroom.wait_story(report.story_id)
    [claim] = _headline_claims(story)
    assert claim["text"] == REPORTING
    assert REPORTING[claim["start"] : claim["end"]] == claim["text"]
    assert claim["status"] == "pending"
    assert "police" in [a["source"] for a in claim["detected_attributions"]]
    body_claims = [c for c in story["claims"] if not c["in_headline"]]
    assert all(story["body"][c["start"] : c["end"]] == c["text"] for c in body_claims)
    with newsroom.reviewer() as client:
        assert claim["claim_id"] in [c["claim_id"] for c in whole_queue(client)]
        # Splits and merges cut body text: not the headline's claim.
        split = client.post(f"/v1/claims/{claim['claim_id']}/split", json={"at": [5]})
        assert split.status_code == 422, split.text
        merge = client.post(
            "/v1/claims/merge", json={"claim_ids": [claim["claim_id"], body_claims[0]["claim_id"]]}
        )
        assert merge.status_code == 422, merge.text


def test_a_headline_that_asserts_is_left_to_the_body(newsroom: Newsroom) -> None:
    report = newsroom.submit(newsroom.report(headline="Council approves budget"))
    assert _headline_claims(newsroom.wait_story(report.story_id)) == []


def test_the_headline_claim_follows_its_headline_across_revisions(newsroom: Newsroom) -> None:
    first = newsroom.submit(newsroom.report(headline=REPORTING))
    [before] = _headline_claims(newsroom.wait_story(first.story_id))
    same = newsroom.submit(
        newsroom.report(
            story_id=first.story_id, revision=2, headline=REPORTING, body=BODY + "\n\nMore later."
        )
    )
    story = newsroom.wait_story(same.story_id, until=lambda s: s["revision"] == 2)
    [kept] = _headline_claims(story)
    assert kept["claim_id"] == before["claim_id"]
    plain = newsroom.submit(
        newsroom.report(story_id=first.story_id, revision=3, headline="Council approves budget")
    )
    story = newsroom.wait_story(plain.story_id, until=lambda s: s["revision"] == 3)
    assert _headline_claims(story) == []


def test_hedges_reach_the_api_and_the_snapshot(newsroom: Newsroom) -> None:
    body = "The new rules may cut emissions by 20 percent by 2030, the ministry said."
    report = newsroom.submit(newsroom.report(body=body, claims=[]))
    [snapshot] = newsroom.wait_story(report.story_id)["claims"]
    assert [h["cue"] for h in snapshot["hedges"]] == ["may cut"]
    with newsroom.reviewer() as client:
        claim = client.get(f"/v1/claims/{snapshot['claim_id']}").json()
    assert claim["uncertain"]
    assert [h["cue"] for h in claim["hedges"]] == ["may cut"]
    # DESIGN: a claim the text only hedges is contested, its hedge the signal shown
    assert claim["contested"]
    assert [(s["kind"], s["cue"]) for s in claim["contest_signals"]] == [("hedge", "may cut")]
