"""A story too large for an event (verify/README.md, "Snapshots too large for an event"):
the snapshot outbox judges it from its claims as the publish rule reads them, without
building the whole snapshot only to learn that it does not fit; publish reads it in the
desk view, without detection's findings; and the story's next revision, right behind the
large write, is planned from the claims that write left, not from a second read of them."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

import pytest

from services.bus import EventProducer, TopicAdmin
from services.clock import utcnow
from services.contracts import StoryChanged, StoryReviewed, parse_event
from tests.verify.support import Newsroom, review
from tests.verify.test_lane_writes import large, verify_db
from verify import outbox
from verify.outbox import SnapshotRows
from verify.stories import intake, unit_of_work
from verify.stories import snapshot as snapshots
from verify.stories.analysis import Analysis, analyse_report
from verify.stories.records import ClaimWrite
from verify.stories.repository import claims as claim_queries
from verify.stories.snapshot import View, current_snapshot

DETECTION = ("contest_signals", "detected_attributions", "hedges")


def in_this_thread(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, seen: list[Any]
) -> None:
    """Note each call of ``module.name`` made by this test's thread (the session's verify
    runs its outbox in other threads) with its first argument, and let it run."""
    original: Callable[..., Any] = getattr(module, name)
    this_thread = threading.get_ident()

    def spy(first: Any, *args: Any, **kwargs: Any) -> Any:
        if threading.get_ident() == this_thread:
            seen.append(first)
        return original(first, *args, **kwargs)

    monkeypatch.setattr(module, name, spy)


def outbox_row(newsroom: Newsroom, story_id: str) -> dict[str, Any]:
    """The story's row as the snapshot outbox claims it."""
    projection = dict(SnapshotRows.projection or {})
    row = verify_db(newsroom).stories.find_one({"story_id": story_id}, projection)
    assert row is not None
    # As a change of its content leaves it (not only of its leases): due whole.
    return {**row, "outbox": {**row.get("outbox", {}), "full": True}}


