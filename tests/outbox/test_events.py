"""Events on the running services: the largest story the limits allow produces events that
fit the broker with margin; a lease sends a small event, not the whole story; two
publish outboxes send each release once."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

from publish.stories import repository as releases
from publish.stories.model import ReleaseRow
from publish.workers import ReleaseRows
from services.bus import EventProducer, TopicAdmin
from services.clock import utcnow
from services.contracts import (
    MAX_EVENT_BYTES,
    StoryChanged,
    StoryPublished,
    StoryReviewed,
    Topic,
    parse_event,
)
from services.outbox import OutboxWorker
from services.store import Session
from tests.support.desk import story_claims
from tests.support.kafka import read_topic
from tests.support.reports import report, submit
from tests.support.servers import wait_for
from tests.support.stack import Stack
from verify.outbox import SnapshotRows


def records_of(stack: Stack, topic: Topic, key: str, until: Any, timeout: float = 120) -> list[Any]:
    def mine(records: list[Any]) -> list[Any]:
        return [r for r in records if r.key == key.encode()]

    found = read_topic(
        stack.settings.kafka_bootstrap,
        stack.settings.topic(topic.value),
        lambda rs: until(mine(rs)),
        timeout=timeout,
    )
    return mine(found)


def console_page(stack: Stack, path: str) -> str:
    """A page of verify's console, as a signed-in reviewer sees it."""
    from tests.support.console import signed_in

    with signed_in(str(stack.url("verify")), stack.tokens["reviewer"]) as client:
        answer = client.get(path)
    assert answer.status_code == 200, answer.text[:300]
    return answer.text


def largest_body(limit: int) -> str:
    """Short attributed sentences, each a claim, up to the body limit (as in issue 12)."""
    sentences: list[str] = []
    size = 0
    i = 0
    while True:
        sentence = f"Official {i} told the council that repairs cost {i + 7} thousand euros. "
        if size + len(sentence) > limit:
            break
        sentences.append(sentence)
        size += len(sentence)
        i += 1
    return "".join(sentences).rstrip()


def test_the_largest_story_the_limits_allow_produces_events_that_fit(stack: Stack) -> None:
    settings = stack.settings
    body = largest_body(settings.max_body_bytes)
    assert len(body.encode()) > settings.max_body_bytes - 100
    # The most declared claims a report may have, with sources filling the rest of what
    # a request may carry (the body limit plus 64 KiB).
    declared = [{"text": s.strip() + ".", "contested": True, "sources": ["x" * 200]}
                for s in body.split(". ")[:200]]  # fmt: skip
    payload = report(body=body, claims=declared)
    assert len(json.dumps(payload).encode()) > settings.max_body_bytes + 60 * 1024
    with stack.client("ingest", "reporter") as ingest:
        answer = submit(ingest, payload)
    assert answer.status_code == 202, answer.text
    story_id, report_id = answer.json()["story_id"], answer.json()["report_id"]

    submitted = records_of(stack, Topic.REPORTS_SUBMITTED, story_id, bool)
    assert all(len(r.value) <= MAX_EVENT_BYTES for r in submitted)

    with stack.client("verify", "reviewer") as verify:
        story = story_claims(verify, story_id, timeout=300)
    assert len(story["claims"]) == settings.max_claims_per_revision
    # Detection went on past the limit, and the reviewer is told how far.
    assert story["claims_over_limit"] > 0
    assert story["claims_over_limit"] + len(story["claims"]) > len(body.split(". ")) - 5
    page = console_page(stack, f"/ui/claims/{story['claims'][0]['claim_id']}")
    assert f"Detection found {story['claims_over_limit']} more claims" in page

    received = records_of(stack, Topic.REPORTS_RECEIVED, story_id, bool)
    reviewed = records_of(stack, Topic.STORIES_REVIEWED, story_id, bool)
    for record in [*received, *reviewed]:
        assert len(record.value) <= MAX_EVENT_BYTES
    # The snapshot is megabytes: it travels by reference, and publish reads it from verify.
    [event] = [parse_event(r.value).payload() for r in reviewed]
    assert isinstance(event, StoryChanged)
    assert event.reason == "too_large"
    assert len(reviewed[0].value) < 4096

    with stack.client("publish", "editor") as publish:
        gate = wait_for(
            lambda: (g := publish.get(f"/v1/stories/{story_id}/gate")).status_code == 200 and g,
            120,
            what="publish read the large story from verify",
        )
    assert gate.json()["revision"] == 1
    assert len(gate.json()["blockers"]) >= settings.max_claims_per_revision

    with stack.client("ingest", "reporter") as ingest:
        timeline = ingest.get(f"/v1/reports/{report_id}").json()
    assert timeline["status"] in ("queued", "in_review")


