"""A burst: ``N`` reports of 3 KB offered at once, then drained.

The reports are sent as fast as ingest takes them (the open-loop sender at a rate far
above what verify keeps up with); the bench then reads the services' ``/metrics`` every
five seconds while verify works the backlog off, and waits (reading verify's log, not
the store) until every accepted report is in verify. The figure: no 5xx answer, nothing
lost (every 202 has its revision in verify, or is still waiting in ingest's outbox), the
backlog as ``/metrics`` showed it while it lasted, and the time to drain: from the first
send to the last report in verify. ``CAP`` only guards against a hang; when it comes
first, the figure says how far the drain got and how fast the backlog was falling at the
end (so the time it would take), never a timeout.
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
SEND_DEADLINE = 240.0  # the longest the sender sends (what it did not send is counted)
# From the first send: a guard against a hang, not a deadline for the figure (the drain
# took 802 s at load 6-11 on two shared cores; `make bench` waits for it).
CAP = 1200.0
FALLING_OVER = 60.0  # the backlog's fall at the end is measured over this many seconds
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
    drain_seconds: float  # first send -> last accepted report in verify (or the cap)
    in_verify: int
    waiting: int  # accepted and not in verify when the bench stopped waiting (0: drained)
    lost: int  # accepted, not in verify and not waiting in ingest's outbox either
    deadline_s: float  # the cap (CAP)
    falling_per_second: float  # reports into verify per second, over the last minute
    sends: int  # reports ingest sent to the topic, first sends and re-sends (warm-up too)
    seen_again: int  # reports verify got more than once (re-sent before their receipt)
    progress: list[tuple[float, int]] = field(default_factory=list)  # (s, in verify)
    series: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    @property
    def unsent(self) -> int:  # the sender's deadline came first
        return self.statuses.get(-1, 0)

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


SCRAPE_EVERY = 5.0  # seconds: verify counts its queue in the store on every scrape


class Watcher(threading.Thread):
    def __init__(self, bench: BenchStack) -> None:
        super().__init__(name="burst-watcher", daemon=True)
        self.bench = bench
        self.series: dict[str, list[tuple[float, float]]] = {}
        self.started = time.time()
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(SCRAPE_EVERY):
            at = time.time() - self.started
            for name, value in scrape(self.bench).items():
                self.series.setdefault(name, []).append((at, value))


def _in_verify(bench: BenchStack, ids: list[str]) -> set[str]:
    with MongoClient(bench.settings.mongo_url) as client:
        revisions = client[bench.database("verify")]["revisions"]
        return set(revisions.distinct("report_id", {"report_id": {"$in": ids}}))


def _still_in_outbox(bench: BenchStack, ids: list[str]) -> set[str]:
    """Of these reports, the ones ingest still re-sends (no receipt yet): not lost."""
    with MongoClient(bench.settings.mongo_url) as client:
        reports = client[bench.database("ingest")]["reports"]
        query = {"_id": {"$in": ids}, "delivered_at": None}
        return {d["_id"] for d in reports.find(query, projection=["_id"])}


def ingest_sends(bench: BenchStack) -> int:
    """Messages ingest's relay had the broker acknowledge, from its log."""
    sends = 0
    with bench.stack.log_path("ingest").open("rb") as log:
        for line in log:
            if b'"outbox_sent"' in line and b"ingest-reports" in line:
                sends += int(json.loads(line).get("sent", 0))
    return sends


def falling(progress: list[tuple[float, int]], over: float) -> float:
    """Reports into verify per second over the last ``over`` seconds of ``progress``."""
    if len(progress) < 2:
        return 0.0
    end_at, end = progress[-1]
    start_at, start = next((p for p in progress if p[0] >= end_at - over), progress[0])
    return (end - start) / (end_at - start_at) if end_at > start_at else 0.0


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
            "--max-connections", "64", "--deadline", f"{SEND_DEADLINE:g}"]  # fmt: skip
    watcher = Watcher(bench)
    watcher.start()
    started = time.time()
    # The sender stops itself at its deadline; this timeout only guards against a hang.
    subprocess.run(argv, check=True, timeout=SEND_DEADLINE + 120)
    sent = time.time() - started
    results = json.loads(answers.read_text())["results"]
    statuses: dict[int, int] = {}
    for r in results:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    accepted = [json.loads(r["body"])["report_id"] for r in results if r["status"] == 202]
    first = min((r["sent"] for r in results if r["sent"] is not None), default=started)
    print(f"    {len(accepted):,} of {count:,} accepted in {sent:.0f} s; draining", flush=True)
    progress: list[tuple[float, int]] = []
    said = time.time()
    wanted = set(accepted)
    while True:
        # From verify's log as it grows: polling the store for 5,000 ids every few
        # seconds took the store from verify (it drained 7 times slower).
        receipts.read()
        done = wanted & receipts.committed.keys()
        progress.append((time.time() - first, len(done)))
        if len(done) >= len(accepted) or time.time() - first >= CAP:
            break
        if time.time() - said >= 30:
            said = time.time()
            rate = falling(progress, FALLING_OVER)
            print(f"    {len(done):,} of {len(accepted):,} in verify after "
                  f"{progress[-1][0]:.0f} s ({rate:.1f}/s)", flush=True)  # fmt: skip
        time.sleep(2.0)
    done |= _in_verify(bench, [i for i in accepted if i not in done])  # the log's last lines
    drained = progress[-1][0]
    left = [i for i in accepted if i not in done]
    lost = len(set(left) - _still_in_outbox(bench, left)) if left else 0
    time.sleep(SCRAPE_EVERY + 1)  # one more scrape after the outbox's 5 s backlog count
    watcher.done.set()
    watcher.join(10)
    rate = falling(progress, FALLING_OVER)
    receipts.read()
    print(f"    {len(accepted):,} accepted, {len(done):,} in verify after {drained:.0f} s "
          f"(falling at {rate:.1f}/s at the end), {lost} lost", flush=True)  # fmt: skip
    return BurstFigure(
        offered=count,
        accepted=len(accepted),
        statuses=statuses,
        send_seconds=sent,
        drain_seconds=drained,
        in_verify=len(done),
        waiting=len(left),
        lost=lost,
        deadline_s=CAP,
        falling_per_second=rate,
        sends=ingest_sends(bench),
        seen_again=receipts.duplicates,
        progress=progress,
        series=watcher.series,
    )
