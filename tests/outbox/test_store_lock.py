"""An outbox worker's updates never hold the store against a transaction on the same rows.

SecantusDB runs a multi-document update outside a transaction in chunks, holding the
collection's lock while it retries a write conflict without end. A story's transaction
that wrote an outbox row, then needs the collection again, waited for that lock forever
(and its abort with it): `make test` hung that way, its store on 400 waiting threads.
The outbox sends one single-document update per row instead (``store.update_each``),
which lets go of the lock between retries.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

from pymongo import MongoClient, monitoring

from services.clock import utcnow
from services.outbox import OutboxRows, new_row
from tests.support.infra import Infra
from tests.support.servers import wait_for

ROWS = 4


class Updates(monitoring.CommandListener):
    """Every ``update`` command this client sends, with its statements."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "update":
            self.sent.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def test_a_claim_racing_a_transaction_on_its_rows_lets_the_transaction_finish(
    tmp_path: Path,
) -> None:
    # a store of its own: had the claim taken the lock, this store would be stuck for good
    infra = Infra(tmp_path)
    infra.start_store()
    updates = Updates()
    # a stuck store answers nothing: the clients give up, and the test says why
    story = MongoClient(infra.mongo_url, socketTimeoutMS=10_000)
    worker = MongoClient(infra.mongo_url, socketTimeoutMS=10_000, event_listeners=[updates])
    try:
        now = utcnow()
        story.t.rows.insert_many(
            [{"_id": i, "outbox": new_row(now - timedelta(seconds=1))} for i in range(ROWS)]
        )
        rows = OutboxRows(lambda: worker.t.rows)
        finished: dict[str, Any] = {}
        with story.start_session() as session:
            session.start_transaction()
            # the story's transaction writes row 0 and holds it uncommitted
            story.t.rows.update_one({"_id": 0}, {"$set": {"version": 2}}, session=session)

            def claim() -> None:
                finished["claimed"] = rows.claim(now, timedelta(seconds=30), ROWS)

            claimer = threading.Thread(target=claim, daemon=True)
            claimer.start()
            wait_for(lambda: updates.sent, 10, what="the claim's update sent")

            def go_on() -> None:
                # its next statement on the same collection, then its commit
                story.t.rows.update_one({"_id": 1}, {"$set": {"version": 2}}, session=session)
                session.commit_transaction()
                finished["committed"] = True

            story_thread = threading.Thread(target=go_on, daemon=True)
            story_thread.start()
            story_thread.join(15)
            claimer.join(15)
        assert finished.get("committed"), "the transaction never finished: the store is stuck"
        claimed = finished.get("claimed")
        assert claimed is not None
        assert sorted(d["_id"] for d in claimed.docs) == list(range(ROWS))
        for command in updates.sent:
            assert not any(s.get("multi") for s in command["updates"]), command
    finally:
        story.close()
        worker.close()
        infra.stop_store()


def test_no_outbox_update_is_a_multi_document_update(tmp_path: Path) -> None:
    infra = Infra(tmp_path)
    infra.start_store()
    updates = Updates()
    client = MongoClient(infra.mongo_url, event_listeners=[updates])
    try:
        now = utcnow()
        client.t.rows.insert_many(
            [{"_id": i, "version": 1, "outbox": new_row(now)} for i in range(6)]
        )
        rows = OutboxRows(lambda: client.t.rows)
        hold = timedelta(seconds=30)
        first = rows.claim(now, hold, 2)
        rows.done([d["_id"] for d in first.docs], first.token, now)
        second = rows.claim(now, hold, 2)
        rows.done_at_version([(d["_id"], 1, {}) for d in second.docs], second.token, now)
        third = rows.claim(now, hold, 2)
        rows.again_after([third.docs[0]["_id"]], third.token, now, timedelta(seconds=5))
        rows.retry_after([third.docs[1]["_id"]], third.token, now, timedelta(seconds=5))
        rows.release([third.docs[1]["_id"]], third.token)
        statements = [s for command in updates.sent for s in command["updates"]]
        assert len(statements) >= 10
        assert [s for s in statements if s.get("multi")] == []
        assert client.t.rows.count_documents({"outbox.sent_at": now}) == 5
    finally:
        client.close()
        infra.stop_store()
