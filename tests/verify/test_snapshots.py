"""The story's snapshot: on stories.reviewed after each change, and over HTTP for catch-up."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from services import auth
from services.contracts import StoryReviewed, Topic, parse_event
from tests.support.kafka import read_topic
from tests.verify.support import Newsroom, review


def _snapshots(newsroom: Newsroom, story_id: str, until: Any) -> list[StoryReviewed]:
    topic = newsroom.settings.topic(Topic.STORIES_REVIEWED)

    def mine(records: list[Any]) -> list[StoryReviewed]:
        events = [parse_event(r.value).payload() for r in records if r.key == story_id.encode()]
        return [e for e in events if isinstance(e, StoryReviewed)]

    records = read_topic(newsroom.settings.kafka_bootstrap, topic, lambda r: until(mine(r)))
    return mine(records)


def test_each_change_sends_the_story_snapshot_with_a_higher_version(
    newsroom: Newsroom, story: dict[str, Any]
) -> None:
    claim = newsroom.claim_with(story, "approved a budget")
    with newsroom.reviewer() as client:
        reviewed = review(client, claim, "verified").json()
    target = story["version"] + 1

    events = _snapshots(newsroom, story["story_id"], lambda e: any(x.version >= target for x in e))
    versions = [e.version for e in events]
    assert versions == sorted(versions)  # one story's snapshots go out in order
    latest = max(events, key=lambda e: e.version)
    assert latest.version == target
    [mine] = [c for c in latest.claims if c.claim_id == claim["claim_id"]]
    assert mine.status == "verified"
    assert mine.version == reviewed["version"]
    assert mine.holder is None  # a review leaves a free claim free
    assert mine.reviewed_by == newsroom.stack.names["reviewer"]
    assert latest.cleared is False
    # The HTTP snapshot is the same document.
    assert StoryReviewed.model_validate(newsroom.story(story["story_id"]).json()) == latest


def test_get_story_roles_etag_and_reporters_own_stories(newsroom: Newsroom) -> None:
    stack = newsroom.stack
    auth_user = auth.models.User.objects(name=stack.names["reporter"]).first()
    report = newsroom.submit(newsroom.report(reporter_id=auth_user.user_id))
    story = newsroom.wait_story(report.story_id)
    path = f"/v1/stories/{report.story_id}"
    for role in ("reviewer", "editor", "service", "reporter"):
        with stack.client("verify", role) as client:
            response = client.get(path)
            assert response.status_code == 200, role
            assert response.headers["etag"] == f'"{story["version"]}"'
            assert StoryReviewed.model_validate(response.json()).story_id == report.story_id
    with stack.client("verify", "reviewer") as client:
        cached = client.get(path, headers={"If-None-Match": f'"{story["version"]}"'})
        assert cached.status_code == 304
        assert client.get(path, headers={"If-None-Match": '"0"'}).status_code == 200
        assert client.get("/v1/stories/s_nope").status_code == 404

    _, other_reporter = stack.new_user("reporter")
    with newsroom.as_user(other_reporter) as client:
        refused = client.get(path)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["title"] == "Belongs to someone else"
    with stack.client("verify", "admin") as client:
        by_role = client.get(path)
        assert by_role.status_code == 403
        assert by_role.json()["title"] == "Not allowed for your role"
    with stack.client("verify") as client:
        unauthenticated = client.get(path)
        assert unauthenticated.status_code == 401
        assert unauthenticated.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("listing", ["/v1/snapshots", "/v1/snapshots/versions"])
def test_snapshots_page_through_changes_oldest_first(newsroom: Newsroom, listing: str) -> None:
    """Whole snapshots, or (for publish's catch-up) only each story's id, version and
    change time: the same stories in the same order, with the same cursors."""
    since = datetime.now().astimezone() - timedelta(seconds=1)
    ids = []
    for _ in range(3):
        report = newsroom.submit(newsroom.report(story_id=f"s_page_{uuid.uuid4().hex[:8]}"))
        newsroom.wait_story(report.story_id)
        ids.append(report.story_id)

    with newsroom.stack.client("verify", "service") as client:
        seen: list[dict[str, Any]] = []
        params: dict[str, Any] = {"updated_after": since.isoformat(), "limit": 2}
        while True:
            page = client.get(listing, params=params)
            assert page.status_code == 200, page.text
            seen += page.json()["items"]
            if not page.json()["next_cursor"]:
                break
            params = {**params, "cursor": page.json()["next_cursor"]}
        ours = [s["story_id"] for s in seen if s["story_id"] in ids]
        assert ours == ids
        # Compared as instants: JSON drops a zero fraction ("…:42Z" sorts after
        # "…:42.312000Z" as text), so the wire form is not a sort key.
        stamps = [datetime.fromisoformat(s["updated_at"]) for s in seen]
        assert stamps == sorted(stamps)
        for item in seen:
            if listing == "/v1/snapshots":
                StoryReviewed.model_validate(item)
                continue
            assert sorted(item) == ["story_id", "updated_at", "version"]
            if item["story_id"] in ids:
                whole = newsroom.story(item["story_id"]).json()
                assert (item["version"], item["updated_at"]) == (
                    whole["version"], whole["updated_at"]
                )  # fmt: skip

        later = client.get(listing, params={"updated_after": seen[-1]["updated_at"]})
        assert ids[-1] not in [s["story_id"] for s in later.json()["items"]]

        for bad in (
            {"limit": 0},
            {"limit": 501},
            {"cursor": "abc"},
            {"updated_after": "yesterday"},
        ):
            response = client.get(listing, params=bad)
            assert response.status_code == (400 if "cursor" in bad else 422), bad
    with newsroom.stack.client("verify", "editor") as client:
        assert client.get(listing, params={"limit": 1}).status_code == 200
    for role in ("reviewer", "reporter", "admin"):
        with newsroom.stack.client("verify", role) as client:
            assert client.get(listing).status_code == 403, role


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/queue"),
        ("GET", "/v1/claims/{claim}"),
        ("GET", "/v1/claims/{claim}/history"),
        ("GET", "/v1/claims/{claim}/suggested-attributions"),
        ("POST", "/v1/claims/{claim}/lease"),
        ("DELETE", "/v1/claims/{claim}/lease"),
        ("POST", "/v1/claims/{claim}/review"),
        ("POST", "/v1/claims/{claim}/dismiss"),
        ("POST", "/v1/claims/{claim}/split"),
        ("POST", "/v1/claims/merge"),
        ("POST", "/v1/stories/{story}/claims"),
        ("POST", "/v1/claims/{claim}/attributions/a_x/approval"),
    ],
)
def test_reporters_admins_and_strangers_cannot_work_the_queue(
    newsroom: Newsroom, story: dict[str, Any], method: str, path: str
) -> None:
    claim = story["claims"][0]
    url = path.format(claim=claim["claim_id"], story=story["story_id"])
    body = {"status": "verified"} if url.endswith("/review") else {}
    headers = {"If-Match": f'"{claim["version"]}"'}
    denied = ("reporter", "admin", "service")
    if url.endswith("/approval"):
        denied += ("reviewer",)
    for role in denied:
        with newsroom.stack.client("verify", role) as client:
            response = client.request(method, url, json=body, headers=headers)
            assert response.status_code == 403, (role, response.text)
            assert response.headers["content-type"] == "application/problem+json"
    with newsroom.stack.client("verify") as client:
        assert client.request(method, url, json=body, headers=headers).status_code == 401
    after = newsroom.story(story["story_id"]).json()
    assert after["version"] == story["version"]


def test_the_snapshot_a_change_makes_due_carries_that_changes_trace(
    newsroom: Newsroom, story: dict[str, Any]
) -> None:
    trace_id = uuid.uuid4().hex
    traceparent = f"00-{trace_id}-{'0' * 15}1-01"
    claim = newsroom.claim_with(story, "approved a budget")
    with newsroom.reviewer() as client:
        client.headers["traceparent"] = traceparent
        assert review(client, claim, "verified").status_code == 200
    target = story["version"] + 1
    topic = newsroom.settings.topic(Topic.STORIES_REVIEWED)

    def mine(records: list[Any]) -> list[Any]:
        return [
            r
            for r in records
            if r.key == story["story_id"].encode()
            and parse_event(r.value).data["version"] >= target
        ]

    records = mine(read_topic(newsroom.settings.kafka_bootstrap, topic, lambda r: bool(mine(r))))
    assert dict(records[0].headers)["traceparent"] == traceparent.encode()
    assert parse_event(records[0].value).traceid == trace_id


def test_a_new_storys_first_snapshot_carries_its_reports_trace(newsroom: Newsroom) -> None:
    """Stored with others of its poll batch (one transaction for many new stories), a
    report's story still sends its first snapshot under the report's own trace."""
    trace_id = uuid.uuid4().hex
    report = newsroom.report()
    newsroom.producer.send(
        newsroom.producer.message(
            Topic.REPORTS_SUBMITTED, report, key=report.story_id, trace_id=trace_id
        )
    )
    topic = newsroom.settings.topic(Topic.STORIES_REVIEWED)

    def mine(records: list[Any]) -> list[Any]:
        return [r for r in records if r.key == report.story_id.encode()]

    records = mine(read_topic(newsroom.settings.kafka_bootstrap, topic, lambda r: bool(mine(r))))
    assert parse_event(records[0].value).data["version"] == 1
    assert dict(records[0].headers)["traceparent"] == f"00-{trace_id}-{'0' * 15}1-01".encode()
    assert parse_event(records[0].value).traceid == trace_id
