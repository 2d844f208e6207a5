"""reports.submitted into revisions: receipts, exactly once, declared claims, order, poison."""

from __future__ import annotations

import json
import uuid

from services.contracts import DeclaredClaim, Topic, dlq_of
from services.log import traceparent_of
from tests.support.kafka import header, raw_produce, read_topic
from tests.support.logs import captured
from tests.verify.support import BODY, Newsroom, whole_queue


def test_a_report_becomes_a_revision_with_its_claims_and_a_receipt(newsroom: Newsroom) -> None:
    report = newsroom.submit(
        newsroom.report(
            claims=[
                DeclaredClaim(text="The vote was 21 to 9.", contested=True, sources=["the clerk"])
            ]
        )
    )
    snapshot = newsroom.wait_story(report.story_id)
    [receipt] = newsroom.receipts(report)
    assert receipt["story_id"] == report.story_id
    assert receipt["revision"] == 1
    assert receipt["duplicate"] is False
    assert receipt["claims"] == len(snapshot["claims"]) == 3

    assert snapshot["revision"] == 1
    assert snapshot["report_id"] == report.report_id
    assert snapshot["body"] == BODY
    assert snapshot["cleared"] is False
    for claim in snapshot["claims"]:
        assert BODY[claim["start"] : claim["end"]] == claim["text"]
        assert claim["status"] == "pending"
        assert claim["version"] == 1

    budget = newsroom.claim_with(snapshot, "approved a budget")
    assert budget["origin"] == "detected"
    assert budget["contested"] is False
    assert ["mayor" in a["source"] for a in budget["detected_attributions"]] == [True]

    opposition = newsroom.claim_with(snapshot, "figures were inflated")
    assert opposition["contested"] is True
    assert {s["kind"] for s in opposition["contest_signals"]} >= {"allegation", "denial"}

    # The declared claim replaces the detected one on the same span, with the reporter's flag.
    [vote] = [c for c in snapshot["claims"] if "21 to 9" in c["text"]]
    assert vote["origin"] == "declared"
    assert vote["contested"] is True
    assert [s["kind"] for s in vote["contest_signals"]] == ["reporter_flag"]


def test_a_report_seen_twice_makes_one_revision_and_two_receipts(newsroom: Newsroom) -> None:
    report = newsroom.report()
    newsroom.submit(report)
    first = newsroom.wait_story(report.story_id)
    newsroom.submit(report)

    receipts = newsroom.receipts(report, count=2)
    assert [r["duplicate"] for r in receipts] == [False, True]
    assert {r["revision"] for r in receipts} == {1}
    assert {r["claims"] for r in receipts} == {3}

    again = newsroom.wait_story(report.story_id)
    assert again["version"] == first["version"]
    assert [c["claim_id"] for c in again["claims"]] == [c["claim_id"] for c in first["claims"]]
    with newsroom.reviewer() as client:
        claim_id = first["claims"][0]["claim_id"]
        entries = client.get(f"/v1/claims/{claim_id}/history").json()["entries"]
        assert [e["action"] for e in entries] == ["created"]
        queue = whole_queue(client)
        mine = [c for c in queue if c["story_id"] == report.story_id]
        assert len(mine) == 3


def test_a_late_older_revision_is_received_once_and_its_claims_closed(
    newsroom: Newsroom,
) -> None:
    second = newsroom.report(revision=2, body="The vote was 22 to 8.", claims=[])
    newsroom.submit(second)
    newsroom.wait_story(second.story_id)
    first = newsroom.submit(newsroom.report(story_id=second.story_id, revision=1))
    [receipt] = newsroom.receipts(first)
    assert receipt["duplicate"] is False
    assert receipt["revision"] == 1
    assert receipt["claims"] == 3

    snapshot = newsroom.wait_story(second.story_id)
    assert snapshot["revision"] == 2
    assert snapshot["report_id"] == second.report_id
    assert [c["text"] for c in snapshot["claims"]] == ["The vote was 22 to 8."]
    with newsroom.reviewer() as client:
        queue = whole_queue(client)
        assert [c["revision"] for c in queue if c["story_id"] == second.story_id] == [2]


def test_report_received_carries_its_messages_trace_for_a_new_story_and_a_revision(
    newsroom: Newsroom,
) -> None:
    """A new story is stored by the round's one write, where no message is bound to the
    log context: its ``report_received`` line had no trace, topic or event id, while a
    revision's (stored alone, under the loop's rules) had them."""
    first = newsroom.report()
    second = newsroom.report(story_id=first.story_id, revision=2, body=BODY + " More.")
    traces = {first.report_id: uuid.uuid4().hex, second.report_id: uuid.uuid4().hex}
    ids = {}
    with captured() as logs:
        for report in (first, second):
            trace = traces[report.report_id]
            message = newsroom.producer.message(
                Topic.REPORTS_SUBMITTED, report, key=report.story_id, trace_id=trace
            )
            ids[report.report_id] = json.loads(message.value)["id"]
            newsroom.producer.send(message)
            newsroom.wait_story(report.story_id, lambda s, r=report: s["revision"] == r.revision)
        logs.wait("report_received", report_id=second.report_id)
    for report in (first, second):
        [line] = logs.lines("report_received", report_id=report.report_id)
        assert line["trace_id"] == traces[report.report_id]
        assert line["event_id"] == ids[report.report_id]
        assert line["event_type"] == "org.newsroom.report.submitted"
        assert line["topic"] == Topic.REPORTS_SUBMITTED.value


def test_a_poison_report_goes_to_the_dlq_and_the_next_one_is_processed(
    newsroom: Newsroom,
) -> None:
    settings = newsroom.settings
    topic = settings.topic(Topic.REPORTS_SUBMITTED)
    good = newsroom.report()
    message = newsroom.producer.message(Topic.REPORTS_SUBMITTED, good, key=good.story_id)
    envelope = json.loads(message.value)
    not_in_body = {**envelope, "data": {**envelope["data"], "story_id": good.story_id}}
    not_in_body["data"]["claims"] = [{"text": "Nobody wrote this.", "contested": False}]
    not_in_body["data"]["report_id"] = "r_poison_" + good.report_id
    poison = [b"{not json", json.dumps(not_in_body).encode(), message.value]
    trace = uuid.uuid4().hex
    with captured() as logs:
        raw_produce(
            settings.kafka_bootstrap, topic, poison, key=good.story_id.encode(),
            headers=[("traceparent", traceparent_of(trace).encode())],
        )  # fmt: skip
        snapshot = newsroom.wait_story(good.story_id)
        assert snapshot["report_id"] == good.report_id
        lines = logs.wait("message_dead_lettered", 2, trace_id=trace)
    # Each names the message, whichever way it went: undecodable (the batch loop's own
    # path) or refused while it was handled.
    assert {line["reason"] for line in lines} == {"not_json", "declared_claim_not_in_body"}
    for line in lines:
        assert line["topic"] == Topic.REPORTS_SUBMITTED.value
        assert isinstance(line["partition"], int)
        assert isinstance(line["offset"], int)

    def reasons(records: list) -> set[str | None]:  # type: ignore[type-arg]
        return {header(r, "dlq.reason") for r in records if r.key == good.story_id.encode()}

    dead = read_topic(
        settings.kafka_bootstrap,
        dlq_of(topic),
        lambda records: {"not_json", "declared_claim_not_in_body"} <= reasons(records),
    )
    assert {"not_json", "declared_claim_not_in_body"} <= reasons(dead)
