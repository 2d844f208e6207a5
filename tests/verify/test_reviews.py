"""The queue, leases and reviews: who may change a claim, and on which version."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.support.desk import confirm_claim_list
from tests.support.servers import wait_for
from tests.verify.support import Newsroom, review


def test_the_queue_is_oldest_first_filtered_and_paged(newsroom: Newsroom) -> None:
    section = "queue-paging"  # owned: tests/support/stack.py OWNED_SECTIONS
    stories = []
    for _ in range(2):
        report = newsroom.submit(newsroom.report(section=section))
        stories.append(newsroom.wait_story(report.story_id))
    expected = [c["claim_id"] for s in stories for c in s["claims"]]

    with newsroom.reviewer() as client:
        seen: list[dict[str, Any]] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"section": section, "limit": 2}
            if cursor:
                params["cursor"] = cursor
            page = client.get("/v1/queue", params=params).json()
            seen += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert [c["claim_id"] for c in seen] == expected
        assert all(c["status"] == "pending" and c["section"] == section for c in seen)
        assert seen[0]["headline"] == "Council approves budget"

        contested = client.get("/v1/queue", params={"section": section, "contested": True})
        assert {c["contested"] for c in contested.json()["items"]} == {True}
        assert len(contested.json()["items"]) == 2  # the opposition claim of each story

        claim = stories[0]["claims"][0]
        assert review(client, claim, "verified").status_code == 200
        verified = client.get("/v1/queue", params={"section": section, "status": "verified"})
        assert [c["claim_id"] for c in verified.json()["items"]] == [claim["claim_id"]]
        pending = client.get("/v1/queue", params={"section": section, "limit": 200}).json()
        assert claim["claim_id"] not in [c["claim_id"] for c in pending["items"]]

        for params in ({"cursor": "nonsense"}, {"limit": 0}, {"limit": 201}, {"status": "x"}):
            bad = client.get("/v1/queue", params=params)
            # A cursor we never gave out is a bad request (400); bad values are 422.
            assert bad.status_code == (400 if "cursor" in params else 422), params
            assert bad.headers["content-type"] == "application/problem+json"


def test_a_lease_is_exclusive_until_released_or_expired(
    newsroom: Newsroom, story: dict[str, Any]
) -> None:
    claim = story["claims"][0]
    path = f"/v1/claims/{claim['claim_id']}/lease"
    other_name, other_token = newsroom.stack.new_user("reviewer")
    holder_name = newsroom.stack.names["reviewer"]
    with newsroom.reviewer() as mine, newsroom.as_user(other_token) as theirs:
        taken = mine.post(path)
        assert taken.status_code == 200
        assert taken.json()["holder"] == holder_name
        assert taken.headers["etag"] == f'"{claim["version"]}"'  # a lease is not a new version
        until = datetime.fromisoformat(taken.json()["lease"]["until"])
        default = newsroom.settings.lease_seconds
        assert abs((until - datetime.now(UTC)).total_seconds() - default) < 30

        refused = theirs.post(path)
        assert refused.status_code == 409
        assert refused.json()["holder"] == holder_name
        # The same time as the claim's own lease says it, written the same way.
        assert refused.json()["lease_until"] == taken.json()["lease"]["until"]
        # Come back when it ends: whole seconds, rounded up.
        assert abs(int(refused.headers["retry-after"]) - default) < 30
        unleased_review = review(theirs, claim, "verified")
        assert unleased_review.status_code == 409
        assert int(unleased_review.headers["retry-after"]) >= 1
        assert theirs.delete(path).status_code == 403  # only the holder or an editor

        renewed = mine.post(path, json={"lease_seconds": 5})  # the holder renews (shorter)
        assert renewed.status_code == 200
        newsroom.stack.clock.advance(4)
        held = theirs.post(path)
        assert held.status_code == 409  # 4 s into 5: still held
        assert held.headers["retry-after"] == "1"  # under a second left, rounded up
        newsroom.stack.clock.advance(2)  # verify's clock, past the lease's end
        assert theirs.post(path).json()["holder"] == other_name  # expired: free again

        with newsroom.reviewer("editor") as editor:
            released = editor.delete(path)
            assert released.status_code == 200
            assert released.json()["holder"] is None
        assert mine.post(path).status_code == 200
        assert mine.delete(path).json()["holder"] is None

        actions = [e["action"] for e in mine.get(f"{path[:-6]}/history").json()["entries"]]
        assert actions == [
            "created",
            "leased",
            "leased",
            "leased",
            "released",
            "leased",
            "released",
        ]


def test_a_review_needs_the_current_version_and_leaves_the_lease_as_it_was(
    newsroom: Newsroom, story: dict[str, Any]
) -> None:
    claim = newsroom.claim_with(story, "approved a budget")
    path = f"/v1/claims/{claim['claim_id']}/review"
    # Who you are is checked before what you sent: a reporter is refused, not asked for If-Match.
    with newsroom.stack.client("verify", "reporter") as reporter:
        assert reporter.post(path, json={"status": "verified"}).status_code == 403
    with newsroom.stack.client("verify") as stranger:
        assert stranger.post(path, json={"status": "verified"}).status_code == 401
    with newsroom.reviewer() as client:
        missing = client.post(path, json={"status": "verified"})
        assert missing.status_code == 428
        assert missing.headers["content-type"] == "application/problem+json"
        assert missing.json()["title"] == "If-Match header required"
        # Sent, but not an ETag: the answer says what to send instead.
        malformed = client.post(path, json={"status": "verified"}, headers={"If-Match": "1"})
        assert malformed.status_code == 400, malformed.text
        assert malformed.headers["content-type"] == "application/problem+json"
        assert 'If-Match: "3"' in malformed.json()["detail"]
        assert 'send "1", with the quotes' in malformed.json()["detail"]
        # An enum names the values it takes.
        kinds = client.post(
            path,
            json={"status": "maybe", "attributions": [
                {"source_name": "Ana Ruiz", "source_kind": "human", "obtained_via": "phone"}]},
            headers={"If-Match": f'"{claim["version"]}"'},
        )  # fmt: skip
        assert kinds.status_code == 422, kinds.text
        said = " ".join(e["msg"] for e in kinds.json()["errors"])
        for allowed in ("not_a_claim", "social_post", "press_conference"):
            assert allowed in said, said

        done = review(client, claim, "verified", note="Checked with the council minutes.")
        assert done.status_code == 200
        body = done.json()
        assert body["status"] == "verified"
        assert body["version"] == claim["version"] + 1
        assert done.headers["etag"] == f'"{body["version"]}"'
        assert body["reviewed_by"] == newsroom.stack.names["reviewer"]
        # A free claim stays free: the gate names no holder for a finished review.
        assert body["holder"] is None

        stale = review(client, claim, "false")  # the version read before the review
        assert stale.status_code == 412
        assert stale.json()["current_version"] == body["version"]
        assert client.get(f"/v1/claims/{claim['claim_id']}").json()["status"] == "verified"

        history = client.get(f"/v1/claims/{claim['claim_id']}/history").json()["entries"]
        reviewed = history[-1]
        assert reviewed["action"] == "reviewed"
        assert reviewed["actor"]["name"] == newsroom.stack.names["reviewer"]
        assert reviewed["actor"]["role"] == "reviewer"
        assert reviewed["before"]["status"] == "pending"
        assert reviewed["after"]["status"] == "verified"
        assert reviewed["after"]["note"] == "Checked with the council minutes."
        assert reviewed["version"] == body["version"]

        # The reviewer's own lease stays theirs through a review (an attribution may follow).
        assert client.post(f"/v1/claims/{claim['claim_id']}/lease").status_code == 200
        held = client.get(f"/v1/claims/{claim['claim_id']}").json()
        again = review(client, held, "contested")
        assert again.status_code == 200, again.text
        assert again.json()["holder"] == newsroom.stack.names["reviewer"]

    snapshot = newsroom.wait_story(story["story_id"])
    assert snapshot["version"] > story["version"]
    assert newsroom.claim_with(snapshot, "approved a budget")["status"] == "contested"


def test_two_reviewers_on_two_claims_of_one_story_both_land(
    newsroom: Newsroom, story: dict[str, Any]
) -> None:
    import threading

    _, other_token = newsroom.stack.new_user("reviewer")
    first, second = story["claims"][0], story["claims"][1]
    results: dict[str, int] = {}

    def work(token: str, claim: dict[str, Any]) -> None:
        with newsroom.as_user(token) as client:
            results[claim["claim_id"]] = review(client, claim, "verified").status_code

    threads = [
        threading.Thread(target=work, args=(newsroom.stack.tokens["reviewer"], first)),
        threading.Thread(target=work, args=(other_token, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {first["claim_id"]: 200, second["claim_id"]: 200}
    snapshot = newsroom.wait_story(story["story_id"])
    statuses = {c["claim_id"]: c["status"] for c in snapshot["claims"]}
    assert statuses[first["claim_id"]] == statuses[second["claim_id"]] == "verified"
    assert snapshot["version"] == story["version"] + 2


def test_clearing_every_claim_and_confirming_the_list_clears_the_story(
    newsroom: Newsroom, story: dict[str, Any]
) -> None:
    with newsroom.reviewer() as client:
        for claim in story["claims"]:
            assert review(client, claim, "verified").status_code == 200
        # Every claim verified: held by the claim list alone, and cleared once confirmed.
        reviewed = wait_for(
            lambda: (
                (s := newsroom.story(story["story_id"]).json())["held"]
                == ["3 sentences of revision 1 not yet checked for claims"]
                and s
            ),
            what="held by the claim list only",
        )
        assert reviewed["cleared"] is False
        confirm_claim_list(client, story["story_id"])
    cleared = wait_for(
        lambda: newsroom.story(story["story_id"]).json()["cleared"], what="cleared story"
    )
    assert cleared is True
    assert newsroom.story(story["story_id"]).json()["held"] == []
