"""A report answered 202 is delivered even when the broker restarts empty or ingest is
killed before it sent it; the timeline moves as events arrive; the rate limit."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.contracts import ReportReceived, StoryPublished, StoryReviewed, Topic
from services.runtime import Runtime
from tests.ingest.test_submit import report_id_of
from tests.support.infra import Infra
from tests.support.kafka import read_topic
from tests.support.reports import report, submit
from tests.support.servers import ServiceProcess, api, wait_for
from tests.support.stack import Stack, make_user


@pytest.fixture
def own_broker(infra: Infra, tmp_path: Path) -> Iterator[Infra]:
    """A broker of this test's own (the session's store), free to kill and wipe."""
    private = Infra(tmp_path, store_port=infra.store_port)
    private.start_broker()
    try:
        yield private
    finally:
        private.stop_broker()


def ingest_process(own_broker: Infra, tmp_path: Path, **overrides: object) -> ServiceProcess:
    from newsroom.stack import free_port

    settings = own_broker.settings(
        ingest_port=free_port(), redeliver_after_seconds=1.0, **overrides
    )
    return ServiceProcess("ingest", settings, tmp_path / "ingest.log")


def ids_on(own_broker: Infra, topic: str, report_id: str) -> list[str]:
    records = read_topic(
        own_broker.bootstrap, topic,
        lambda rs: any(json.loads(r.value)["data"]["report_id"] == report_id for r in rs),
        timeout=30,
    )  # fmt: skip
    return [json.loads(r.value)["data"]["report_id"] for r in records]


def test_a_report_survives_the_broker_restarting_empty(own_broker: Infra, tmp_path: Path) -> None:
    ingest = ingest_process(own_broker, tmp_path)
    _, token = make_user(ingest.settings, "reporter")
    ingest.start()
    try:
        with api(ingest.url, token) as client:
            answer = submit(client)
            assert answer.status_code == 202
        report_id = answer.json()["report_id"]
        topic = ingest.settings.topic(Topic.REPORTS_SUBMITTED)
        assert report_id in ids_on(own_broker, topic, report_id)

        own_broker.restart_broker()  # memory storage: every topic and record is gone

        # Nobody confirmed it, so the relay sends it again to the new, empty broker.
        assert report_id in ids_on(own_broker, topic, report_id)
    finally:
        ingest.stop()


def test_a_report_survives_ingest_killed_before_sending(own_broker: Infra, tmp_path: Path) -> None:
    ingest = ingest_process(own_broker, tmp_path)
    _, token = make_user(ingest.settings, "reporter")
    ingest.start()
    own_broker.stop_broker()  # ingest can store but not send
    try:
        with api(ingest.url, token) as client:
            answer = submit(client)
        assert answer.status_code == 202
        ingest.kill()  # SIGKILL between storing and publishing

        own_broker.start_broker()
        ingest.start()
        report_id = answer.json()["report_id"]
        topic = ingest.settings.topic(Topic.REPORTS_SUBMITTED)
        assert report_id in ids_on(own_broker, topic, report_id)
    finally:
        ingest.stop()


def test_a_report_its_relay_never_sent_is_sent_when_its_claim_ends(stack: Stack) -> None:
    """Reports are stored claimed by the relay they are handed to, due at their first
    re-send: if that relay dies before sending them, the poll of any relay sends them."""
    from ingest.reports import repository as repo

    dead = repo.Handoff("dead-relay", timedelta(seconds=2), lambda docs: None)
    live = repo.hand_stored_to(dead)
    try:
        with stack.client("ingest", "reporter") as client:
            answer = submit(client)
    finally:
        repo.hand_stored_to(live)
    assert answer.status_code == 202, answer.text
    report_id = answer.json()["report_id"]
    stored = repo.Report._get_collection().find_one({"_id": report_id})
    assert stored["outbox"]["claim"] == "dead-relay"
    assert stored["outbox"]["due"] == stored["accepted_at"] + timedelta(seconds=2)

    topic = stack.settings.topic(Topic.REPORTS_SUBMITTED)
    records = read_topic(
        stack.settings.kafka_bootstrap, topic,
        lambda rs: any(report_id_of(r) == report_id for r in rs), timeout=60,
    )  # fmt: skip
    assert report_id in {report_id_of(r) for r in records}


def test_the_rate_limit_answers_429_with_retry_after(own_broker: Infra, tmp_path: Path) -> None:
    ingest = ingest_process(own_broker, tmp_path, rate_limit_per_minute=3)
    _, token = make_user(ingest.settings, "reporter")
    ingest.start()
    try:
        with api(ingest.url, token) as client:
            for _ in range(3):
                assert submit(client).status_code == 202
            limited = submit(client)
            assert limited.status_code == 429
            assert 1 <= int(limited.headers["retry-after"]) <= 60
            assert limited.json()["type"] == "urn:newsroom:problem:rate_limited"
            # A replay of an accepted report is not a new submission: still answered.
            key = uuid.uuid4().hex
        _, other = make_user(ingest.settings, "reporter")
        with api(ingest.url, other) as client:
            assert submit(client, report(), key).status_code == 202
    finally:
        ingest.stop()


def test_the_timeline_moves_as_events_arrive(stack: Stack) -> None:
    with stack.client("ingest", "reporter") as client:
        accepted = submit(client).json()
        report_id, story_id = accepted["report_id"], accepted["story_id"]

        def statuses() -> list[str]:
            timeline = client.get(f"/v1/reports/{report_id}").json()["timeline"]
            return [entry["status"] for entry in timeline]

        wait_for(lambda: "queued" in statuses(), what="queued")

        runtime = Runtime(stack.settings, "test")
        now = datetime.now(UTC)
        receipt = ReportReceived(
            report_id=report_id, story_id=story_id, revision=1, claims=1, received_at=now
        )
        runtime.producer.send(
            runtime.producer.message(Topic.REPORTS_RECEIVED, receipt, key=story_id)
        )
        wait_for(
            lambda: statuses()[-1] == "in_review" or "published" in statuses(), what="in_review"
        )
        published = StoryPublished(
            story_id=story_id,
            revision=1,
            version=9,
            report_id=report_id,
            action="published",
            url="http://x/1",
            at=now,
        )
        runtime.producer.send(
            runtime.producer.message(Topic.STORIES_PUBLISHED, published, key=story_id)
        )
        wait_for(lambda: "published" in statuses(), what="published")
        assert statuses()[:3] == ["accepted", "queued", "in_review"]
        runtime.close()


def test_a_later_revision_supersedes_an_unreleased_one(stack: Stack) -> None:
    """A revision never released that a later one replaced will not be published: it no
    longer reads in_review, with what held it; a released one stays published."""
    with stack.client("ingest", "reporter") as client:
        first = submit(client).json()
        story_id = first["story_id"]
        runtime = Runtime(stack.settings, "test")
        published = StoryPublished(
            story_id=story_id, revision=1, version=9, report_id=first["report_id"],
            action="published", url="http://x/1", at=datetime.now(UTC),
        )  # fmt: skip
        runtime.producer.send(
            runtime.producer.message(Topic.STORIES_PUBLISHED, published, key=story_id)
        )
        runtime.close()
        wait_for(
            lambda: client.get(first["status_url"]).json()["status"] == "published",
            what="published",
        )
        revised = [
            submit(client, report(story_id=story_id, body=body, claims=[]))
            for body in ("Changed. " + "x" * 10, "Again. " + "y" * 10)
        ]
        assert [r.status_code for r in revised] == [202, 202], [r.text for r in revised]
        second, third = (r.json() for r in revised)

        def view(accepted: dict[str, Any]) -> dict[str, Any]:
            found: dict[str, Any] = client.get(accepted["status_url"]).json()
            return found

        assert (view(first)["status"], view(first)["superseded_by"]) == ("published", 3)
        assert view(second)["status"] == "superseded"
        assert view(second)["superseded_by"] == 3
        assert view(second)["held"] == []
        assert view(third)["superseded_by"] is None
        assert view(third)["status"] != "superseded"
        listed = client.get("/v1/reports", params={"limit": 200}).json()["items"]
        mine = {r["revision"]: r["status"] for r in listed if r["story_id"] == story_id}
        assert mine[1] == "published"
        assert mine[2] == "superseded"
        assert mine[3] != "superseded"


def test_a_retracted_story_takes_no_new_revision(stack: Stack) -> None:
    """Publish never releases a retracted story again: ingest refuses its revisions at once
    (409) rather than queue them for a release that cannot come."""
    with stack.client("ingest", "reporter") as client:
        accepted = submit(client).json()
        report_id, story_id = accepted["report_id"], accepted["story_id"]
        runtime = Runtime(stack.settings, "test")
        retracted = StoryPublished(
            story_id=story_id, revision=1, version=9, report_id=report_id,
            action="retracted", url="http://x/1", at=datetime.now(UTC), reason="Wrong town.",
        )  # fmt: skip
        runtime.producer.send(
            runtime.producer.message(Topic.STORIES_PUBLISHED, retracted, key=story_id)
        )
        runtime.close()
        wait_for(
            lambda: client.get(f"/v1/reports/{report_id}").json()["status"] == "retracted",
            what="retracted",
        )
        refused = submit(client, report(story_id=story_id, headline=f"Again {report_id}"))
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert "retracted" in refused.json()["detail"]
        assert "new story" in refused.json()["detail"]
        mine = client.get("/v1/reports", params={"limit": 200}).json()["items"]
        assert [r["revision"] for r in mine if r["story_id"] == story_id] == [1]


def test_cleared_means_the_revision_passes_the_rule_and_held_says_why_not(stack: Stack) -> None:
    """A reporter's report is ``cleared`` only while verify says its revision passes the
    whole publish rule; otherwise ``held`` says why, from verify's newest event."""
    with stack.client("ingest", "reporter") as client:
        accepted = submit(client).json()
        report_id, story_id = accepted["report_id"], accepted["story_id"]

        def view() -> dict[str, Any]:
            found: dict[str, Any] = client.get(f"/v1/reports/{report_id}").json()
            return found

        runtime = Runtime(stack.settings, "test")
        false = ["1 claim: found false (the reporter must revise the story)"]

        def reviewed(version: int, cleared: bool, held: list[str]) -> None:
            # Versions far above the real verify's for this story, which it also sends.
            event = StoryReviewed(
                story_id=story_id, version=version, revision=1, report_id=report_id,
                reporter_id="u_x", byline="A. Reporter", headline="h", body="b.",
                section="local", publish_when_cleared=False, cleared=cleared, claims=[],
                updated_at=datetime.now(UTC), held=held,
            )  # fmt: skip
            runtime.producer.send(
                runtime.producer.message(Topic.STORIES_REVIEWED, event, key=story_id)
            )

        try:
            reviewed(1000, False, false)
            wait_for(lambda: view()["held"] == false, what="held: a false claim")
            assert view()["status"] != "cleared"
            reviewed(1001, True, [])
            wait_for(lambda: view()["status"] == "cleared", what="cleared")
            assert view()["held"] == []
            reviewed(1002, False, false)
            wait_for(lambda: view()["held"] == false, what="held again")
            assert view()["status"] == "in_review"
            assert "cleared" in [entry["status"] for entry in view()["timeline"]]
            # An older event (re-sent after a restart) changes nothing: the session's ingest
            # runs in this process, so its repository is called as the consumer calls it.
            from ingest.reports import repository

            assert repository.mark_held(report_id, ["stale"], 1001) is False
            assert view()["held"] == false
            assert repository.mark_held(report_id, ["newer"], 1003) is True
            assert view()["held"] == ["newer"]
        finally:
            runtime.close()
