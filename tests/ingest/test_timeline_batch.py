"""Ingest's consumer stores a poll's receipts with one command, commits offsets after it,
and a crash before the commit loses nothing: the receipts come again and are stored again
with the same outcome (ingest/consumer.py, ``apply_marks`` in the repository)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from kafka.errors import KafkaError

from ingest.consumer import TimelineStrategy, timeline_loop
from ingest.reports import repository
from services.bus import EventProducer, TopicAdmin, topic_names
from services.bus.batch import BatchConsumerLoop
from services.contracts import ReportReceived, Topic
from services.settings import Settings
from tests.support.plans import plan, watched
from tests.support.reports import submit
from tests.support.servers import wait_for
from tests.support.stack import Stack

N = 8
# Far before any real receipt of these reports (the session's verify sends its own to the
# session's topics), so the stored ``delivered_at`` is this test's: ``$min`` keeps it.
RECEIVED_AT = datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC)


class Writes:
    """The report collection, with the timeline writes sent through it recorded: one
    entry per command, the thread that sent it and the ids it touched (the session's own
    ingest runs in this process too)."""

    def __init__(self) -> None:
        self.commands: list[tuple[threading.Thread, list[str]]] = []
        self._real = repository._reports

    def __call__(self) -> Any:
        return _Recorded(self._real(), self.commands)

    def by(self, loop: BatchConsumerLoop) -> list[list[str]]:
        return [ids for thread, ids in self.commands if thread is loop._thread]


class _Recorded:
    def __init__(self, collection: Any, commands: list[tuple[threading.Thread, list[str]]]) -> None:
        self._collection = collection
        self._commands = commands

    def __getattr__(self, name: str) -> Any:
        return getattr(self._collection, name)

    def bulk_write(self, requests: list[Any], *args: Any, **kwargs: Any) -> Any:
        ids = [r._filter["_id"] for r in requests]
        self._commands.append((threading.current_thread(), ids))
        return self._collection.bulk_write(requests, *args, **kwargs)

    def update_one(self, filter: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        self._commands.append((threading.current_thread(), [filter["_id"]]))
        return self._collection.update_one(filter, *args, **kwargs)


@pytest.fixture
def own_topics(stack: Stack) -> Settings:
    """The session's store and ingest database, topics and group of this test's own (one
    partition, so a poll takes every receipt sent together)."""
    settings = stack.settings.model_copy(
        update={"topic_prefix": f"tb{uuid.uuid4().hex[:8]}.", "topic_partitions": 1}
    )
    TopicAdmin(settings).ensure(
        topic_names(settings, [Topic.REPORTS_RECEIVED, Topic.STORIES_REVIEWED,
                               Topic.STORIES_PUBLISHED])
    )  # fmt: skip
    return settings


def accepted_reports(stack: Stack) -> list[str]:
    with stack.client("ingest", "reporter") as client:
        return [submit(client).json()["report_id"] for _ in range(N)]


def send_receipts(settings: Settings, report_ids: list[str]) -> None:
    producer = EventProducer(settings, source="/newsroom/test", admin=TopicAdmin(settings))
    try:
        messages = [
            producer.message(
                Topic.REPORTS_RECEIVED,
                ReportReceived(
                    report_id=r,
                    story_id=f"s_{uuid.uuid4().hex}",
                    revision=1,
                    claims=1,
                    received_at=RECEIVED_AT,
                ),
                key=r,
            )
            for r in report_ids
        ]
        assert all(producer.send_all(messages))
    finally:
        producer.close()


def delivered(report_ids: list[str]) -> bool:
    for report_id in report_ids:
        doc = repository._reports().find_one({"_id": report_id})
        at = doc.get("delivered_at") if doc else None
        if at is None or at.replace(tzinfo=UTC) != RECEIVED_AT:
            return False
    return True


def run_loop(loop: BatchConsumerLoop, until: Any, what: str) -> None:
    loop.start()
    try:
        wait_for(until, timeout=90, what=what)
    finally:
        loop.stop()


def test_a_polls_receipts_are_stored_by_one_command(
    stack: Stack, own_topics: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_ids = accepted_reports(stack)
    send_receipts(own_topics, report_ids)
    writes = Writes()
    monkeypatch.setattr(repository, "_reports", writes)
    producer = EventProducer(own_topics, source="/newsroom/test", admin=TopicAdmin(own_topics))
    loop = timeline_loop(own_topics, producer, TopicAdmin(own_topics))
    try:
        run_loop(loop, lambda: delivered(report_ids), "the receipts stored")
    finally:
        producer.close()
    ours = writes.by(loop)
    stored = [i for ids in ours for i in ids]
    assert sorted(stored) == sorted(report_ids)  # each receipt stored once
    assert len(ours) == 1, f"{N} receipts of one poll took {len(ours)} commands: {ours}"


class CrashBeforeCommit(BatchConsumerLoop):
    """Dies the moment it would commit its first round: its writes are done, its offsets
    are not."""

    crashed = False

    def _commit(self, consumer: Any) -> None:
        if any(item.done for item in self._items):
            type(self).crashed = True
            self._stop.set()
            raise KafkaError("killed before the commit")
        super()._commit(consumer)


def test_a_crash_before_the_commit_loses_no_receipt(
    stack: Stack, own_topics: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_ids = accepted_reports(stack)
    send_receipts(own_topics, report_ids)
    producer = EventProducer(own_topics, source="/newsroom/test", admin=TopicAdmin(own_topics))
    admin = TopicAdmin(own_topics)
    crashing = CrashBeforeCommit(
        settings=own_topics, topics=[Topic.REPORTS_RECEIVED, Topic.STORIES_REVIEWED,
                                     Topic.STORIES_PUBLISHED],
        group="ingest", strategy=TimelineStrategy(), max_in_flight=100,
        producer=producer, admin=admin, name="ingest-timeline-crashing",
    )  # fmt: skip
    try:
        run_loop(crashing, lambda: CrashBeforeCommit.crashed, "the crash before the commit")
        assert delivered(report_ids)  # written before the crash
        # The next process of the group gets every receipt again: none was committed.
        writes = Writes()
        monkeypatch.setattr(repository, "_reports", writes)
        again = timeline_loop(own_topics, producer, admin)

        def all_again() -> bool:
            seen = {i for ids in writes.by(again) for i in ids}
            return set(report_ids) <= seen

        run_loop(again, all_again, "every uncommitted receipt handled again")
    finally:
        producer.close()
    assert delivered(report_ids)  # the same outcome: nothing lost, nothing moved twice


def test_the_timelines_writes_find_their_report_by_its_id_alone(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SecantusDB reads every report for a filter of ``_id`` and a version bound (it did
    so for each snapshot verify sent): the held version is tested in the update."""
    [report_id] = accepted_reports(stack)[:1]
    settings = stack.settings
    with (
        watched(settings.mongo_url, settings.database("ingest"), "reports") as seen,
        monkeypatch.context() as patch,  # undone before the client closes
    ):
        patch.setattr(repository, "_reports", lambda: seen.collection)
        now = datetime.now(UTC)
        repository.apply_marks([
            repository.Delivered(report_id, now),
            repository.Held(report_id, ["1 claim pending"], 10_000),
            repository.Reached(report_id, "cleared", now),
        ])  # fmt: skip
        assert repository.mark_held(report_id, ["older"], 9_999) is False
        assert repository.mark_held(report_id, ["newer"], 10_001) is True
        assert seen.filters
        for sent in seen.filters:
            found = plan(seen.collection, sent.filter)
            assert not found.scans, f"{sent.filter}: {found}"
            assert found.docs_examined <= 1, f"{sent.filter}: {found}"
    assert repository.find(report_id).held == ["newer"]  # type: ignore[union-attr]
