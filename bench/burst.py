"""A burst: ``N`` reports of 3 KB offered at once, then drained.

The reports are sent as fast as ingest takes them (the open-loop sender at a rate far
above what verify keeps up with); the bench then reads the services' ``/metrics`` every
second while verify works the backlog off, and waits until every accepted report is in
verify. The figure: no 5xx answer, nothing lost (every 202 has its revision in verify),
the backlog as ``/metrics`` showed it while it lasted, and the time from the first send
to the last report in verify.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families
from pymongo import MongoClient

from bench import stories
from bench.e2e import _request, warm_up
from bench.receipts import ReceiptLog
from bench.stack import BenchStack

RATE = 1000.0  # offered reports/s: the burst arrives far faster than verify drains it
DEADLINE = 1200.0  # the longest the bench waits for the backlog to drain
# Series read from /metrics while the burst drains: (service, metric, labels).
WATCHED = (
    ("ingest", "newsroom_outbox_backlog", {"outbox": "ingest-reports"}),
    ("verify", "newsroom_consumer_backlog", {"group": "verify"}),
    ("verify", "newsroom_consumer_in_flight", {"group": "verify"}),
)


@dataclass
class BurstFigure:
    offered: int
    accepted: int
    statuses: dict[int, int]
    send_seconds: float
    drain_seconds: float  # first send -> last accepted report in verify (or the deadline)
    in_verify: int
    waiting: int  # accepted and not in verify when the bench stopped waiting (0: drained)
    series: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def peak(self, name: str) -> float:
        return max((v for _, v in self.series.get(name, [])), default=0.0)


def _label(service: str, metric: str, labels: dict[str, str]) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in labels.items())
    return f"{service} {metric}{{{inner}}}" if inner else f"{service} {metric}"


def scrape(bench: BenchStack) -> dict[str, float]:
    """The watched series' current values (absent: the service does not expose them)."""
    found: dict[str, float] = {}
    for service in {s for s, _, _ in WATCHED}:
        try:
            text = httpx.get(f"{bench.url(service)}/metrics", timeout=5).text
        except httpx.HTTPError:
            continue
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                for svc, metric, labels in WATCHED:
                    wanted = labels.items() <= sample.labels.items()
                    if svc == service and sample.name == metric and wanted:
                        key = _label(svc, metric, labels)
                        found[key] = found.get(key, 0.0) + sample.value
    return found


class Watcher(threading.Thread):
    def __init__(self, bench: BenchStack) -> None:
        super().__init__(name="burst-watcher", daemon=True)
        self.bench = bench
        self.series: dict[str, list[tuple[float, float]]] = {}
        self.started = time.time()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(1.0):
            at = time.time() - self.started
            for name, value in scrape(self.bench).items():
                self.series.setdefault(name, []).append((at, value))


def _in_verify(bench: BenchStack, ids: list[str]) -> int:
    with MongoClient(bench.settings.mongo_url) as client:
        revisions = client[bench.database("verify")]["revisions"]
        return len(revisions.distinct("report_id", {"report_id": {"$in": ids}}))


def run(bench: BenchStack, workdir: Path, count: int, seed: int) -> BurstFigure:
    receipts = ReceiptLog(
        [bench.stack.log_path("verify")], bench.settings.mongo_url, bench.database("ingest")
    )
    warm_up(bench, receipts, seed=seed + 1)
    host = bench.url("ingest").removeprefix("http://")
    tokens = bench.reporter_tokens
    requests = workdir / "burst.requests.jsonl"
    with requests.open("w") as out:
        for n in range(count):
            body = stories.report_bytes(n, seed=seed)
            out.write(json.dumps(_request(host, tokens[n % len(tokens)], body)) + "\n")
    answers = workdir / "burst.answers.json"
    argv = [sys.executable, "-m", "bench.pacer", str(requests), str(answers),
            "--url", bench.url("ingest"), "--rate", f"{RATE:g}",
            "--max-connections", "64"]  # fmt: skip
    watcher = Watcher(bench)
    watcher.start()
    started = time.time()
    subprocess.run(argv, check=True, timeout=count / 2 + 600)  # a loaded machine is slow
    sent = time.time() - started
    results = json.loads(answers.read_text())["results"]
    statuses: dict[int, int] = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    accepted = [json.loads(r["body"])["report_id"] for r in results if r["status"] == 202]
    first = min(r["sent"] for r in results)
    done = 0
    while time.time() - started < DEADLINE:
        done = _in_verify(bench, accepted)
        if done >= len(accepted):
            break
        time.sleep(2.0)
    drained = time.time() - first
    time.sleep(6.0)  # one more scrape after the outbox's 5 s backlog count
    watcher.done.set()
    watcher.join(10)
    print(f"    {len(accepted)} accepted, {done} in verify after {drained:.0f} s", flush=True)
    return BurstFigure(
        offered=count,
        accepted=len(accepted),
        statuses=statuses,
        send_seconds=sent,
        drain_seconds=drained,
        in_verify=done,
        waiting=len(accepted) - done,
        series=watcher.series,
    )
