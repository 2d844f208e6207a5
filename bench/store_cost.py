"""Verify's store cost per stored story: the commands it sends, the documents it writes
and the index entries those touch, counted with pymongo's command monitoring while one
verify (in this process) stores ``N`` queued 3 KB reports that each begin a story.

    .venv/bin/python -m bench.store_cost [N]

Index entries are worked out from what each command wrote and the collection's indexes:
an inserted document adds one entry per index (none in a sparse index it lacks the field
of, one per element of an array field); a modified document deletes and writes each of
its entries again but _id's (the store rewrites them all).
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pymongo import MongoClient, monitoring

from bench.verify_drain import queue_reports
from tests.support.infra import Infra
from tests.support.servers import serve_app

# Commands sent to "admin" that end a transaction of verify's.
ENDS = {"commitTransaction", "abortTransaction"}


class Counting(monitoring.CommandListener):
    """Every command verify sends to its own database: (command, collection) counts, the
    documents inserted and the documents an update modified, by collection."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.commands: Counter[tuple[str, str]] = Counter()
        self.inserted: dict[str, list[dict[str, Any]]] = {}
        self.modified: Counter[str] = Counter()
        self._pending: dict[int, tuple[str, str]] = {}
        self._lock = threading.Lock()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        name = event.command_name
        if event.database_name != self.database and name not in ENDS:
            return
        target = event.command.get(name)
        collection = target if isinstance(target, str) else "-"
        with self._lock:
            self.commands[(name, collection)] += 1
            if name == "insert":
                self.inserted.setdefault(collection, []).extend(event.command["documents"])
            if name in {"update", "findAndModify"}:
                self._pending[event.request_id] = (name, collection)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        with self._lock:
            found = self._pending.pop(event.request_id, None)
            if found is None:
                return
            name, collection = found
            reply = event.reply
            if name == "update":
                self.modified[collection] += int(reply.get("nModified", 0))
                self.modified[collection] += len(reply.get("upserted") or [])
            elif reply.get("value") is not None:
                self.modified[collection] += 1

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        with self._lock:
            self._pending.pop(event.request_id, None)


def _value(doc: dict[str, Any], path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _has(doc: dict[str, Any], path: str) -> bool:
    value: Any = doc
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return False
        value = value[part]
    return True


def entries_of(doc: dict[str, Any], indexes: list[dict[str, Any]]) -> int:
    """Index entries one document has in these indexes (``_id``'s included)."""
    total = 0
    for index in indexes:
        fields = list(index["key"])
        if index.get("sparse") and not any(_has(doc, f) for f in fields):
            continue
        keys = 1
        for name in fields:
            value = _value(doc, name)
            if isinstance(value, list):
                keys *= max(len(value), 1)
        total += keys
    return total


def count(n: int, root: Path) -> tuple[Counting, dict[str, list[dict[str, Any]]], int]:
    infra = Infra(root)
    infra.start_broker()
    infra.start_store()
    try:
        settings = infra.settings(log_format="json", log_level="WARNING")
        database = settings.database("verify")
        # Made before the listener, so its own reads (waiting for the end) are not counted.
        client: MongoClient[dict[str, Any]] = MongoClient(settings.mongo_url)
        db = client[database]
        listener = Counting(database)
        monitoring.register(listener)  # clients made from here on report to it
        queue_reports(settings, n)
        app = serve_app("verify", settings)
        try:
            deadline = time.monotonic() + 600
            while db["revisions"].count_documents({}) < n and time.monotonic() < deadline:
                time.sleep(1.0)
            # The first snapshots are marked sent after their round: wait for the last.
            while (
                db["stories"].count_documents({"outbox.due": {"$ne": None}})
                and time.monotonic() < deadline
            ):
                time.sleep(1.0)
            stored = db["revisions"].count_documents({})
        finally:
            app.stop()
        indexes = {name: list(db[name].list_indexes()) for name in db.list_collection_names()}
        client.close()
        return listener, indexes, stored
    finally:
        infra.stop()


def table(listener: Counting, indexes: dict[str, list[dict[str, Any]]], stored: int) -> str:
    per = float(max(stored, 1))
    lines = [
        f"{stored} stories stored; per story:",
        "",
        "| collection | commands | documents written | index entries touched |",
        "|---|---|---|---|",
    ]
    collections = sorted({c for _, c in listener.commands} | set(listener.inserted))
    totals = [0.0, 0.0, 0.0]
    for collection in collections:
        specs = indexes.get(collection, [])
        commands = sum(v for (_, c), v in listener.commands.items() if c == collection)
        inserted = listener.inserted.get(collection, [])
        modified = listener.modified.get(collection, 0)
        entries = sum(entries_of(d, specs) for d in inserted)
        # A modified document: its entries deleted and written again, as an average
        # document's, but for _id's (which an update never changes).
        average = entries / len(inserted) - 1 if inserted else len(specs) - 1
        entries += int(2 * modified * average)
        row = [commands / per, (len(inserted) + modified) / per, entries / per]
        totals = [t + r for t, r in zip(totals, row, strict=True)]
        lines.append(f"| {collection} | {row[0]:.2f} | {row[1]:.2f} | {row[2]:.1f} |")
    lines.append(f"| all | {totals[0]:.2f} | {totals[1]:.2f} | {totals[2]:.1f} |")
    lines += ["", "Commands (all stories): " + ", ".join(
        f"{name} {collection}: {v}" for (name, collection), v in sorted(listener.commands.items())
    )]  # fmt: skip
    lines += ["", "Indexes:"]
    for collection, specs in sorted(indexes.items()):
        keys = [
            ",".join(s["key"]) + (" (sparse)" if s.get("sparse") else "")
            + (" (unique)" if s.get("unique") else "")
            for s in specs
        ]  # fmt: skip
        lines.append(f"  {collection}: " + "; ".join(keys))
    return "\n".join(lines)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory(prefix="store-cost-") as tmp:
        listener, indexes, stored = count(n, Path(tmp))
    print(table(listener, indexes, stored))


if __name__ == "__main__":
    main()
