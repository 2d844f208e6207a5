"""What verify's logs say happened to each report: committed (with the time), seen again,
dead-lettered; and how its consumers and snapshot outboxes fared. Read as the logs grow
(JSON lines, ``NEWSROOM_LOG_FORMAT=json``), so waiting for reports costs the store nothing.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path

from pymongo import MongoClient


class ReceiptLog:
    """Reads verify's logs as they grow: report id -> time its revision was committed, and
    the reports verify gave up on (dead-lettered: counted apart, not as slow)."""

    def __init__(self, paths: list[Path], mongo_url: str, ingest_db: str) -> None:
        self.paths = paths
        self.offsets = dict.fromkeys(paths, 0)
        self.committed: dict[str, float] = {}
        self.duplicates = 0
        self.snapshots = 0  # stories.reviewed snapshots sent, by every verify process
        self.kicked_out = 0  # commits refused: the consumer had left its group (slow poll)
        self.by_log: dict[Path, int] = dict.fromkeys(paths, 0)
        self._dead_traces: set[str] = set()
        self.dead: set[str] = set()  # report ids
        self._mongo_url, self._ingest_db = mongo_url, ingest_db

    def read(self) -> None:
        dead_before = len(self._dead_traces)
        for path in self.paths:
            if not path.exists():
                continue
            with path.open("rb") as handle:
                handle.seek(self.offsets[path])
                chunk = handle.read()
            end = chunk.rfind(b"\n") + 1
            self.offsets[path] += end
            for line in chunk[:end].splitlines():
                if b'"report_duplicate"' in line:
                    self.duplicates += 1
                elif b'"snapshot_sent"' in line:
                    self.snapshots += 1
                elif b"CommitFailedError" in line:
                    self.kicked_out += 1
                elif b'"message_dead_lettered"' in line:
                    event = json.loads(line)
                    if event.get("topic") == "reports.submitted" and event.get("trace_id"):
                        self._dead_traces.add(event["trace_id"])
                elif b'"report_received"' in line:
                    event = json.loads(line)
                    at = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
                    self.committed[event["report_id"]] = at.timestamp()
                    self.by_log[path] += 1
        if len(self._dead_traces) > dead_before:
            # The log names the message's trace id; ingest stored it with the report.
            with MongoClient(self._mongo_url) as client:
                reports = client[self._ingest_db]["reports"]
                query = {"trace_id": {"$in": sorted(self._dead_traces)}}
                self.dead = {d["_id"] for d in reports.find(query, projection=["_id"])}

    def wait_for(self, ids: set[str], timeout: float) -> set[str]:
        """Wait until every id is committed (or dead-lettered) or ``timeout``; answer the
        ones still missing."""
        deadline = time.monotonic() + timeout
        while True:
            self.read()
            missing = ids - self.committed.keys() - self.dead
            if not missing or time.monotonic() > deadline:
                return missing
            time.sleep(0.25)
