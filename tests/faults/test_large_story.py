"""The largest story the limits allow, submitted and then revised to one line, while
ordinary stories keep flowing (issue 12, Deliver 1): every ordinary story reaches verify's
queue exactly once, the large one is stored with as many claims as one revision may have,
and its revision closes them all; nothing is left stuck.

Flowing means: ordinary stories whose writes began after the large story's began are
stored while it is still being written (verify's large lane). An order, not a time: a
watcher reads verify's revisions over and over, and an ordinary story seen stored before
the large one, yet received after it, was written beside it, not after it.

The ordinary stories' latency is printed with and without the large story in flight:
accepted by ingest -> received by verify (the two timestamps verify keeps on each
revision), and accepted -> stored (the time of verify's ``report_received`` log line,
written once the revision's transaction committed). Figures for the notes, never
asserted (speed lives in `make bench`).
"""

from __future__ import annotations

import re
import statistics
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import MongoClient
from pymongo.database import Database

from tests.support.fleet import Fleet
from tests.support.servers import wait_for

pytestmark = pytest.mark.faults

ORDINARY_PER_PHASE = 40
PACE_SECONDS = 0.25
SOURCES = ("the commission said", "the ministry said", "police said", "the mayor said")


def largest_body(limit: int) -> str:
    """Short attributed sentences, ten to a paragraph, up to ``limit`` bytes of body."""
    lines: list[str] = []
    used = 0
    for k in range(1_000_000):
        line = f"{1000 + 37 * k} ballots were counted in precinct {k}, {SOURCES[k % 4]}."
        cost = len(line.encode()) + 2
        if used + cost > limit:
            break
        lines.append(line)
        used += cost
    return "\n\n".join(" ".join(lines[i : i + 10]) for i in range(0, len(lines), 10))


def ordinary(n: int) -> dict[str, Any]:
    sentence = f"The council approved a budget of {n + 2} million euros on Monday."
    return {
        "headline": f"Budget vote {n}",
        "section": "local",
        "body": f"{sentence} The vote was held in the town hall, the clerk said.",
    }


def submit(client: httpx.Client, payload: dict[str, Any]) -> dict[str, Any]:
    """Submit with one Idempotency-Key, retrying it on 5xx, 429 and connection errors."""
    key = uuid.uuid4().hex
    for _ in range(100):
        try:
            answer = client.post("/v1/reports", json=payload, headers={"Idempotency-Key": key})
        except httpx.HTTPError:
            time.sleep(0.5)
            continue
        if answer.status_code == 202:
            return dict(answer.json())
        assert answer.status_code >= 500 or answer.status_code == 429, answer.text[:300]
        time.sleep(0.5)
    raise AssertionError("the report was never accepted")


class Flow:
    """Ordinary stories at a steady pace from a thread, their report ids kept."""

    def __init__(self, fleet: Fleet, first: int, count: int = ORDINARY_PER_PHASE) -> None:
        self.reports: list[str] = []
        self._fleet, self._first, self._count = fleet, first, count
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        with self._fleet.client("ingest", "reporter") as client:
            for n in range(self._first, self._first + self._count):
                self.reports.append(submit(client, ordinary(n))["report_id"])
                time.sleep(PACE_SECONDS)

    def __enter__(self) -> Flow:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.join()


def stored(db: Database[Any], report_ids: list[str]) -> dict[str, dict[str, Any]]:
    return {d["report_id"]: d for d in db.revisions.find({"report_id": {"$in": report_ids}})}


class Watcher:
    """Reads verify's revisions again and again from a thread, and keeps the read in which
    each report was first seen stored: an order of appearance, with no clock."""

    def __init__(self, db: Database[Any]) -> None:
        self.first_seen: dict[str, int] = {}
        self._db = db
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        reads = 0
        while not self._stop.is_set():
            reads += 1
            for doc in self._db.revisions.find({}, {"report_id": 1}):
                self.first_seen.setdefault(doc["report_id"], reads)
            self._stop.wait(0.1)

    def __enter__(self) -> Watcher:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def written_beside(
    db: Database[Any], watcher: Watcher, large: str, ordinary_ids: list[str]
) -> list[str]:
    """Ordinary reports received by verify after the large one (their writes began after
    its write began) and seen stored before it (their writes ended before its write did)."""
    docs = stored(db, [large, *ordinary_ids])
    began, seen = docs[large]["received_at"], watcher.first_seen[large]
    return [
        r for r in ordinary_ids
        if docs[r]["received_at"] > began and watcher.first_seen.get(r, seen) < seen
    ]  # fmt: skip


def latencies_ms(db: Database[Any], report_ids: list[str]) -> list[float]:
    """Per report: accepted by ingest -> received by verify, from verify's own record."""
    docs = stored(db, report_ids).values()
    return sorted((d["received_at"] - d["accepted_at"]).total_seconds() * 1000 for d in docs)


LOGGED = re.compile(r"^(\S+Z) .*report_received .*report_id=(r_[0-9a-f]+)")


def stored_ms(db: Database[Any], log: Path, report_ids: list[str]) -> list[float]:
    """Per report: accepted by ingest -> stored by verify (its ``report_received`` line)."""
    logged: dict[str, datetime] = {}
    for line in re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(errors="replace")).splitlines():
        found = LOGGED.match(line)
        if found:
            logged.setdefault(found[2], datetime.fromisoformat(found[1].replace("Z", "+00:00")))
    docs = stored(db, report_ids).values()
    return sorted(
        (logged[d["report_id"]] - d["accepted_at"].replace(tzinfo=UTC)).total_seconds() * 1000
        for d in docs
        if d["report_id"] in logged
    )


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if values else 0.0


