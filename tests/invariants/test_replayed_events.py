"""Every consumer takes a replayed event without harm (``newsroom dlq replay``).

Replay re-sends a DLQ record to its topic, where every consumer group reads it again, not
only the one that refused it (``stories.reviewed`` goes to publish and ingest). So each
event of a story that went through the session stack is put on its topic's DLQ, as a
consumer would, and replayed; once every group has committed past the copies, what
each service shows of the story is what it showed before, and nothing went to a DLQ.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from ingest.reports.repository import QueuedMark
from services.bus import EventProducer, TopicAdmin
from services.bus.dlq import REPLAYED_FROM, DeadLetters
from services.contracts import Topic, dlq_of
from tests.support.kafka import header, raw_produce, read_topic
from tests.support.reports import report, submit
from tests.support.servers import wait_for
from tests.support.stack import Stack

SECTION = "dlq-replay"
# The groups that read each topic in the session stack.
READERS = {
    Topic.REPORTS_SUBMITTED: ("verify",),
    Topic.REPORTS_RECEIVED: ("ingest",),
    Topic.STORIES_REVIEWED: ("publish", "ingest"),
}


def _views(stack: Stack, report_id: str, story_id: str) -> dict[str, Any]:
    with stack.client("ingest", "editor") as ingest:
        reported = ingest.get(f"/v1/reports/{report_id}").json()
    with stack.client("verify", "reviewer") as verify:
        story = verify.get(f"/v1/stories/{story_id}").json()
    with stack.client("publish", "editor") as publish:
        gate = publish.get(f"/v1/stories/{story_id}/gate")
    return {"report": reported, "story": story, "gate": (gate.status_code, gate.json())}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Each view's fields that differ, as (before, after): what a failure needs to say."""
    found: dict[str, Any] = {}
    for view, was in before.items():
        now = after[view]
        if isinstance(was, dict) and isinstance(now, dict):
            keys = sorted({*was, *now})
            found[view] = {k: (was.get(k), now.get(k)) for k in keys if was.get(k) != now.get(k)}
        elif was != now:
            found[view] = (was, now)
    return {view: diff for view, diff in found.items() if diff}


def _committed(stack: Stack, group: str, tp: TopicPartition) -> int:
    consumer = KafkaConsumer(
        bootstrap_servers=stack.settings.kafka_bootstrap, group_id=stack.settings.topic(group),
        enable_auto_commit=False, allow_auto_create_topics=False,
    )  # fmt: skip
    try:
        return consumer.committed(tp) or 0
    finally:
        consumer.close(autocommit=False)


def test_a_replayed_event_changes_nothing_any_consumer_shows(stack: Stack) -> None:
    settings = stack.settings
    with stack.client("ingest", "reporter") as client:
        answer = submit(client, report(section=SECTION)).json()
    report_id, story_id = answer["report_id"], answer["story_id"]

    def settled() -> dict[str, Any] | None:
        views = _views(stack, report_id, story_id)
        statuses = [e["status"] for e in views["report"]["timeline"]]
        ready = "in_review" in statuses and views["report"]["held"]
        # The relay stores ``queued`` marks at its next poll, later than the receipt sets
        # a stand-in (ingest/relay.py, MARKS_BATCH): until then the timeline's ``queued``
        # time still moves earlier by itself, whatever is replayed.
        ready = ready and QueuedMark._get_collection().count_documents({"_id": report_id}) == 1
        return views if ready and views["gate"][0] == 200 else None

    wait_for(settled, what="the story in every service")
    # The story's events as they are now (its first snapshot among them)...
    events = {}
    for topic in READERS:
        name = settings.topic(topic.value)
        ours = read_topic(
            settings.kafka_bootstrap, name,
            lambda records: any(r.key == story_id.encode() for r in records),
        )  # fmt: skip
        events[topic] = [r for r in ours if r.key == story_id.encode()]
    # ...then a newer snapshot: the claim list confirmed. A replayed older one must not
    # take the story back (the reporter's held lines, publish's row).
    with stack.client("verify", "reviewer") as verify:
        confirmed = verify.post(f"/v1/stories/{story_id}/claim-list/confirm", json={"revision": 1})
        assert confirmed.status_code == 200, confirmed.text

    def moved_on() -> dict[str, Any] | None:
        views = settled()
        if views is None:
            return None
        held = " ".join(views["report"]["held"])  # ingest's and publish's view of it
        unconfirmed = "claim_list_unconfirmed" in json.dumps(views["gate"])
        return views if "not yet checked" not in held and not unconfirmed else None

    before = wait_for(moved_on, what="the newer snapshot in every service")

    reason = f"drill_{uuid.uuid4().hex[:8]}"
    admin = TopicAdmin(settings)
    producer = EventProducer(settings, "/test/replay", admin)
    copies: dict[Topic, int] = {}
    try:
        for topic, records in events.items():
            name = settings.topic(topic.value)
            for record in records:  # as a consumer refuses it (ConsumerLoop.to_dlq)
                dead = [("dlq.reason", reason.encode()), ("dlq.topic", name.encode())]
                raw_produce(
                    settings.kafka_bootstrap, dlq_of(name), [record.value], record.key,
                    [*(record.headers or []), *dead],
                )  # fmt: skip
            letters = DeadLetters(settings, topic)
            try:
                result = letters.replay(producer, reason=reason)
            finally:
                letters.close()
            assert result.sent == len(records)
            copies[topic] = len(records)

        for topic, count in copies.items():
            name = settings.topic(topic.value)

            def copy(record: Any) -> bool:
                return header(record, REPLAYED_FROM) is not None and record.key == story_id.encode()

            on_topic = read_topic(
                settings.kafka_bootstrap, name, lambda rs, n=count: sum(map(copy, rs)) >= n
            )
            replayed = [r for r in on_topic if copy(r)]
            for record in replayed:
                tp = TopicPartition(name, record.partition)
                for group in READERS[topic]:
                    wait_for(
                        lambda g=group, tp=tp, o=record.offset: _committed(stack, g, tp) > o,
                        what=f"{group} past the replayed {topic.value}",
                    )
            # Nothing replayed went back to a DLQ (a consumer sends it there before it
            # commits past it).
            letters = DeadLetters(settings, topic)
            try:
                back = [d for d in letters.read() if d.replayed_from and d.key == story_id]
            finally:
                letters.close()
            assert back == []
    finally:
        producer.close()
        admin.close()

    after = _views(stack, report_id, story_id)
    assert after == before, _changes(before, after)
    statuses = [e["status"] for e in after["report"]["timeline"]]
    assert len(statuses) == len(set(statuses))  # no mark twice
