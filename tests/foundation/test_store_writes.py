"""A write outside a transaction is sent as a plain write, not a retryable one: for each
retryable write SecantusDB keeps its reply (30 min, up to 10,000) and scans every kept
reply twice per write, 11-12% of its CPU under ingest's load (services/store.py).

A find-and-update is sent as a read and a write by ``_id``, never as the store's
findAndModify, whose write reads the whole collection (``store.update_and_read``)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from pymongo import monitoring

from services.store import client, connect_store, disconnect_store, transaction, update_and_read
from tests.support.infra import Infra

WRITE_COMMANDS = ("insert", "update", "findAndModify", "commitTransaction")


class _Writes(monitoring.CommandListener):
    """Records the writes sent while ``on`` (registered once for the process: pymongo
    has no way to take a listener back)."""

    def __init__(self) -> None:
        self.on = False
        self.sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.on and event.command_name in WRITE_COMMANDS:
            with self._lock:
                self.sent.append({"name": event.command_name, **dict(event.command)})

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


WRITES = _Writes()
monitoring.register(WRITES)


def test_a_plain_write_is_not_a_retryable_write_and_a_transaction_still_commits(
    infra: Infra,
) -> None:
    settings = infra.settings()
    alias = f"probe-{uuid.uuid4().hex[:6]}"
    connect_store(settings, alias, "storewrites")  # a client made after the listener
    try:
        things = client(alias)[settings.database("storewrites")]["things"]
        WRITES.on = True
        things.insert_one({"_id": "plain"})
        things.update_one({"_id": "plain"}, {"$set": {"n": 1}})

        def work(session: Any) -> None:
            things.insert_one({"_id": "in-a-transaction"}, session=session)

        transaction(alias, work)
        WRITES.on = False
        plain = [w for w in WRITES.sent if "autocommit" not in w]
        assert [w["name"] for w in plain] == ["insert", "update"]
        assert all("txnNumber" not in w for w in plain), plain
        assert any(w["name"] == "commitTransaction" for w in WRITES.sent)
        assert things.count_documents({}) == 2
    finally:
        WRITES.on = False
        disconnect_store(alias)


def test_update_and_read_writes_by_id_and_answers_the_document_after_the_update(
    infra: Infra,
) -> None:
    settings = infra.settings()
    alias = f"probe-{uuid.uuid4().hex[:6]}"
    connect_store(settings, alias, "storewrites")
    try:
        things = client(alias)[settings.database("storewrites")]["counted"]
        things.insert_many([{"_id": n, "kind": "a", "rank": 3 - n, "n": 0} for n in range(3)])
        WRITES.on = True
        WRITES.sent.clear()
        first = update_and_read(things, {"kind": "a"}, {"$inc": {"n": 5}}, sort=[("rank", 1)])
        missed = update_and_read(things, {"kind": "b"}, {"$inc": {"n": 1}})
        created = update_and_read(things, {"_id": "new"}, {"$inc": {"n": 1}}, upsert=True)
        in_tx = transaction(
            alias,
            lambda s: update_and_read(things, {"_id": 0, "n": 0}, {"$set": {"n": 9}}, session=s),
        )
        WRITES.on = False
        assert first == {"_id": 2, "kind": "a", "rank": 1, "n": 5}  # the lowest rank, after
        assert missed is None
        assert created == {"_id": "new", "n": 1}
        assert in_tx == {"_id": 0, "kind": "a", "rank": 3, "n": 9}
        names = [w["name"] for w in WRITES.sent]
        assert "findAndModify" not in names, names
        updates = [u for w in WRITES.sent if w["name"] == "update" for u in w["updates"]]
        # Each write's filter is one the store's write path serves from _id or an index.
        assert all(not any(k.startswith("$") for k in u["q"]) for u in updates), updates
        with pytest.raises(ValueError, match="top-level operator"):
            update_and_read(things, {"$or": [{"n": 1}]}, {"$set": {"n": 2}})
    finally:
        WRITES.on = False
        disconnect_store(alias)
