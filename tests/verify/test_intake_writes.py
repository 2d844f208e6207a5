"""What storing a new story costs the store, and who sends its first snapshot.

A new claim carries its own "created" audit entry (one document, not two), and the
consumer that stores a new story sends its first snapshot with the receipt: the story's
outbox row falls due only after ``repository.HANDOFF``, so the outbox does not read the
story back, yet a snapshot the consumer never sent (a crash) still goes out.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from services.bus import EventProducer, TopicAdmin
from services.clock import utcnow
from services.contracts import Topic
from services.outbox import OutboxWorker
from tests.support.kafka import read_topic
from tests.support.servers import wait_for
from tests.verify.support import Newsroom
from verify.outbox import SnapshotRows
from verify.stories import intake, repository
from verify.stories.analysis import analyse_report
from verify.stories.documents import Claim, ClaimAudit


def _story_row(story_id: str) -> dict[str, Any]:
    row: dict[str, Any] = repository.SNAPSHOT_ROWS._rows().find_one({"story_id": story_id})
    return row


def _store_directly(newsroom: Newsroom, count: int) -> list[str]:
    """Store ``count`` new stories as the consumer's round does, without the consumer
    (so nobody sends their first snapshots); their story ids."""
    reports = [newsroom.report() for _ in range(count)]
    analysed = [(r, analyse_report(r.body, r.claims, 100, r.headline)) for r in reports]
    stored = intake.store_new_stories(analysed, utcnow())
    assert set(stored) == {r.report_id for r in reports}
    return [r.story_id for r in reports]


def test_new_claims_carry_their_created_entry(newsroom: Newsroom) -> None:
    report = newsroom.submit(newsroom.report())
    story = newsroom.wait_story(report.story_id)
    claim_ids = [c["claim_id"] for c in story["claims"]]
    assert claim_ids
    audit = ClaimAudit._get_collection()
    assert audit.count_documents({"claim_id": {"$in": claim_ids}}) == 0  # no second document
    with newsroom.reviewer() as client:
        for claim_id in claim_ids:
            [created] = client.get(f"/v1/claims/{claim_id}/history").json()["entries"]
            assert created["action"] == "created"
            assert created["seq"] == 1
            assert created["actor"]["role"] == "reporter"
            assert created["after"]["status"] == "pending"
        # A later change is in the audit collection, after the created entry.
        first = story["claims"][0]
        assert client.post(f"/v1/claims/{first['claim_id']}/lease").status_code == 200
        entries = client.get(f"/v1/claims/{first['claim_id']}/history").json()["entries"]
    assert [(e["seq"], e["action"]) for e in entries] == [(1, "created"), (2, "leased")]
    assert "created_audit" in Claim._get_collection().find_one({"claim_id": first["claim_id"]})


def test_the_consumer_sends_a_new_storys_first_snapshot_and_marks_it_sent(
    newsroom: Newsroom,
) -> None:
    report = newsroom.submit(newsroom.report())
    newsroom.receipts(report)
    found = read_topic(
        newsroom.settings.kafka_bootstrap,
        newsroom.settings.topic(Topic.STORIES_REVIEWED),
        lambda rs: any(r.key == report.story_id.encode() for r in rs),
    )
    [snapshot] = [json.loads(r.value)["data"] for r in found if r.key == report.story_id.encode()]
    assert snapshot["version"] == 1
    assert snapshot["claims"]

    def marked() -> bool:
        outbox = _story_row(report.story_id)["outbox"]
        return "due" not in outbox and outbox.get("sent_version") == 1

    wait_for(marked, 30, what="the first snapshot's row marked sent")
    row = _story_row(report.story_id)
    assert row["outbox"]["full"] is False
    # By the consumer: before the row fell due for the outbox (which then sends it, late).
    assert row["outbox"]["sent_at"] < row["created_at"] + repository.HANDOFF


def test_a_first_snapshot_nobody_sent_goes_out_after_the_handoff(newsroom: Newsroom) -> None:
    [story_id] = _store_directly(newsroom, 1)
    row = _story_row(story_id)
    # Not due yet, left to the consumer: due a whole HANDOFF after it was stored (read from
    # the row, not against this test's clock, which a loaded machine may have moved on).
    assert row["outbox"]["due"] == row["created_at"] + repository.HANDOFF
    producer = EventProducer(newsroom.settings, "/newsroom/verify", TopicAdmin(newsroom.settings))
    later = OutboxWorker(
        SnapshotRows(producer, newsroom.settings.max_claims_per_revision),
        producer,
        clock=lambda: utcnow() + repository.HANDOFF + timedelta(seconds=1),
    )
    try:
        while later.send_due():
            pass
    finally:
        producer.close()
    found = read_topic(
        newsroom.settings.kafka_bootstrap,
        newsroom.settings.topic(Topic.STORIES_REVIEWED),
        lambda rs: any(r.key == story_id.encode() for r in rs),
    )
    versions = [json.loads(r.value)["data"]["version"] for r in found if r.key == story_id.encode()]
    assert versions == [1]
    assert "due" not in _story_row(story_id)["outbox"]


def test_marking_a_handed_off_snapshot_leaves_a_changed_story_due(newsroom: Newsroom) -> None:
    kept, changed = _store_directly(newsroom, 2)
    # Version 2 of one of them before the mark (as a change that has not woken the outbox).
    repository.SNAPSHOT_ROWS._rows().update_one({"story_id": changed}, {"$inc": {"version": 1}})
    also = {"outbox.full": False, "outbox.content_version": 1}
    repository.snapshots_handed_off([(kept, 1, also), (changed, 1, also)], utcnow())
    kept_row, changed_row = _story_row(kept)["outbox"], _story_row(changed)["outbox"]
    assert "due" not in kept_row
    assert (kept_row["sent_version"], kept_row["full"]) == (1, False)
    assert "due" in changed_row  # still to send, whole
    assert "sent_version" not in changed_row
    assert changed_row["full"] is True
