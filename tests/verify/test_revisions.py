"""A new revision keeps the reviews of unchanged claims, resets changed ones, closes removed."""

from __future__ import annotations

from tests.support.servers import wait_for
from tests.verify.support import BODY, Newsroom, review, whole_queue

REVISED = (
    "Turnout at the meeting was 300 people.\n\n"
    "The city council approved a budget of 4.2 million euros on Monday, the mayor said. "
    "Opposition members claimed the figures were inflated by 2 million euros, a charge the "
    "mayor denied."
)


def test_a_revision_keeps_unchanged_reviews_resets_changed_claims_and_closes_removed(
    newsroom: Newsroom,
) -> None:
    first = newsroom.submit(newsroom.report())
    story = newsroom.wait_story(first.story_id)
    budget = newsroom.claim_with(story, "approved a budget")
    opposition = newsroom.claim_with(story, "figures were inflated")
    vote = newsroom.claim_with(story, "21 to 9")
    mayor = BODY.index("the mayor said")
    attribution = {
        "source_name": "Lena Vasquez", "source_kind": "person", "obtained_via": "interview",
        "affiliation": "Mayor", "start": mayor, "end": mayor + len("the mayor said"),
    }  # fmt: skip
    with newsroom.reviewer() as client:
        reviewed = review(client, budget, "verified", attributions=[attribution])
        assert reviewed.status_code == 200
        budget = reviewed.json()
        assert review(client, opposition, "contested").status_code == 200
        assert review(client, vote, "verified").status_code == 200
        # Leases on a claim the revision keeps and on one it changes.
        for claim in (budget, opposition):
            assert client.post(f"/v1/claims/{claim['claim_id']}/lease").status_code == 200

    second = newsroom.submit(
        newsroom.report(story_id=first.story_id, revision=2, body=REVISED, claims=[])
    )
    story = newsroom.wait_story(first.story_id, until=lambda s: s["revision"] == 2)
    [receipt] = newsroom.receipts(second)
    assert receipt["claims"] == 3
    by_id = {c["claim_id"]: c for c in story["claims"]}

    kept = by_id[budget["claim_id"]]
    assert kept["status"] == "verified"
    assert kept["start"] == REVISED.index("The city council")
    assert kept["version"] == budget["version"] + 1
    [record] = kept["attributions"]
    assert record["attribution_id"] == budget["attributions"][0]["attribution_id"]
    assert REVISED[record["start"] : record["end"]] == "the mayor said"  # the span followed

    changed = by_id[opposition["claim_id"]]
    assert changed["status"] == "pending"
    # Back in the queue, free: a lease on the old wording ends; the kept claim's runs on.
    assert changed["holder"] is None
    assert kept["holder"] == newsroom.stack.names["reviewer"]
    assert "2 million euros" in changed["text"]

    assert vote["claim_id"] not in by_id
    [new] = [
        c
        for c in story["claims"]
        if c["claim_id"] not in (budget["claim_id"], opposition["claim_id"])
    ]
    assert new["text"] == "Turnout at the meeting was 300 people."
    assert new["status"] == "pending"
    assert story["cleared"] is False

    with newsroom.reviewer() as client:

        def actions(claim_id: str) -> list[tuple[str, str]]:
            entries = client.get(f"/v1/claims/{claim_id}/history").json()["entries"]
            return [(e["action"], e["detail"]) for e in entries]

        assert actions(budget["claim_id"])[-1] == ("carried", "carried to revision 2")
        assert actions(opposition["claim_id"])[-1] == (
            "changed",
            "changed in revision 2: back to pending",
        )
        # Claims a revision drops are closed by the sweep, just after the revision.
        wait_for(
            lambda: client.get(f"/v1/claims/{vote['claim_id']}").json()["open"] is False,
            timeout=60,
            what="the dropped claim closed",
        )
        assert actions(vote["claim_id"])[-1] == ("closed", "not in revision 2")
        closed = client.get(f"/v1/claims/{vote['claim_id']}").json()
        assert closed["open"] is False
        assert closed["status"] == "verified"
        # A closed claim is out of review: neither leased nor reviewed.
        assert client.post(f"/v1/claims/{vote['claim_id']}/lease").status_code == 409
        assert review(client, closed, "false").status_code == 409
        queue = whole_queue(client)
        mine = {c["claim_id"] for c in queue if c["story_id"] == first.story_id}
        assert mine == {opposition["claim_id"], new["claim_id"]}

        history = client.get(f"/v1/claims/{opposition['claim_id']}/history").json()["entries"]
        assert history[-1]["before"]["status"] == "contested"
        assert history[-1]["after"]["status"] == "pending"
        assert history[-1]["actor"]["role"] == "reporter"


def test_claims_reviewers_reshaped_survive_a_revision(newsroom: Newsroom) -> None:
    first = newsroom.submit(newsroom.report())
    story = newsroom.wait_story(first.story_id)
    opposition = newsroom.claim_with(story, "figures were inflated")
    vote = newsroom.claim_with(story, "21 to 9")
    cut = BODY.index(", a charge") + 1
    with newsroom.reviewer() as client:
        split = client.post(f"/v1/claims/{opposition['claim_id']}/split", json={"at": [cut]})
        head, tail = split.json()["claims"]
        assert review(client, head, "contested").status_code == 200
        dismissed = client.post(f"/v1/claims/{vote['claim_id']}/dismiss", json={"reason": "tally"})
        assert dismissed.status_code == 200

    body = BODY + "\n\nTurnout at the meeting was 300 people."
    newsroom.submit(newsroom.report(story_id=first.story_id, revision=2, body=body, claims=[]))
    story = newsroom.wait_story(first.story_id, until=lambda s: s["revision"] == 2)
    by_id = {c["claim_id"]: c for c in story["claims"]}
    # The split parts are kept as they were; detection's whole sentence does not come back.
    assert by_id[head["claim_id"]]["status"] == "contested"
    assert by_id[tail["claim_id"]]["status"] == "pending"
    assert by_id[vote["claim_id"]]["status"] == "not_a_claim"
    assert not [
        c
        for c in story["claims"]
        if c["text"].startswith("Opposition members claimed the figures were inflated, a")
    ]
    assert len(story["claims"]) == 5  # budget, the two parts, the vote, the turnout
