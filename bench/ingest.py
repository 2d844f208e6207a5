"""Ingest: accepted 3 KB reports per second and latency at rising concurrency, against two
bare FastAPI endpoints: one that only parses the same body with the same model, and one
that also stores it with one pymongo ``insert_one`` into the same store.

The bare app's levels run first, then ingest's, so that the whole ingest run (and the
extra one py-spy profiles) stays under ingest's re-send interval (30 s): no report is
sent to the broker twice while it runs.
Verify is paused (SIGSTOP) during ingest's levels: on two shared cores its detection
work on the reports just accepted would otherwise be measured as ingest's cost. Ingest
itself works as in production: auth, idempotency, the rate limit, the store, the relay.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench import baseline, load, profile, stories
from bench.sampler import Sampler
from bench.stack import BenchStack
from newsroom import stack as embedded

LEVELS = (1, 4, 16, 64)
WARMUP_SECONDS = 1.0
SECONDS = 5.0
PROFILE_SECONDS = 3.0  # ingest's whole run stays under its 30 s re-send interval
PHASE = "ingest run"


@dataclass(frozen=True)
class Level:
    connections: int
    ingest: load.Result
    bare: load.Result  # parses only
    store: load.Result  # parses and inserts one document per report

    @property
    def ratio(self) -> float:
        bare = self.bare.ok_per_second
        return self.ingest.ok_per_second / bare if bare else 0.0

    @property
    def store_ratio(self) -> float:
        store = self.store.ok_per_second
        return self.ingest.ok_per_second / store if store else 0.0


@dataclass(frozen=True)
class IngestFigure:
    levels: list[Level]
    body_bytes: int
    profiles: list[profile.Profile]


def _sweep(url: str, script: Path) -> dict[int, load.Result]:
    results = {}
    for connections in LEVELS:
        load.wrk(url, connections, WARMUP_SECONDS, script)
        results[connections] = load.wrk(url, connections, SECONDS, script)
        print(f"    c={connections}: {results[connections].ok_per_second:.0f}/s", flush=True)
    return results


def run(bench: BenchStack, workdir: Path, sampler: Sampler) -> IngestFigure:
    body = stories.report_bytes(0)
    bare_script = load.post_script(workdir, "bare-ingest", "/v1/reports", body, [])
    ingest_script = load.post_script(workdir, "ingest", "/v1/reports", body, bench.reporter_tokens)
    proc, bare_url = baseline.launch("ingest", workdir / "bare-ingest.log")
    try:
        print("  bare ingest endpoint", flush=True)
        bare = _sweep(f"{bare_url}/v1/reports", bare_script)
    finally:
        embedded.stop_process(proc.pid)
    mongo_url = bench.settings.mongo_url
    proc, store_url = baseline.launch("ingest-store", workdir / "bare-store.log", mongo_url)
    try:
        print("  bare FastAPI + pymongo insert_one endpoint", flush=True)
        stored = _sweep(f"{store_url}/v1/reports", bare_script)
    finally:
        embedded.stop_process(proc.pid)

    verifiers = [p for p in ("verify", "verify2") if p in bench.pids()]
    for part in verifiers:
        bench.pause(part)
    sampler.phase = PHASE
    profiles: list[profile.Profile] = []
    try:
        print("  ingest (verify paused)", flush=True)
        url = f"{bench.url('ingest')}/v1/reports"
        measured = {}
        for connections in LEVELS:
            load.wrk(url, connections, WARMUP_SECONDS, ingest_script)
            measured[connections] = load.wrk(url, connections, SECONDS, ingest_script)
            print(f"    c={connections}: {measured[connections].ok_per_second:.0f}/s", flush=True)
        # Profiled in a run of its own (py-spy's CPU stays out of the measured ones).
        pids = {p: bench.pid(p) for p in ("ingest", "store")}
        label = f"ingest, {LEVELS[-1]} connections (extra run)"
        recording = profile.Recording(pids, PROFILE_SECONDS, workdir / "profiles", label)
        load.wrk(url, LEVELS[-1], PROFILE_SECONDS, ingest_script)
        profiles = recording.finish()
    finally:
        sampler.phase = "after ingest"
        for part in verifiers:
            bench.resume(part)
    levels = [Level(c, measured[c], bare[c], stored[c]) for c in LEVELS]
    return IngestFigure(levels, len(body), profiles)
