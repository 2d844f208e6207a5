"""Reviewers add, split, merge and dismiss claims; every change is audited."""

from __future__ import annotations

from typing import Any

from tests.support.reports import counted_body
from tests.verify.support import BODY, Newsroom, review

VOTE = "The vote was 21 to 9."


def _history(client: Any, claim_id: str) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = client.get(f"/v1/claims/{claim_id}/history").json()["entries"]
    return entries


def test_add_a_claim_by_offsets_or_by_text(newsroom: Newsroom) -> None:
    report = newsroom.submit(
        newsroom.report(body=BODY + "\n\nIt is a sad day for the town.", claims=[])
    )
    story = newsroom.wait_story(report.story_id)
    body = story["body"]
    path = f"/v1/stories/{story['story_id']}/claims"
    with newsroom.reviewer() as client:
        start = body.index("It is a sad day")
        added = client.post(path, json={"start": start - 2, "end": len(body)})
        assert added.status_code == 201
        claim = added.json()
        assert claim["text"] == "It is a sad day for the town."  # trimmed to the text
        assert claim["start"] == start
        assert claim["origin"] == "reviewer"
        assert claim["status"] == "pending"
        assert added.headers["location"] == f"/v1/claims/{claim['claim_id']}"
        [created] = _history(client, claim["claim_id"])
        assert created["action"] == "created"
        assert created["actor"]["name"] == newsroom.stack.names["reviewer"]
        assert created["after"]["text"] == "It is a sad day for the town."

        overlapping = client.post(path, json={"text": "a sad day"})
        assert overlapping.status_code == 409
        assert overlapping.json()["claim_ids"] == [claim["claim_id"]]

        for bad in (
            {"start": 10, "end": 5},
            {"start": 0, "end": len(body) + 1},
            {"text": "not in the story"},
            {"text": "the mayor"},  # twice in the body
            {"start": 0},
            {"start": 0, "end": 5, "text": "The city"},
            {"text": "<b>The vote</b>"},
            {"start": "0", "end": 5},
            {"start": 0, "end": 5, "colour": "red"},
        ):
            response = client.post(path, json=bad)
            assert response.status_code == 422, bad
            assert response.headers["content-type"] == "application/problem+json"
        assert client.post("/v1/stories/s_nope/claims", json={"text": "x"}).status_code == 404

    snapshot = newsroom.wait_story(story["story_id"])
    assert claim["claim_id"] in [c["claim_id"] for c in snapshot["claims"]]
    assert len(snapshot["claims"]) == len(story["claims"]) + 1


def test_split_a_claim_into_pending_parts(newsroom: Newsroom, story: dict[str, Any]) -> None:
    claim = newsroom.claim_with(story, "figures were inflated")
    cut = BODY.index(", a charge")
    with newsroom.reviewer() as client:
        assert (
            client.post(
                f"/v1/claims/{claim['claim_id']}/split", json={"at": [claim["end"]]}
            ).status_code
            == 422
        )
        stale = client.post(
            f"/v1/claims/{claim['claim_id']}/split", json={"at": [cut + 1]},
            headers={"If-Match": f'"{claim["version"] + 1}"'},
        )  # fmt: skip
        assert stale.status_code == 412

        split = client.post(f"/v1/claims/{claim['claim_id']}/split", json={"at": [cut + 1]})
        assert split.status_code == 201
        parts = split.json()["claims"]
        assert [p["text"] for p in parts] == [
            "Opposition members claimed the figures were inflated,",
            "a charge the mayor denied.",
        ]
        assert {p["status"] for p in parts} == {"pending"}
        assert split.json()["closed"]["open"] is False
        assert client.post(f"/v1/claims/{claim['claim_id']}/lease").status_code == 409

        last = _history(client, claim["claim_id"])[-1]
        assert last["action"] == "split"
        assert last["before"]["open"] is True
        assert last["after"]["open"] is False
        assert parts[0]["claim_id"] in last["after"]["closed_reason"]

    snapshot = newsroom.wait_story(
        story["story_id"], until=lambda s: len(s["claims"]) == len(story["claims"]) + 1
    )
    ids = [c["claim_id"] for c in snapshot["claims"]]
    assert claim["claim_id"] not in ids
    assert {p["claim_id"] for p in parts} <= set(ids)


def test_merge_claims_of_one_story(newsroom: Newsroom, story: dict[str, Any]) -> None:
    first = newsroom.claim_with(story, "approved a budget")
    last = newsroom.claim_with(story, VOTE)
    middle = newsroom.claim_with(story, "figures were inflated")
    other = newsroom.wait_story(newsroom.submit(newsroom.report()).story_id)
    with newsroom.reviewer() as client:
        swallowing = client.post(
            "/v1/claims/merge", json={"claim_ids": [first["claim_id"], last["claim_id"]]}
        )
        assert swallowing.status_code == 409  # the claim between would vanish unnamed
        assert swallowing.json()["claim_ids"] == [middle["claim_id"]]
        across = [first["claim_id"], other["claims"][0]["claim_id"]]
        assert client.post("/v1/claims/merge", json={"claim_ids": across}).status_code == 422
        assert (
            client.post("/v1/claims/merge", json={"claim_ids": [first["claim_id"]]}).status_code
            == 422
        )
        assert (
            client.post(
                "/v1/claims/merge", json={"claim_ids": [first["claim_id"], "c_nope"]}
            ).status_code
            == 404
        )

        ids = [last["claim_id"], first["claim_id"], middle["claim_id"]]
        merged = client.post("/v1/claims/merge", json={"claim_ids": ids})
        assert merged.status_code == 201
        claim = merged.json()["claim"]
        assert claim["start"] == first["start"]
        assert claim["end"] == last["end"]
        assert claim["text"] == BODY[first["start"] : last["end"]]
        assert claim["status"] == "pending"
        assert {c["claim_id"] for c in merged.json()["closed"]} == set(ids)
        assert _history(client, middle["claim_id"])[-1]["action"] == "merged"

    snapshot = newsroom.wait_story(story["story_id"], until=lambda s: len(s["claims"]) == 1)
    assert snapshot["claims"][0]["claim_id"] == claim["claim_id"]


