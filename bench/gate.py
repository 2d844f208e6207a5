"""The gate for a story of 1,000 claims: time to answer ``GET /v1/stories/{id}/gate``.

A report whose body has 1,000 checkable sentences goes through ingest and verify (whose
detection finds the claims); once publish has the snapshot with all of them, wrk asks
for the gate over one connection (one request at a time: the time to answer, not
throughput) and then over four.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import load, profile, stories
from bench.stack import BenchStack

CLAIMS = 1000
SECONDS = 5.0
PROFILE_SECONDS = 3.0


@dataclass(frozen=True)
class GateFigure:
    claims: int
    blockers: int
    body_bytes: int
    answer_bytes: int
    ready_after_s: float
    one: load.Result
    four: load.Result
    profiles: list[profile.Profile]


def _wait_for_gate(client: httpx.Client, story_id: str, timeout: float = 120) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = client.get(f"/v1/stories/{story_id}/gate")
        if answer.status_code == 200 and len(answer.json()["blockers"]) >= CLAIMS:
            return answer
        time.sleep(0.5)
    raise RuntimeError(f"publish did not show the gate of {story_id} with {CLAIMS} claims")


def run(bench: BenchStack, workdir: Path) -> GateFigure:
    body = stories.many_claims_body(CLAIMS)
    started = time.monotonic()
    answer = httpx.post(
        f"{bench.url('ingest')}/v1/reports",
        json={"headline": "Results, precinct by precinct", "body": body, "section": "politics"},
        headers={
            "Authorization": f"Bearer {bench.tokens['reporter']}",
            "Idempotency-Key": f"gate-{time.time_ns()}",
        },
        timeout=60,
    )
    answer.raise_for_status()
    story_id = answer.json()["story_id"]
    auth = {"Authorization": f"Bearer {bench.tokens['reviewer']}"}
    with httpx.Client(base_url=bench.url("publish"), headers=auth, timeout=60) as client:
        gate = _wait_for_gate(client, story_id)
    ready = time.monotonic() - started

    url = f"{bench.url('publish')}/v1/stories/{story_id}/gate"
    script = load.done_script(workdir)
    load.wrk(url, 1, 1, script, auth)  # warm-up
    one = load.wrk(url, 1, SECONDS, script, auth)
    four = load.wrk(url, 4, SECONDS, script, auth)
    # Profiled in a run of its own: py-spy's share of the CPU stays out of the measured ones.
    pids = {"publish": bench.pid("publish")}
    recording = profile.Recording(pids, PROFILE_SECONDS, workdir / "profiles", "gate (extra run)")
    load.wrk(url, 1, PROFILE_SECONDS, script, auth)
    profiles = recording.finish()
    return GateFigure(
        claims=CLAIMS,
        blockers=len(gate.json()["blockers"]),
        body_bytes=len(body.encode()),
        answer_bytes=len(gate.content),
        ready_after_s=ready,
        one=one,
        four=four,
        profiles=profiles,
    )
