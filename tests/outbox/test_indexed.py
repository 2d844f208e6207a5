"""The outbox's polls are answered from ``outbox.due``'s index, not by reading every row
the owner ever stored: a relay polls every second, and SecantusDB reads the whole
collection for a filter with ``$or``, and walks the
index's null entries (every closed row) for a due time with no lower bound."""

from __future__ import annotations

import uuid
from datetime import timedelta

from pymongo import ASCENDING

from services.clock import utcnow
from services.outbox import DUE, OutboxRows, new_row
from tests.support.infra import Infra
from tests.support.plans import plan, watched

CLOSED = 300


def test_a_poll_claims_the_due_rows_without_reading_the_closed_ones(infra: Infra) -> None:
    settings = infra.settings()
    name = f"rows_{uuid.uuid4().hex[:8]}"
    with watched(settings.mongo_url, settings.database("outboxplans"), name) as seen:
        rows_of = seen.collection
        rows_of.create_index([(DUE, ASCENDING)])
        now = utcnow()
        closed = [{"_id": f"c{i:04d}", "outbox": {"tries": 0, "sends": 1}} for i in range(CLOSED)]
        due = [{"_id": f"d{i}", "outbox": new_row(now - timedelta(seconds=10 - i))}
               for i in range(4)]  # fmt: skip
        taken = {"_id": "taken", "outbox": {**new_row(now - timedelta(seconds=20)),
                 "claim": "another", "until": now + timedelta(seconds=30)}}  # fmt: skip
        later = {"_id": "later", "outbox": new_row(now + timedelta(minutes=5))}
        rows_of.insert_many([*closed, *due, taken, later])
        rows = OutboxRows(lambda: rows_of)
        seen.clear()

        claimed = rows.claim(now, timedelta(seconds=30), 10)
        assert [d["_id"] for d in claimed.docs] == ["d0", "d1", "d2", "d3"]  # oldest due first
        assert rows.backlog(now) == 5
        assert rows.oldest_due(now) is not None
        assert rows.claim(now, timedelta(seconds=30), 10).docs == []  # all claimed now

        assert seen.filters, "no query recorded"
        for sent in seen.filters:
            found = plan(rows_of, sent.filter)
            assert not found.scans, f"{sent.command} {sent.filter} read every row: {found}"
            # The closed rows are never read: only due (or picked) ones are.
            assert found.docs_examined <= 6, f"{sent.command} {sent.filter}: {found}"
