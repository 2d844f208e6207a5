"""A write outside a transaction is sent as a plain write, not a retryable one: for each
retryable write SecantusDB keeps its reply (30 min, up to 10,000) and scans every kept
reply twice per write, 11-12% of its CPU under ingest's load (services/store.py)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

from pymongo import monitoring

from services.store import client, connect_store, disconnect_store, transaction
from tests.support.infra import Infra


class _Writes(monitoring.CommandListener):
    """Records the writes sent while ``on`` (registered once for the process: pymongo
    has no way to take a listener back)."""

    def __init__(self) -> None:
        self.on = False
        self.sent: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self.on and event.command_name in ("insert", "update", "commitTransaction"):
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
