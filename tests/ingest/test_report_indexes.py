"""A report carries only the index entries a query uses (the store writes each entry
itself on every insert and update): the listings' own indexes are gone, dropped at start
where an older version built them, and a reporter's listing is still read from an index."""

from __future__ import annotations

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
        [sent] = [s for s in seen.filters if s.command == "find"]
        found = plan(seen.collection, sent.filter)
    assert sorted(r.report_id for r in listed) == sorted(ids)
    assert not found.scans, found
    assert found.docs_examined == 3, found  # this reporter's reports, no other
