"""Poison on every topic: each goes to the topic's DLQ with its reason, and the next good
message behind it is processed."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from services.contracts import (
    Attribution,
    ClaimSnapshot,
    CloudEvent,
    ObtainedVia,
    ReportReceived,
    ReportSubmitted,
    ReviewStatus,
    SourceKind,
    StoryPublished,
    StoryReviewed,
    Topic,
    dlq_of,
)
from services.runtime import Runtime
from tests.support.kafka import header, raw_produce, read_topic
from tests.support.reports import submit
from tests.support.servers import wait_for
from tests.support.stack import Stack


def poisons() -> dict[str, bytes]:
    envelope = {
        "specversion": "1.0", "id": uuid.uuid4().hex, "source": "/test", "type": "", "data": {},
        "datacontenttype": "application/json", "time": datetime.now(UTC).isoformat(),
    }  # fmt: skip
    return {
        "not_json": b"\x00\xff this is not json",
        "unsupported_schema_version": json.dumps(
            {**envelope, "type": "org.newsroom.report.received", "schemaversion": 99}
        ).encode(),
        "unknown_type": json.dumps({**envelope, "type": "org.example.unknown"}).encode(),
        "invalid_data": json.dumps(
            {**envelope, "type": "org.newsroom.report.received", "data": {"report_id": 1}}
        ).encode(),
        # 1 MB of garbage: still a bad message, never a stuck partition
        "garbage_1mb": os.urandom(1024 * 1024),
    }


REASON_OF = {
    "not_json": "not_json",
    "unsupported_schema_version": "unsupported_schema_version",
    "unknown_type": "unknown_type",
    "invalid_data": "invalid_data",
    "garbage_1mb": "not_json",
}


def _submitted_report(stack: Stack) -> tuple[str, str]:
    with stack.client("ingest", "reporter") as client:
        answer = submit(client).json()
    return answer["report_id"], answer["story_id"]


def _report_status(stack: Stack, report_id: str) -> list[str]:
    with stack.client("ingest", "editor") as client:
        return [e["status"] for e in client.get(f"/v1/reports/{report_id}").json()["timeline"]]


def good_receipt(stack: Stack) -> tuple[ReportReceived, Callable[[], bool]]:
    report_id, story_id = _submitted_report(stack)
    event = ReportReceived(
        report_id=report_id, story_id=story_id, revision=1, claims=1, received_at=datetime.now(UTC)
    )
    return event, lambda: "in_review" in _report_status(stack, report_id)


def good_publication(stack: Stack) -> tuple[StoryPublished, Callable[[], bool]]:
    report_id, story_id = _submitted_report(stack)
    event = StoryPublished(
        story_id=story_id,
        revision=1,
        version=1,
        report_id=report_id,
        action="published",
        url="http://example.test/s",
        at=datetime.now(UTC),
    )
    return event, lambda: "published" in _report_status(stack, report_id)


def good_report(stack: Stack) -> tuple[ReportSubmitted, Callable[[], bool]]:
    story_id = f"s_{uuid.uuid4().hex}"
    event = ReportSubmitted(
        report_id=f"r_{uuid.uuid4().hex}", story_id=story_id, revision=1, reporter_id="u_poison",
        byline="Poison Test", headline="Bridge reopens",
        body="The bridge reopened on Tuesday, the transport ministry said.", section="local",
        accepted_at=datetime.now(UTC),
    )  # fmt: skip

    def stored() -> bool:
        with stack.client("verify", "editor") as client:
            return client.get(f"/v1/stories/{story_id}").status_code == 200

    return event, stored


def good_snapshot(stack: Stack) -> tuple[StoryReviewed, Callable[[], bool]]:
    report_id, story_id = _submitted_report(stack)
    event = StoryReviewed(
        story_id=story_id, version=1, revision=1, report_id=report_id, reporter_id="u_poison",
        byline="Poison Test", headline="Bridge reopens", body="The bridge reopened.",
        section="local", publish_when_cleared=False, cleared=True, claims=[],
        updated_at=datetime.now(UTC),
    )  # fmt: skip
    return event, lambda: "cleared" in _report_status(stack, report_id)


GOOD: dict[Topic, Callable[[Stack], tuple[object, Callable[[], bool]]]] = {
    Topic.REPORTS_SUBMITTED: good_report,
    Topic.REPORTS_LARGE: good_report,
    Topic.REPORTS_RECEIVED: good_receipt,
    Topic.STORIES_REVIEWED: good_snapshot,
    Topic.STORIES_PUBLISHED: good_publication,
}


@pytest.mark.parametrize("topic", list(Topic), ids=[t.value for t in Topic])
def test_poison_goes_to_the_dlq_and_the_next_good_message_is_processed(
    stack: Stack, topic: Topic
) -> None:
    physical = stack.settings.topic(topic)
    batch = poisons()
    marker = uuid.uuid4().hex.encode()
    good, processed = GOOD[topic](stack)
    runtime = Runtime(stack.settings, "poisoner")
    try:
        message = runtime.producer.message(topic, good, key="poison")  # type: ignore[arg-type]
        event = CloudEvent.model_validate_json(message.value)
        assert event.type  # the good one really is a valid event
        values = [marker + b"|" + v if n == "not_json" else v for n, v in batch.items()]
        raw_produce(
            stack.settings.kafka_bootstrap, physical, [*values, message.value], key=b"poison"
        )
        wait_for(processed, timeout=60, what=f"the good message on {topic} to be processed")
    finally:
        runtime.close()

    def all_poison_dead(records: list[object]) -> bool:
        reasons = {header(r, "dlq.reason") for r in records if header(r, "dlq.topic") == physical}
        mine = [r for r in records if header(r, "dlq.topic") == physical]
        return (
            set(REASON_OF.values()) <= reasons
            and any(getattr(r, "value", b"").startswith(marker) for r in mine)
            and any(header(r, "dlq.truncated") for r in mine)
        )

    dead = read_topic(stack.settings.kafka_bootstrap, dlq_of(physical), all_poison_dead, timeout=60)
    mine = [r for r in dead if r.value.startswith(marker)]
    assert header(mine[0], "dlq.reason") == "not_json"
    assert header(mine[0], "dlq.detail")
    big = [r for r in dead if header(r, "dlq.truncated") and header(r, "dlq.topic") == physical]
    assert big
    assert int(header(big[0], "dlq.truncated") or 0) == 1024 * 1024


# --- text that breaks the policy, in an event that is otherwise valid ------------------------

BIDI, NONCHAR, BEL = "\u202e", "\uffff", "\x07"


def _snapshot(report_id: str, story_id: str, **text: str) -> StoryReviewed:
    fields = {"byline": "Poison Test", "headline": "Bridge reopens", "body": "The bridge reopened.",
              "section": "local"} | text  # fmt: skip
    return StoryReviewed(
        story_id=story_id, version=1, revision=1, report_id=report_id, reporter_id="u_poison",
        publish_when_cleared=False, cleared=True, claims=[], updated_at=datetime.now(UTC),
        **fields,
    )  # fmt: skip


def bad_reports(stack: Stack) -> tuple[list[object], Callable[[], bool]]:
    """Reports whose headline or body breaks the policy: verify must store none of them."""
    events = []
    for text in ({"headline": f"Bridge {BIDI}reopens"}, {"headline": f"Bridge reopens{NONCHAR}"},
                 {"body": f"The bridge reopened.{BEL}"}):  # fmt: skip
        good, _ = good_report(stack)
        events.append(good.model_copy(update=text))

    def none_stored() -> bool:
        with stack.client("verify", "editor") as client:
            codes = {client.get(f"/v1/stories/{e.story_id}").status_code for e in events}
        return codes == {404}

    return events, none_stored


def bad_snapshots(stack: Stack) -> tuple[list[object], Callable[[], bool]]:
    """Snapshots of a real story, cleared, whose text breaks the policy: its report must not
    become ``cleared`` from any of them."""
    report_id, story_id = _submitted_report(stack)
    quoted = ClaimSnapshot(
        claim_id="c_poison", text="The bridge reopened.", start=0, end=20, contested=False,
        contest_signals=[], status=ReviewStatus.VERIFIED, version=1, detected_attributions=[],
        attributions=[Attribution(source_name="Ministry", source_kind=SourceKind.ORGANISATION,
                                  obtained_via=ObtainedVia.STATEMENT, quote=f"Open{BEL}")],
        context_start=0, context_end=20,
    )  # fmt: skip
    events = [
        _snapshot(report_id, story_id, headline=f"Bridge {BIDI}reopens"),
        _snapshot(report_id, story_id, headline=f"Bridge reopens{NONCHAR}"),
        _snapshot(report_id, story_id).model_copy(update={"claims": [quoted]}),
    ]
    return events, lambda: "cleared" not in _report_status(stack, report_id)


def bad_publications(stack: Stack) -> tuple[list[object], Callable[[], bool]]:
    good, _ = good_publication(stack)
    event = good.model_copy(update={"reason": f"Released {BIDI}today"})
    return [event], lambda: "published" not in _report_status(stack, good.report_id)


BAD_TEXT: dict[Topic, Callable[[Stack], tuple[list[object], Callable[[], bool]]]] = {
    Topic.REPORTS_SUBMITTED: bad_reports,
    Topic.STORIES_REVIEWED: bad_snapshots,
    Topic.STORIES_PUBLISHED: bad_publications,
}


@pytest.mark.parametrize("topic", list(BAD_TEXT), ids=[t.value for t in BAD_TEXT])
def test_event_text_that_breaks_the_policy_goes_to_the_dlq_and_changes_nothing(
    stack: Stack, topic: Topic
) -> None:
    """An event valid in every other way, with a bidi override, a noncharacter or a control
    character in a text field: to the DLQ (reason ``text_policy``, the field and the rule
    in its detail), nothing stored from it, and the good message behind it processed."""
    physical = stack.settings.topic(topic)
    bad, unchanged = BAD_TEXT[topic](stack)
    good, processed = GOOD[topic](stack)
    runtime = Runtime(stack.settings, "poisoner")
    try:
        values = [
            runtime.producer.message(topic, e, key="poison").value  # type: ignore[arg-type]
            for e in [*bad, good]
        ]
        raw_produce(stack.settings.kafka_bootstrap, physical, values, key=b"poison")
        wait_for(processed, timeout=60, what=f"the good message on {topic} to be processed")
    finally:
        runtime.close()
    ids = [CloudEvent.model_validate_json(v).id for v in values[:-1]]

    def all_refused(records: list[object]) -> bool:
        refused = {json.loads(getattr(r, "value", b"{}"))["id"] for r in records
                   if header(r, "dlq.reason") == "text_policy"}  # fmt: skip
        return set(ids) <= refused

    dead = read_topic(stack.settings.kafka_bootstrap, dlq_of(physical), all_refused, timeout=60)
    details = [
        header(r, "dlq.detail") or "" for r in dead if header(r, "dlq.reason") == "text_policy"
    ]
    assert any("U+202E" in d for d in details), details
    assert unchanged(), f"a refused event on {topic} changed something"
