"""End to end: from ingest's 202 to the report's claims stored in verify's queue.

An open-loop sender (:mod:`bench.pacer`, its own process) offers 3 KB reports, each
one unique, at a steady rate. The latency of each report is verify's ``received_at``
minus ingest's ``accepted_at`` (both stored in the databases, read after the run; same
machine, same clock). ``received_at`` is taken when verify's handler starts on the
report; the commit of its revision and claims is logged (``report_received``) once the
transaction is done, so the log's timestamp gives the time to *stored* as well.
A report not in verify by the deadline counts as slower than the deadline.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient

from bench import profile, stories
from bench.receipts import ReceiptLog
from bench.stack import BenchStack

RATE = 200.0  # the target's rate
SECONDS = 10.0
LOW_RATE = 10.0  # well under what verify keeps up with here: the pipeline's own latency
LOW_SECONDS = 15.0
DEADLINE = 30.0  # after the last send, the longest the bench waits for verify
ANSWER_GRACE = 120.0  # after the last request is due, the longest the sender waits


@dataclass(frozen=True)
class E2EFigure:
    consumers: int
    rate: float
    offered: int
    accepted: int
    accepted_per_second: float
    answer_p50_ms: float
    answer_p99_ms: float
    received: int
    verify_per_second: float
    latency_ms: dict[str, float]  # p50/p95/p99 of received_at - accepted_at (inf: missing)
    stored_ms: dict[str, float]  # p50/p95/p99 of the commit's log time - accepted_at
    deadline_s: float
    backlog_at_start: int
    command: str
    duplicates: int  # reports verify saw again: ingest re-sent them, or a consumer re-read
    dead_lettered: int  # reports verify could not process (to its DLQ): not in the latency
    snapshots: int  # snapshots verify sent (all processes), for ...
    revisions: int  # ... this many revisions stored (warm-up included)
    kicked_out: int  # offset commits refused because the consumer had left its group
    profiles: list[profile.Profile]


def percentile(values: list[float], p: float) -> float:
    """Nearest rank; ``inf`` entries stand for reports that never arrived."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def _request(host: str, token: str, body: bytes) -> str:
    head = (
        f"POST /v1/reports HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nIdempotency-Key: {uuid.uuid4().hex}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return (head.encode() + body).decode("latin-1")


def submit(bench: BenchStack, payload: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    """POST one report; answer ingest's 202 body."""
    answer = httpx.post(
        f"{bench.url('ingest')}/v1/reports",
        json=payload,
        headers={
            "Authorization": f"Bearer {token or bench.tokens['reporter']}",
            "Idempotency-Key": uuid.uuid4().hex,
        },
        timeout=30,
    )
    answer.raise_for_status()
    accepted: dict[str, Any] = answer.json()
    return accepted


def warm_up(bench: BenchStack, log: ReceiptLog, seed: int, timeout: float = 90) -> None:
    """Send probes until every verify process has committed one (its partitions assigned)."""
    deadline = time.monotonic() + timeout
    n = 0
    while time.monotonic() < deadline:
        ids = set()
        for _ in range(8):
            n += 1
            report = stories.report(n, seed=seed)
            ids.add(submit(bench, report, bench.reporter_tokens[n % 7])["report_id"])
        log.wait_for(ids, 20)
        if all(count > 0 for count in log.by_log.values()):
            return
    raise RuntimeError("verify processes did not all start consuming in time")


def _stats(values: list[float]) -> dict[str, float]:
    return {f"p{p}": percentile(values, p) for p in (50, 95, 99)}


def run(
    bench: BenchStack, workdir: Path, consumers: int, seed: int, rate: float, seconds: float
) -> E2EFigure:
    logs = [bench.stack.log_path("verify")]
    if consumers == 2:
        logs.append(bench.stack.log_path("verify2"))
    receipts = ReceiptLog(logs, bench.settings.mongo_url, bench.database("ingest"))
    warm_up(bench, receipts, seed=seed + 1)
    # Whatever an earlier run left queued is worked off first (or counted).
    backlog = len(receipts.wait_for(_unfinished(bench, receipts), DEADLINE))

    count = int(rate * seconds)
    host = bench.url("ingest").removeprefix("http://")
    tokens = bench.reporter_tokens
    label = f"e2e-{consumers}-{rate:g}"
    requests = workdir / f"{label}.requests.jsonl"
    with requests.open("w") as out:
        for n in range(count):
            body = stories.report_bytes(n, seed=seed)
            out.write(json.dumps(_request(host, tokens[n % len(tokens)], body)) + "\n")
    answers = workdir / f"{label}.answers.json"
    argv = [sys.executable, "-m", "bench.pacer", str(requests), str(answers),
            "--url", bench.url("ingest"), "--rate", f"{rate:g}",
            "--deadline", f"{seconds + ANSWER_GRACE:g}"]  # fmt: skip
    pids = {p: bench.pid(p) for p in ("verify", "store")}
    recording = profile.Recording(pids, seconds, workdir / "profiles", label)
    # The sender stops at its deadline (what it did not send or was not answered is
    # counted as not accepted); this timeout only guards against a hang.
    subprocess.run(argv, check=True, timeout=seconds + ANSWER_GRACE + 120)
    profiles = recording.finish()
    sent = json.loads(answers.read_text())
    results = sent["results"]
    accepted = {json.loads(r["body"])["report_id"]: r for r in results if r["status"] == 202}
    last_send = max(r["sent"] for r in results if r["sent"] is not None)
    missing = receipts.wait_for(set(accepted), DEADLINE - (time.time() - last_send))

    dead = set(accepted) & receipts.dead
    counted = [i for i in accepted if i not in dead]
    times = _times(bench, counted)
    latency = [times[i][1] - times[i][0] if i in times else math.inf for i in counted]
    stored = [
        receipts.committed[i] - times[i][0] if i in times and i in receipts.committed else math.inf
        for i in counted
    ]
    got = [times[i][1] for i in accepted if i in times]
    waits = [r["done"] - r["due"] for r in accepted.values()]
    span = max(r["done"] for r in accepted.values()) - min(r["sent"] for r in accepted.values())
    return E2EFigure(
        consumers=consumers,
        rate=rate,
        offered=count,
        accepted=len(accepted),
        accepted_per_second=len(accepted) / span if span else 0.0,
        answer_p50_ms=1000 * percentile(waits, 50),
        answer_p99_ms=1000 * percentile(waits, 99),
        received=len(counted) - len(missing),
        dead_lettered=len(dead),
        verify_per_second=(len(got) - 1) / (max(got) - min(got)) if len(got) > 1 else 0.0,
        latency_ms={k: 1000 * v for k, v in _stats(latency).items()},
        stored_ms={k: 1000 * v for k, v in _stats(stored).items()},
        deadline_s=DEADLINE,
        backlog_at_start=backlog,
        command=f"python -m bench.pacer REQUESTS OUT --url INGEST --rate {rate:g}"
        f"  ({count} reports of about {stories.STORY_BYTES} B, {seconds:g} s)",
        duplicates=receipts.duplicates,
        snapshots=receipts.snapshots,
        kicked_out=receipts.kicked_out,
        revisions=sum(receipts.by_log.values()),
        profiles=profiles,
    )


def _unfinished(bench: BenchStack, receipts: ReceiptLog) -> set[str]:
    """Reports ingest has accepted that verify has not committed yet (none, normally)."""
    with MongoClient(bench.settings.mongo_url) as client:
        reports = client[bench.database("ingest")]["reports"]
        ids = {d["_id"] for d in reports.find({"delivered_at": None}, projection=["_id"])}
    receipts.read()
    return ids - receipts.committed.keys()


def _times(bench: BenchStack, report_ids: list[str]) -> dict[str, tuple[float, float]]:
    """report id -> (accepted_at, received_at) as verify stored them, in unix seconds."""
    with MongoClient(bench.settings.mongo_url, tz_aware=True) as client:
        revisions = client[bench.database("verify")]["revisions"]
        found = revisions.find(
            {"report_id": {"$in": report_ids}},
            projection={"report_id": 1, "accepted_at": 1, "received_at": 1},
        )
        return {
            d["report_id"]: (d["accepted_at"].timestamp(), d["received_at"].timestamp())
            for d in found
        }