def test_the_largest_story_revised_to_one_line_does_not_hold_the_others(fleet: Fleet) -> None:
    settings = fleet.settings
    db: Database[Any] = MongoClient(settings.mongo_url)[settings.database("verify")]

    # Warm up (the group's first join, the detection pool's start), then measure.
    with Flow(fleet, 500, count=5) as warm_up:
        pass
    wait_for(lambda: len(stored(db, warm_up.reports)) == 5, timeout=180, interval=1,
             what="the warm-up stories in verify")  # fmt: skip
    with Flow(fleet, 0) as quiet:
        pass
    wait_for(lambda: len(stored(db, quiet.reports)) == len(quiet.reports), timeout=180,
             interval=1, what="the ordinary stories in verify")  # fmt: skip

    body = largest_body(settings.max_body_bytes - 64)
    watcher = Watcher(db)
    with watcher, Flow(fleet, 1000) as busy, fleet.client("ingest", "reporter") as client:
        big = submit(client, {"headline": "Results by precinct", "section": "local",
                              "body": body})  # fmt: skip
        wait_for(lambda: stored(db, [big["report_id"]]), timeout=300, interval=0.5,
                 what="the large story's first revision in verify")  # fmt: skip
        line = "The count ended at midnight, the commission said."
        revised = submit(client, {"headline": "Results by precinct", "section": "local",
                                  "body": line, "story_id": big["story_id"]})  # fmt: skip

    everything = [*busy.reports, big["report_id"], revised["report_id"]]
    wait_for(lambda: len(stored(db, everything)) == len(everything), timeout=300, interval=1,
             what="every story of the busy phase in verify")  # fmt: skip

    # Every ordinary story reached the queue exactly once, with its claims.
    counts = Counter(d["report_id"] for d in db.revisions.find({}, {"report_id": 1}))
    ordinary_ids = [*quiet.reports, *busy.reports]
    assert [r for r in ordinary_ids if counts[r] != 1] == []
    ordinary_docs = stored(db, ordinary_ids).values()
    queued = {c["story_id"] for c in db.claims.find({"open": True, "status": "pending"})}
    assert {d["story_id"] for d in ordinary_docs} <= queued

    beside = written_beside(db, watcher, big["report_id"], busy.reports)

    # The large story was as large as a revision may be, and its revision closed it all.
    first = stored(db, [big["report_id"]])[big["report_id"]]
    assert first["claims"] == settings.max_claims_per_revision
    story_id = big["story_id"]

    def settled() -> bool:
        open_claims = list(db.claims.find({"story_id": story_id, "open": True}))
        return bool(open_claims) and all(c["revision"] == 2 for c in open_claims)

    wait_for(settled, timeout=120, interval=1, what="only revision 2's claims open")
    closed = db.claims.count_documents({"story_id": story_id, "open": False})
    open_now = db.claims.count_documents({"story_id": story_id, "open": True})
    second = stored(db, [revised["report_id"]])[revised["report_id"]]
    assert open_now == second["claims"] >= 1
    # Every claim of the first revision not carried into the second is closed.
    assert closed >= settings.max_claims_per_revision - open_now
    story = db.stories.find_one({"story_id": story_id})
    assert story is not None
    assert (story["revision"], story["body"]) == (2, line)

    quiet_ms, busy_ms = latencies_ms(db, quiet.reports), latencies_ms(db, busy.reports)
    log = fleet.services["verify"].log
    quiet_stored, busy_stored = stored_ms(db, log, quiet.reports), stored_ms(db, log, busy.reports)
    print(  # the figures for the notes
        f"\nlarge story: {len(body.encode())} bytes, {first['claims']} claims, "
        f"revised to one line ({closed} closed); {len(beside)} ordinary stories received "
        "after it were stored before it"
        f"\nordinary stories, accepted -> in verify: without the large story "
        f"p50 {p(quiet_ms, 50):.0f} ms p99 {p(quiet_ms, 99):.0f} ms (n={len(quiet_ms)}); "
        f"with it in flight p50 {p(busy_ms, 50):.0f} ms p99 {p(busy_ms, 99):.0f} ms "
        f"max {max(busy_ms):.0f} ms (n={len(busy_ms)})"
        f"\nordinary stories, accepted -> stored: without the large story "
        f"p50 {p(quiet_stored, 50):.0f} ms p99 {p(quiet_stored, 99):.0f} ms "
        f"(n={len(quiet_stored)}); with it in flight p50 {p(busy_stored, 50):.0f} ms "
        f"p99 {p(busy_stored, 99):.0f} ms max {max(busy_stored, default=0):.0f} ms "
        f"(n={len(busy_stored)})"
    )
    # The slowest ones, and when verify received them: seconds after the large story's
    # first revision was received (its write began; negative: before) and after its
    # second was (the write of the one line).
    docs = stored(db, busy.reports)
    slowest = sorted(docs.values(), key=lambda d: d["accepted_at"] - d["received_at"])[:5]
    print("slowest with it in flight (ms; s after the large write began; s after the revision):",
          ", ".join(
              f"{(d['received_at'] - d['accepted_at']).total_seconds() * 1000:.0f}; "
              f"{(d['received_at'] - first['received_at']).total_seconds():+.1f}; "
              f"{(d['received_at'] - second['received_at']).total_seconds():+.1f}"
              for d in slowest))  # fmt: skip
    # Ordinary stories were stored while the large one was being written, not after it.
    assert beside, "no ordinary story was stored while the large one was written"
