"""Large reports wait in verify's own queue (``verify.consumer.LARGE_TOPIC``), apart from
the others. The first consumer reads every partition in order and holds a bounded number
of reports; large ones waiting for the long-body pool or the large lane once filled that
bound, and 200 reports of 200 KB from four reporters held every ordinary story out of the
queue for over two minutes. Now the first consumer hands a large report on unread (or,
when detection finds many claims, unstored) and goes on. Checked by where each report
goes, not by timing; the large queue's consumer storing them is tests/verify/
test_large_lane.py's, and its dead letters tests/faults/test_poison.py's."""

from __future__ import annotations

from typing import Any, cast

import pytest

from services.bus import EventProducer
from services.contracts import CloudEvent, DeclaredClaim, ReportSubmitted
from services.settings import Settings
from tests.verify.support import BODY, Newsroom
from tests.verify.test_large_lane import many_claims
from verify import consumer
from verify.consumer import HAND_ON, LARGE_CLAIMS, LARGE_TOPIC, LONG_BODY, ReportStrategy
from verify.stories import intake
from verify.stories.analysis import Analysis

SETTINGS = Settings(_env_file=None)
# Only its reports are used here: no stack is started.
newsroom = Newsroom(cast(Any, None), cast(Any, None))


def _strategy(monkeypatch: pytest.MonkeyPatch, large: bool = False) -> ReportStrategy:
    # Nothing stored before: no receipts to give back, no story known to be large.
    monkeypatch.setattr(intake, "known_receipts", lambda reports, now: {})
    monkeypatch.setattr(intake, "large_stories", lambda story_ids, claims: [])
    monkeypatch.setattr(intake, "store_new_stories", _no_store)
    producer = EventProducer(SETTINGS, source="/newsroom/tests", admin=cast(Any, None))
    snapshots = cast(Any, None)
    return ReportStrategy(
        producer, snapshots, lambda: None, processes=1, max_claims=1000, large=large
    )


def _no_store(*args: Any) -> Any:
    raise AssertionError("a large report is not stored by the first consumer")


def _event(report: ReportSubmitted) -> CloudEvent:
    producer = EventProducer(SETTINGS, source="/newsroom/ingest", admin=cast(Any, None))
    return producer.envelope(report, subject=report.story_id)


def test_the_first_consumer_hands_large_reports_on_unread(monkeypatch: pytest.MonkeyPatch) -> None:
    long = newsroom.report(body="The council met. " * (LONG_BODY // 17 + 1), claims=[])
    declared = [DeclaredClaim(text="The vote was 21 to 9.")] * LARGE_CLAIMS
    many_declared = newsroom.report(claims=declared)
    later = newsroom.report(story_id=long.story_id, revision=2, claims=[])
    events = [_event(r) for r in (long, many_declared, later)]
    strategy = _strategy(monkeypatch)
    try:
        futures = strategy.prepare(events)
        # Each is handed on at once, the long story's later revision with it (in order),
        # and no detection ran for any of them.
        assert [f.result(timeout=0) for f in futures] == [HAND_ON] * 3
        assert strategy._pools == {}
        sent = strategy.handle(events[0], HAND_ON)
    finally:
        strategy.close()
    assert len(sent) == 1
    assert sent[0].topic == SETTINGS.topic(LARGE_TOPIC)
    assert sent[0].key == long.story_id
    assert sent[0].value == events[0].to_bytes()  # the event itself: its id and trace


def test_a_report_found_to_have_many_claims_is_handed_on_unstored(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report = newsroom.report(body=many_claims(LARGE_CLAIMS + 10), claims=[])
    assert len(report.body) <= LONG_BODY
    event = _event(report)
    strategy = _strategy(monkeypatch)
    try:
        analysed = strategy.prepare([event])[0].result(timeout=300)
        assert isinstance(analysed, Analysis)
        assert len(analysed.candidates) >= LARGE_CLAIMS
        assert not strategy.heavy(event, analysed)  # not written in this consumer's lane
        assert strategy.write([event], [analysed]) == [HAND_ON]
    finally:
        strategy.close()


def test_the_large_queue_detects_every_report_in_the_long_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(consumer, "LONG_BODY", len(BODY) + 1)
    report = newsroom.report(claims=[])
    strategy = _strategy(monkeypatch, large=True)
    try:
        analysed = strategy.prepare([_event(report)])[0].result(timeout=300)
        assert isinstance(analysed, Analysis)
        assert list(strategy._pools) == [True]  # the long-body pool, at a lower priority
    finally:
        strategy.close()
