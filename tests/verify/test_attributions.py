"""Attribution records: checked, prefilled from detection, anonymous ones approved by editors."""

from __future__ import annotations

from typing import Any

from tests.verify.support import BODY, Newsroom, review

NAMED = {"source_name": "Lena Vasquez", "source_kind": "person", "obtained_via": "interview"}
ANONYMOUS = {
    "source_name": "a council official",
    "source_kind": "anonymous",
    "obtained_via": "interview",
    "quote": "The numbers were padded.",
}


def test_suggested_attributions_come_from_detection(
    newsroom: Newsroom, story: dict[str, Any]
) -> None:
    claim = newsroom.claim_with(story, "figures were inflated")
    with newsroom.reviewer() as client:
        drafts = client.get(f"/v1/claims/{claim['claim_id']}/suggested-attributions").json()
        # What detection found (its own tests say exactly what): a draft for each source.
        assert (drafts[0]["source_name"], drafts[0]["source_kind"]) == (
            "Opposition members",
            "person",
        )
        # "..., a charge the mayor denied": the mayor answers the claim, not its source
        assert [d["source_name"] for d in drafts] == ["Opposition members"]
        assert BODY[drafts[0]["start"] : drafts[0]["end"]] == "Opposition members claimed"
        assert all(d["found_by"] == "detection" for d in drafts)
        prefilled = client.get(f"/v1/claims/{claim['claim_id']}", params={"prefill": "true"})
        assert prefilled.json()["suggested_attributions"] == drafts
        plain = client.get(f"/v1/claims/{claim['claim_id']}").json()
        assert plain["suggested_attributions"] is None

        # A draft, confirmed with how it was obtained, is a valid record.
        record = {**drafts[0], "obtained_via": "statement"}
        for key in ("cue", "found_by"):
            record.pop(key)
        done = review(client, claim, "contested", attributions=[record])
        assert done.status_code == 200
        stored = done.json()["attributions"][0]
        assert stored["attribution_id"]
        assert stored["needs_approval"] is False


def test_attributions_are_checked(newsroom: Newsroom, story: dict[str, Any]) -> None:
    claim = newsroom.claim_with(story, "approved a budget")
    with newsroom.reviewer() as client:
        for bad in (
            {**NAMED, "url": "javascript:alert(1)"},
            {**NAMED, "url": "ftp://example.org/x"},
            {**NAMED, "start": 5},
            {**NAMED, "start": 5, "end": 5},
            {**NAMED, "start": 0, "end": len(BODY) + 1},
            {**NAMED, "source_kind": "rumour"},
            {**NAMED, "obtained_via": "telepathy"},
            {**NAMED, "source_name": ""},
            {**NAMED, "affiliation": "<a href='x'>Mayor</a>"},
            {**NAMED, "attribution_id": "a_unknown"},
            {**NAMED, "start": -1, "end": 3},
        ):
            response = review(client, claim, "verified", attributions=[bad])
            assert response.status_code == 422, bad
        assert client.get(f"/v1/claims/{claim['claim_id']}").json()["version"] == claim["version"]

        good = {**NAMED, "url": "https://example.org/minutes", "start": 0, "end": 8}
        done = review(client, claim, "verified", attributions=[good])
        assert done.status_code == 200
        [stored] = done.json()["attributions"]
        assert stored["url"] == "https://example.org/minutes"
        assert (stored["start"], stored["end"]) == (0, 8)


def test_an_anonymous_source_needs_an_editors_approval(
    newsroom: Newsroom, story: dict[str, Any]
) -> None:
    claim = newsroom.claim_with(story, "figures were inflated")
    with newsroom.reviewer() as client:
        done = review(client, claim, "contested", attributions=[NAMED, ANONYMOUS])
        assert done.status_code == 200
        claim = done.json()
        named, anonymous = claim["attributions"]
        assert (named["needs_approval"], anonymous["needs_approval"]) == (False, True)
        path = f"/v1/claims/{claim['claim_id']}/attributions/{anonymous['attribution_id']}/approval"
        refused = client.post(path, json={"reason": "Two officials confirmed it."})
        assert refused.status_code == 403  # reviewers cannot approve

    with newsroom.reviewer("editor") as editor:
        assert editor.post(path, json={}).status_code == 422
        named_path = path.replace(anonymous["attribution_id"], named["attribution_id"])
        assert editor.post(named_path, json={"reason": "x"}).status_code == 409
        missing = path.replace(anonymous["attribution_id"], "a_nope")
        assert editor.post(missing, json={"reason": "x"}).status_code == 404
        approved = editor.post(path, json={"reason": "Known to the desk; fears reprisal."})
        assert approved.status_code == 200
        record = approved.json()["attributions"][1]
        assert record["needs_approval"] is False
        assert record["approval"]["approved_by"] == newsroom.stack.names["editor"]
        assert record["approval"]["reason"] == "Known to the desk; fears reprisal."
        last = editor.get(f"/v1/claims/{claim['claim_id']}/history").json()["entries"][-1]
        assert last["action"] == "attribution_approved"
        assert last["actor"]["role"] == "editor"
        assert last["after"]["attribution_id"] == anonymous["attribution_id"]
        assert last["before"]["attributions"][1]["approval"] is None
        claim = approved.json()

    snapshot = newsroom.wait_story(
        story["story_id"],
        until=lambda s: (
            newsroom.claim_with(s, "figures were inflated")["version"] == claim["version"]
        ),
    )
    event_record = newsroom.claim_with(snapshot, "figures were inflated")["attributions"][1]
    assert event_record["approval"]["approved_by"] == newsroom.stack.names["editor"]

    with newsroom.reviewer() as client:
        kept = [{k: v for k, v in a.items() if k not in ("needs_approval", "approval")}
                for a in claim["attributions"]]  # fmt: skip
        unchanged = review(client, claim, "contested", attributions=kept)
        assert unchanged.json()["attributions"][1]["approval"] is not None
        changed = [kept[0], {**kept[1], "source_name": "another official"}]
        again = review(client, unchanged.json(), "contested", attributions=changed)
        assert again.json()["attributions"][1]["approval"] is None
        assert again.json()["attributions"][1]["needs_approval"] is True