def test_a_lease_sends_who_holds_the_claim_not_the_whole_story(stack: Stack) -> None:
    with stack.client("ingest", "reporter") as ingest:
        story_id = submit(ingest).json()["story_id"]
    with stack.client("verify", "reviewer") as verify:
        claim = story_claims(verify, story_id)["claims"][0]
        whole = records_of(stack, Topic.STORIES_REVIEWED, story_id, bool)
        assert isinstance(parse_event(whole[0].value).payload(), StoryReviewed)
        assert verify.post(f"/v1/claims/{claim['claim_id']}/lease").status_code == 200

        def leases(records: list[Any]) -> list[StoryChanged]:
            events = [parse_event(r.value).payload() for r in records]
            return [e for e in events if isinstance(e, StoryChanged) and e.reason == "leases"]

        taken = records_of(stack, Topic.STORIES_REVIEWED, story_id, leases)
        [event] = leases(taken)
        assert [(h.claim_id, h.holder) for h in event.holders] == [
            (claim["claim_id"], stack.names["reviewer"])
        ]
        assert event.content_version < event.version
        assert all(isinstance(parse_event(r.value).payload(), StoryChanged)
                   for r in taken if r.offset > whole[0].offset)  # fmt: skip

        with stack.client("publish", "editor") as publish:

            def holder() -> Any:
                gate = publish.get(f"/v1/stories/{story_id}/gate")
                if gate.status_code != 200:
                    return "(publish has not seen the story yet)"
                blockers = gate.json()["blockers"]
                return {b["claim_id"]: b["holder"] for b in blockers}.get(claim["claim_id"])

            wait_for(lambda: holder() == stack.names["reviewer"], 60, what="holder in the gate")
            assert verify.delete(f"/v1/claims/{claim['claim_id']}/lease").status_code in (200, 204)
            given_back = records_of(stack, Topic.STORIES_REVIEWED, story_id,
                                    lambda rs: len(leases(rs)) >= 2)  # fmt: skip
            assert leases(given_back)[-1].holders == []
            # A free pending claim waits in the queue: the gate no longer names the reviewer.
            wait_for(lambda: holder() == "reviewers' queue", 60, what="holder gone from the gate")


def test_two_publish_outboxes_send_each_release_once(stack: Stack) -> None:
    """Two more outbox workers on publish's release rows, besides the running service's:
    three replicas' worth of senders, and each event goes out once."""
    now = utcnow()
    story_ids = [f"s_{uuid.uuid4().hex}" for _ in range(40)]

    def add(session: Session) -> None:
        for seq, story_id in enumerate(story_ids):
            event = StoryPublished(story_id=story_id, revision=1, version=1, report_id="r_x",
                                   action="published", url="http://x/", at=now)  # fmt: skip
            releases.add_release(
                session,
                ReleaseRow(
                    release_id=f"rel_{uuid.uuid4().hex}",
                    story_id=story_id,
                    action="published",
                    revision=1,
                    version=1,
                    seq=10**9 + seq,
                    event=event.model_dump(mode="json"),
                    created_at=now,
                ),
            )

    producers = [EventProducer(stack.settings, "/newsroom/publish", TopicAdmin(stack.settings))
                 for _ in (0, 1)]  # fmt: skip
    workers = [OutboxWorker(ReleaseRows(p), p, batch=5) for p in producers]
    releases.transaction(add)
    later = utcnow() + timedelta(seconds=1)

    def drain(worker: OutboxWorker) -> None:
        while releases.RELEASE_ROWS.backlog(later):
            worker.send_due()

    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        for p in producers:
            p.close()
    wanted = set(story_ids)
    found = read_topic(
        stack.settings.kafka_bootstrap,
        stack.settings.topic(Topic.STORIES_PUBLISHED.value),
        lambda rs: wanted <= {r.key.decode() for r in rs},
        timeout=60,
    )
    counts = Counter(json.loads(r.value)["data"]["story_id"] for r in found
                     if r.key.decode() in wanted)  # fmt: skip
    assert set(counts) == wanted
    assert max(counts.values()) == 1


def test_two_verify_outboxes_send_each_change_once(stack: Stack) -> None:
    """Two more snapshot outboxes beside the running verify's: each change of a story
    goes out once (a version may be superseded before it is sent, never sent twice)."""
    with stack.client("ingest", "reporter") as ingest:
        story_id = submit(ingest).json()["story_id"]
    producers = [EventProducer(stack.settings, "/newsroom/verify", TopicAdmin(stack.settings))
                 for _ in (0, 1)]  # fmt: skip
    workers = [
        OutboxWorker(SnapshotRows(p, stack.settings.max_claims_per_revision), p, interval=0.1)
        for p in producers
    ]
    for worker in workers:
        worker.start()
    try:
        with stack.client("verify", "reviewer") as verify:
            claims = story_claims(verify, story_id)["claims"]
            for claim in claims * 2:
                path = f"/v1/claims/{claim['claim_id']}/lease"
                assert verify.post(path).status_code == 200
                assert verify.delete(path).status_code in (200, 204)
            final = story_claims(verify, story_id)
            version = int(verify.get(f"/v1/stories/{story_id}").headers["ETag"].strip('"'))
        assert final["claims"]

        def versions(records: list[Any]) -> list[int]:
            return [parse_event(r.value).payload().version for r in records]  # type: ignore[attr-defined]

        found = records_of(stack, Topic.STORIES_REVIEWED, story_id,
                           lambda rs: version in versions(rs))  # fmt: skip
    finally:
        for worker in workers:
            worker.stop()
        for p in producers:
            p.close()
    seen = Counter(versions(found))
    assert max(seen.values()) == 1, seen
    assert sorted(seen) == versions(found)  # one story's changes go out in order