def test_a_story_too_large_for_an_event_is_judged_without_building_its_snapshot(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    report, analysis = large(newsroom)
    intake.store_large_report(report, analysis, utcnow())
    small = newsroom.submit(newsroom.report())
    whole_before = newsroom.wait_story(report.story_id)
    newsroom.wait_story(small.story_id)
    # Reviews of every kind the rule weighs, so that ``held`` has several reasons and one
    # contested claim passes only by its attribution record (read without quote or link).
    first, second, third, fourth = whole_before["claims"][:4]
    passing = {
        "source_name": "Police",
        "source_kind": "organisation",
        "obtained_via": "statement",
        "quote": "They were counted.",
        "url": "https://example.org/statement",
    }
    with newsroom.reviewer() as client:
        assert review(client, first, "false").status_code == 200
        assert review(client, second, "contested").status_code == 200
        assert review(client, third, "contested", attributions=[passing]).status_code == 200
        assert review(client, fourth, "verified").status_code == 200
    whole = current_snapshot(report.story_id, utcnow())
    assert whole is not None
    assert len(whole.held) >= 3  # pending, false, no attribution: each its own line
    ordinary = current_snapshot(small.story_id, utcnow())
    assert ordinary is not None

    # Too large: anything over a quarter of this story's event, yet far over a small one's.
    limit = len(whole.model_dump_json(exclude_none=True)) // 4
    assert limit > 8 * len(ordinary.model_dump_json(exclude_none=True))
    monkeypatch.setattr(outbox, "INLINE_SNAPSHOT_BYTES", limit)
    built: list[Any] = []
    read: list[dict[str, Any]] = []
    in_this_thread(monkeypatch, snapshots, "claim_snapshot", built)
    in_this_thread(monkeypatch, claim_queries, "record_of", read)
    producer = EventProducer(newsroom.settings, "/newsroom/verify", TopicAdmin(newsroom.settings))
    try:
        rows = SnapshotRows(producer, newsroom.settings.max_claims_per_revision)
        big_row, small_row = (
            outbox_row(newsroom, report.story_id),
            outbox_row(newsroom, small.story_id),
        )
        rendered = rows.render([big_row, small_row])
    finally:
        producer.close()

    big_out, small_out = rendered
    assert big_out.message is not None
    assert small_out.message is not None
    changed = parse_event(big_out.message.value).payload()
    assert isinstance(changed, StoryChanged)
    assert changed.reason == "too_large"
    assert (changed.version, changed.revision) == (whole.version, whole.revision)
    # Judged as the whole snapshot is judged: the same verdict, the same lines.
    assert (changed.cleared, changed.held) == (whole.cleared, whole.held)
    # Its claims were read without text or detection, and none was built whole ...
    mine = [d for d in read if d["story_id"] == report.story_id]
    assert len(mine) == len(whole.claims)
    assert not any(key in d for d in mine for key in ("text", "norm", *DETECTION))
    assert all("quote" not in a and "url" not in a for d in mine for a in d["attributions"])
    built_ids = {c.claim_id for c in built}
    assert not built_ids & {c.claim_id for c in whole.claims}
    # ... while the small story went whole, as before.
    inline = parse_event(small_out.message.value).payload()
    assert isinstance(inline, StoryReviewed)
    assert inline.model_dump(exclude={"updated_at"}) == ordinary.model_dump(exclude={"updated_at"})


def test_the_desk_view_leaves_out_only_detections_findings(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = newsroom.submit(newsroom.report())
    newsroom.wait_story(story.story_id)
    whole = current_snapshot(story.story_id, utcnow())
    assert whole is not None
    assert any(c.detected_attributions for c in whole.claims)  # something to leave out
    read: list[dict[str, Any]] = []
    in_this_thread(monkeypatch, claim_queries, "record_of", read)
    desk = current_snapshot(story.story_id, utcnow(), View.DESK)
    assert desk is not None
    assert read
    assert not any(key in d for d in read for key in DETECTION)
    blank = {key: [] for key in DETECTION}
    expected = whole.model_copy(
        update={"claims": [c.model_copy(update=blank) for c in whole.claims]}
    )
    assert desk == expected

    # Over HTTP: its own tag, and a view that does not exist is a problem answer.
    with newsroom.reviewer("editor") as client:
        answer = client.get(f"/v1/stories/{story.story_id}", params={"view": "desk"})
        assert answer.status_code == 200
        assert answer.headers["ETag"] == f'"{whole.version}-desk"'
        assert all(c["detected_attributions"] == [] for c in answer.json()["claims"])
        plain = client.get(f"/v1/stories/{story.story_id}")
        assert plain.headers["ETag"] == f'"{whole.version}"'
        assert any(c["detected_attributions"] for c in plain.json()["claims"])


def test_the_revision_right_behind_a_large_write_is_planned_from_what_it_wrote(
    newsroom: Newsroom, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stored as the large lane stores (``intake.REMEMBERED``), without its rests between
    # slices (tested apart) and with a few claims: long transactions here would only meet
    # the session verify's outbox writes to the story. What is kept is the same.
    report = newsroom.report(claims=[])

    def store(revision: int, headline: str) -> None:
        report_id = f"{report.report_id}-{revision}"
        update = {"revision": revision, "headline": headline, "report_id": report_id}
        revised = report.model_copy(update=update)
        found = analyse_report(revised.body, revised.claims, 1000, revised.headline)
        assert isinstance(found, Analysis)
        intake.store_report(revised, found, utcnow(), intake.REMEMBERED)

    store(1, report.headline)
    reads: list[Any] = []
    in_this_thread(monkeypatch, unit_of_work, "open_claims", reads)

    # Revision 2 keeps every claim (a new headline only): planned without reading them again.
    store(2, "Council approves budget, updated")
    assert reads == []
    db = verify_db(newsroom)
    current = {"story_id": report.story_id, "open": True}
    assert db.claims.count_documents({**current, "revision": 2}) == analysis_count(
        newsroom, report.story_id
    )
    carried = db.claims.find_one({**current, "revision": 2})
    assert carried is not None

    # A reviewer's change since (a new story version): the next plan reads them again,
    # and carries that review.
    claim = claim_queries.get_claim(carried["claim_id"])
    assert claim is not None
    verified = dataclasses.replace(claim, status="verified", version=claim.version + 1)
    write = ClaimWrite(verified, claim, "reviewed")
    unit_of_work.commit_claims(report.story_id, [write], unit_of_work.SYSTEM, utcnow())
    store(3, "Council approves budget, final")
    assert reads == [report.story_id]
    after = db.claims.find_one({**current, "claim_id": claim.claim_id})
    assert after is not None
    assert (after["revision"], after["status"]) == (3, "verified")


def analysis_count(newsroom: Newsroom, story_id: str) -> int:
    """The claims of the story's current revision, as its revision record counts them."""
    story = verify_db(newsroom).stories.find_one({"story_id": story_id})
    assert story is not None
    found = verify_db(newsroom).revisions.find_one(
        {"story_id": story_id, "revision": story["revision"]}
    )
    assert found is not None
    return int(found["claims"])