def test_dismiss_marks_not_a_claim_with_the_reason(
    newsroom: Newsroom, story: dict[str, Any]
) -> None:
    claim = newsroom.claim_with(story, VOTE)
    path = f"/v1/claims/{claim['claim_id']}/dismiss"
    with newsroom.reviewer() as client:
        assert client.post(path, json={}).status_code == 422
        assert client.post(path, json={"reason": "<i>no</i>"}).status_code == 422
        dismissed = client.post(path, json={"reason": "A procedural fact, not checkable."})
        assert dismissed.status_code == 200
        assert dismissed.json()["status"] == "not_a_claim"
        assert dismissed.json()["note"] == "A procedural fact, not checkable."
        last = _history(client, claim["claim_id"])[-1]
        assert last["action"] == "dismissed"
        assert (last["before"]["status"], last["after"]["status"]) == ("pending", "not_a_claim")


def test_bad_input_changes_nothing(newsroom: Newsroom, story: dict[str, Any]) -> None:
    claim = newsroom.claim_with(story, "approved a budget")
    with newsroom.reviewer() as client:
        for body in (
            {"status": "maybe"},
            {"status": "verified", "extra": 1},
            {"status": 1},
            {"status": "verified", "note": "<script>alert(1)</script>"},
            {"status": "verified", "attributions": [{"source_name": "X", "source_kind": "person"}]},
            {"status": "verified", "attributions": "none"},
        ):
            assert review(client, claim, **body).status_code == 422, body  # type: ignore[arg-type]
        assert (
            client.post(
                "/v1/claims/c_nope/review", json={"status": "verified"}, headers={"If-Match": '"1"'}
            ).status_code
            == 404
        )
        assert client.get("/v1/claims/c_nope").status_code == 404
        assert client.get("/v1/claims/c_nope/history").status_code == 404
        assert client.post("/v1/claims/c_nope/lease").status_code == 404
        assert (
            client.post(
                f"/v1/claims/{claim['claim_id']}/lease", json={"lease_seconds": 0}
            ).status_code
            == 422
        )
        assert (
            client.post(
                f"/v1/claims/{claim['claim_id']}/lease", json={"lease_seconds": "5"}
            ).status_code
            == 422
        )
        after = client.get(f"/v1/claims/{claim['claim_id']}").json()
        assert after["version"] == claim["version"]
        assert after["status"] == "pending"
        assert after["holder"] is None
        assert [e["action"] for e in _history(client, claim["claim_id"])] == ["created"]
    assert newsroom.story(story["story_id"]).json()["version"] == story["version"]


def test_a_revision_at_its_claims_limit_takes_no_added_or_split_claim(newsroom: Newsroom) -> None:
    """At ``max_claims_per_revision`` an added claim or a split is a 409 problem that
    changes nothing; a merge frees a place, and an addition then fits."""
    limit = newsroom.settings.max_claims_per_revision
    report = newsroom.submit(newsroom.report(body=counted_body(limit + 2), claims=[]))
    story = newsroom.wait_story(report.story_id, timeout=180)
    claims = story["claims"]
    assert len(claims) == limit
    assert story["claims_over_limit"] >= 1
    left_over = story["body"].rsplit(". ", 1)[-1]
    assert not any(left_over in c["text"] for c in claims)
    path = f"/v1/stories/{report.story_id}/claims"
    first = claims[0]

    def unchanged() -> list[tuple[str, int]]:
        return [
            (c["claim_id"], c["version"]) for c in newsroom.wait_story(report.story_id)["claims"]
        ]

    before = unchanged()
    with newsroom.reviewer() as client:
        added = client.post(path, json={"text": left_over})
        middle = (first["start"] + first["end"]) // 2
        split = client.post(f"/v1/claims/{first['claim_id']}/split", json={"at": [middle]})
        for refused in (added, split):
            assert refused.status_code == 409, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            problem = refused.json()
            assert problem["type"] == "urn:newsroom:problem:claim_limit"
            assert (problem["claims"], problem["limit"]) == (limit, limit)
        assert unchanged() == before

        merged = client.post(
            "/v1/claims/merge", json={"claim_ids": [claims[0]["claim_id"], claims[1]["claim_id"]]}
        )
        assert merged.status_code == 201, merged.text
        assert client.post(path, json={"text": left_over}).status_code == 201
