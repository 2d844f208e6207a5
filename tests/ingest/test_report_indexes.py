"""A report carries only the index entries a query uses (the store writes each entry
itself on every insert and update): the listings' older indexes are gone, dropped at start
where an older version built them, and a reporter's listing is read from an index, every
page of it (a later page's ``$or`` read every report of the collection)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from ingest.reports import repository
from services.store import ensure_indexes
from tests.support.plans import plan, watched
from tests.support.reports import submit
from tests.support.stack import Stack

NEEDED = {
    "_id_",
    "reporter_id_1_idempotency_key_1",  # idempotency; a reporter's listing
    "story_id_1_revision_1",  # one report per revision
    "outbox.due_1",  # the relay's polls
    "reporter_id_1_accepted_at_-1__id_-1",  # a reporter's listing's later pages
}


def test_a_report_is_indexed_only_where_a_query_needs_it(stack: Stack) -> None:
    reports = repository.Report._get_collection()
    reports.create_index([("accepted_at", -1)])  # as an older version built them
    reports.create_index([("reporter_id", 1), ("accepted_at", -1)])
    ensure_indexes([repository.Report])  # what a service does at start
    assert set(reports.index_information()) == NEEDED


def test_a_reporters_listing_is_read_from_an_index(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, token = stack.new_user("reporter")  # a reporter of three reports, no more
    with stack.client("ingest") as client:
        client.headers["Authorization"] = f"Bearer {token}"
        ids = [submit(client).json()["report_id"] for _ in range(3)]
    first = repository.find(ids[0])
    assert first is not None
    reporter_id = first.reporter_id
    settings = stack.settings
    with (
        watched(settings.mongo_url, settings.database("ingest"), "reports") as seen,
        monkeypatch.context() as patch,
    ):
        patch.setattr(repository, "_reports", lambda: seen.collection)
        listed = repository.page(reporter_id, None, 50)
        # the listing's one read; the process's relay may poll the collection meanwhile
        # through the same patched accessor (1 fresh run in many caught one)
        [sent] = [
            s
            for s in seen.filters
            if s.command == "find" and s.filter.get("reporter_id") == reporter_id
        ]
        found = plan(seen.collection, sent.filter)
    assert sorted(r.report_id for r in listed) == sorted(ids)
    assert not found.scans, found
    assert found.docs_examined == 3, found  # this reporter's reports, no other


# Long before any report a test submits: an editors' listing from just after them sees
# only these.
LONG_AGO = datetime(1971, 1, 1)


@pytest.fixture
def tied(stack: Stack) -> Iterator[tuple[str, list[str]]]:
    """One reporter's 21 reports accepted at three times, seven at each (a burst stored
    in one millisecond), their ids in no order of their times: the listing's order,
    newest first, with the report id breaking ties, and its reporter."""
    reporter_id = f"u_keyset_{uuid.uuid4().hex[:8]}"
    docs = []
    for n in range(21):
        at = LONG_AGO + timedelta(seconds=n % 3)
        record = repository.ReportRecord(
            report_id=f"r_{uuid.uuid4().hex[:12]}", story_id=f"s_{uuid.uuid4().hex[:12]}",
            revision=1, reporter_id=reporter_id, byline="A. Reporter", request_hash="h",
            headline=f"Report {n}", body="Body.", section="world", claims=[],
            publish_when_cleared=False, trace_id=None, accepted_at=at, timeline={},
        )  # fmt: skip
        doc = repository.document(record, f"k{n}")
        doc["outbox"] = {"tries": 0, "sends": 1}  # closed: no relay sends it
        docs.append(doc)
    reports = repository.Report._get_collection()
    reports.insert_many(docs)
    order = sorted(docs, key=lambda d: (d["accepted_at"], d["_id"]), reverse=True)
    try:
        yield reporter_id, [d["_id"] for d in order]
    finally:
        reports.delete_many({"_id": {"$in": [d["_id"] for d in docs]}})


def _walk(
    reporter_id: str | None, before: tuple[datetime, str] | None, limit: int
) -> list[list[str]]:
    """Every page of a listing, each from the last one's cursor, until a short page."""
    pages: list[list[str]] = []
    while len(pages) <= 30:  # 21 items: a cursor that does not move fails, not loops
        page = repository.page(reporter_id, before, limit)
        pages.append([r.report_id for r in page])
        if len(page) < limit:
            return pages
        before = (page[-1].accepted_at, page[-1].report_id)
    return pages


@pytest.mark.parametrize("limit", [1, 4, 7, 21, 50])
def test_a_reporters_listing_gives_every_report_once_in_order_across_tied_pages(
    tied: tuple[str, list[str]], limit: int
) -> None:
    reporter_id, order = tied
    pages = _walk(reporter_id, None, limit)
    assert [i for page in pages for i in page] == order
    assert all(len(page) == limit for page in pages[:-1])
    # A last page as long as the limit is followed by an empty one, as before.
    assert len(pages[-1]) == len(order) % limit


def test_the_editors_listing_gives_every_report_once_in_order_across_tied_pages(
    tied: tuple[str, list[str]],
) -> None:
    _, order = tied
    just_after = (LONG_AGO + timedelta(seconds=3), "r_")
    assert [i for page in _walk(None, just_after, 4) for i in page] == order


def test_a_reporters_later_pages_are_read_from_an_index(
    tied: tuple[str, list[str]], stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    reporter_id, order = tied
    middle = repository.find(order[9])  # the third of seven at its time
    assert middle is not None
    settings = stack.settings
    with (
        watched(settings.mongo_url, settings.database("ingest"), "reports") as seen,
        monkeypatch.context() as patch,
    ):
        patch.setattr(repository, "_reports", lambda: seen.collection)
        listed = repository.page(reporter_id, (middle.accepted_at, middle.report_id), 8)
        # (The relay's polls go through ``_reports`` too, meanwhile.)
        sent = [s for s in seen.filters if s.command == "find" and "reporter_id" in s.filter]
        found = [(s.filter, plan(seen.collection, s.filter)) for s in sent]
    assert [r.report_id for r in listed] == order[10:18]
    for filter, answer in found:
        assert not answer.scans, (filter, answer)
        assert not any(key.startswith("$") for key in filter), filter
    assert len(sent) == 2, sent  # the rest of its time, then the earlier ones
