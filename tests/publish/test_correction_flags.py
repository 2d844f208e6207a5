"""Verify's ``ClaimFlagged`` through the real broker to a real publish process: a released
story carrying a claim found false elsewhere is marked ``needs_correction`` on the desk
with the reason and a link to the review, and subscribers are told by webhook. A story
never released, or released without that claim, is left alone; a repeat does nothing."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from services.contracts import ClaimFlagged, ReviewStatus, StoryReviewed, Topic, dlq_of
from tests.publish.builders import bump, cleared_story
from tests.publish.conftest import Solo
from tests.publish.test_webhooks import deliveries, release, subscribe
from tests.support.kafka import header, raw_produce, read_topic
from tests.support.servers import wait_for

REVIEW = "https://verify.example.org/ui/claims/"


def _flag(snapshot: StoryReviewed, claim_id: str, *, flag_id: str | None = None) -> ClaimFlagged:
    source = f"c-{uuid.uuid4().hex[:8]}"
    return ClaimFlagged(
        flag_id=flag_id or f"flag-{uuid.uuid4().hex}",
        story_id=snapshot.story_id,
        claim_id=claim_id,
        source_story_id=f"s-{uuid.uuid4().hex[:8]}",
        source_claim_id=source,
        status=ReviewStatus.FALSE,
        reason="The budget vote was not held on Monday",
        review_url=REVIEW + source,
        flagged_at=datetime.now(UTC),
    )


def _send(solo: Solo, flag: ClaimFlagged) -> None:
    solo.producer.send(solo.producer.message(Topic.STORIES_REVIEWED, flag, key=flag.story_id))


def _row(solo: Solo, story_id: str, section: str) -> dict[str, Any] | None:
    with solo.client("editor") as editor:
        page = editor.get("/v1/stories", params={"section": section}).json()
    return next((s for s in page["items"] if s["story_id"] == story_id), None)


def _settled(solo: Solo, snapshot: StoryReviewed) -> StoryReviewed:
    """A newer version of the story on the same key: once publish shows it, every event
    sent before it for that story has been handled."""
    later = solo.reviewed(bump(snapshot))
    solo.gate(later.story_id, later.version)
    return later


def test_a_released_story_carrying_the_claim_needs_correction_and_subscribers_hear(
    solo: Solo,
) -> None:
    section, path = solo.section(), f"/flag-{uuid.uuid4().hex[:6]}"
    subscription_id, _ = subscribe(solo, path, sections=[section], events=["needs_correction"])
    snapshot = release(solo, cleared_story(section=section))
    flag = _flag(snapshot, snapshot.claims[0].claim_id)
    _send(solo, flag)

    def flagged() -> dict[str, Any] | None:
        row = _row(solo, snapshot.story_id, section)
        return row if row and row["state"] == "needs_correction" else None

    row = wait_for(flagged, 30, what="the story marked needs_correction")
    assert row["needs_correction"] is True
    [shown] = row["correction_flags"]
    assert shown["claim_id"] == flag.claim_id
    assert shown["source_claim_id"] == flag.source_claim_id
    assert shown["status"] == "false"
    assert shown["review_url"] == flag.review_url
    assert any(flag.review_url in reason for reason in row["correction_reasons"])

    got = wait_for(lambda: solo.receiver.at(path), 15, what="the needs_correction webhook")
    assert got[0].headers["newsroom-event"] == "needs_correction"
    body = got[0].json["data"]
    assert body["action"] == "needs_correction"
    assert body["story_id"] == snapshot.story_id
    # Subscribers hear of the released claim alone: the other story may be unreleased,
    # and the link is the reviewers' console.
    claim_text = snapshot.claims[0].text
    assert body["reason"] == (
        f"Claim '{claim_text}' makes the same assertion as a claim another review has "
        "since found false"
    )
    assert body["review_url"] is None
    sent = got[0].body.decode()
    for internal in (flag.source_story_id, flag.source_claim_id, flag.review_url, flag.reason):
        assert internal not in sent, internal

    _send(solo, flag)  # the same flag again: nothing new
    _settled(solo, snapshot)
    assert len(deliveries(solo, subscription_id)) == 1
    row = _row(solo, snapshot.story_id, section)
    assert row is not None
    assert len(row["correction_flags"]) == 1
    assert row["state"] == "needs_correction"  # a newer snapshot keeps the flag


def test_a_correction_clears_the_flag(solo: Solo) -> None:
    section = solo.section()
    snapshot = release(solo, cleared_story(section=section))
    _send(solo, _flag(snapshot, snapshot.claims[0].claim_id))
    wait_for(lambda: (_row(solo, snapshot.story_id, section) or {}).get("needs_correction"), 30)
    revision = snapshot.revision + 1
    corrected = solo.reviewed(
        bump(snapshot, revision=revision, claim_list_confirmed_revision=revision)
    )
    solo.gate(corrected.story_id, corrected.version)
    with solo.client("editor") as editor:
        answer = editor.post(
            f"/v1/stories/{snapshot.story_id}/publish", json={"correction": "Vote date fixed"}
        )
    assert answer.status_code == 200, answer.text
    row = _row(solo, snapshot.story_id, section)
    assert row is not None
    assert row["state"] == "published"
    assert row["correction_flags"] == []


def test_a_story_not_released_or_released_without_the_claim_is_left_alone(solo: Solo) -> None:
    section, path = solo.section(), f"/noflag-{uuid.uuid4().hex[:6]}"
    subscription_id, _ = subscribe(solo, path, sections=[section])
    held = solo.reviewed(cleared_story(section=section))
    solo.gate(held.story_id, held.version)
    _send(solo, _flag(held, held.claims[0].claim_id))
    released = release(solo, cleared_story(section=section))
    _send(solo, _flag(released, "claim-not-in-the-release"))
    _settled(solo, held)
    _settled(solo, released)
    for story in (held, released):
        row = _row(solo, story.story_id, section)
        assert row is not None
        assert row["needs_correction"] is False
        assert row["correction_flags"] == []
    assert [d["event"] for d in deliveries(solo, subscription_id)] == ["published"]


def test_a_flag_with_a_link_readers_cannot_follow_goes_to_the_dlq(solo: Solo) -> None:
    section = solo.section()
    snapshot = release(solo, cleared_story(section=section))
    flag = _flag(snapshot, snapshot.claims[0].claim_id)
    value = json.loads(solo.producer.message(Topic.STORIES_REVIEWED, flag, key=flag.story_id).value)
    value["data"]["review_url"] = "javascript:alert(1)//"
    poisoned = json.dumps(value).encode()
    value["data"]["review_url"], value["data"]["reason"] = flag.review_url, "bad\u202ereason"
    bidi = json.dumps(value).encode()
    topic = solo.settings.topic(Topic.STORIES_REVIEWED)
    key = snapshot.story_id.encode()
    raw_produce(solo.settings.kafka_bootstrap, topic, [poisoned, bidi], key=key)
    _settled(solo, snapshot)
    row = _row(solo, snapshot.story_id, section)
    assert row is not None
    assert row["needs_correction"] is False

    def mine(records: list) -> list:  # type: ignore[type-arg]
        return [r for r in records if r.key == key]

    dead = mine(
        read_topic(solo.settings.kafka_bootstrap, dlq_of(topic), lambda r: len(mine(r)) >= 2)
    )
    assert [header(r, "dlq.reason") for r in dead] == ["text_policy", "text_policy"]
