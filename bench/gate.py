"""The gate for a story of 1,000 claims: time to answer ``GET /v1/stories/{id}/gate``.

A report whose body has 1,000 checkable sentences goes through ingest and verify (whose
detection finds the claims); once publish has the snapshot with all of them:

- first answers: a reviewer takes and gives back a claim's lease in verify, one at a
  time, so that every step is a new version of the story; the first gate answer for
  each new version is timed, as soon as publish has the version: nothing about it can
  have been kept from an earlier ask. The target is judged on these.
- the same version asked again: wrk over one connection (one request at a time: the
  time to answer, not throughput) and then over four.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench import load, profile, stories
from bench.e2e import percentile
from bench.stack import BenchStack

CLAIMS = 1000
SECONDS = 5.0
PROFILE_SECONDS = 3.0
NEW_VERSIONS = 60  # first answers timed: a lease taken, then given back, 30 times


@dataclass(frozen=True)
class GateFigure:
    claims: int
    blockers: int
    body_bytes: int
    answer_bytes: int
    ready_after_s: float
    first_ms: list[float]  # the first answer for each new version, one at a time
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


def first_p(g: GateFigure, p: float) -> float:
    return percentile(g.first_ms, p)


def _first_answer(client: httpx.Client, story_id: str, after: int, timeout: float = 30) -> float:
    """Milliseconds of the first gate answer showing a version newer than ``after``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        started = time.perf_counter()
        answer = client.get(f"/v1/stories/{story_id}/gate")
        took = (time.perf_counter() - started) * 1000
        answer.raise_for_status()
        if answer.json()["version"] > after:
            return took
        time.sleep(0.02)
    raise RuntimeError(f"publish did not show a version of {story_id} after {after}")


def _first_answers(
    bench: BenchStack, story_id: str, version: int, count: int = NEW_VERSIONS
) -> list[float]:
    auth = {"Authorization": f"Bearer {bench.tokens['reviewer']}"}
    timings: list[float] = []
    with (
        httpx.Client(base_url=bench.url("verify"), headers=auth, timeout=60) as verify,
        httpx.Client(base_url=bench.url("publish"), headers=auth, timeout=60) as publish,
    ):
        claims = verify.get(f"/v1/stories/{story_id}").json()["claims"]
        for k in range(count):
            path = f"/v1/claims/{claims[k // 2]['claim_id']}/lease"
            changed = verify.post(path) if k % 2 == 0 else verify.delete(path)
            changed.raise_for_status()
            timings.append(_first_answer(publish, story_id, version))
            version = publish.get(f"/v1/stories/{story_id}/gate").json()["version"]
    return timings


def _current_version(bench: BenchStack, story_id: str) -> int:
    auth = {"Authorization": f"Bearer {bench.tokens['reviewer']}"}
    with httpx.Client(base_url=bench.url("publish"), headers=auth, timeout=60) as publish:
        return int(publish.get(f"/v1/stories/{story_id}/gate").json()["version"])


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

    first_ms = _first_answers(bench, story_id, gate.json()["version"])
    url = f"{bench.url('publish')}/v1/stories/{story_id}/gate"
    script = load.done_script(workdir)
    load.wrk(url, 1, 1, script, auth)  # warm-up
    one = load.wrk(url, 1, SECONDS, script, auth)
    four = load.wrk(url, 4, SECONDS, script, auth)
    # Profiled in a run of its own (first answers again): py-spy's share of the CPU stays
    # out of the measured ones.
    pids = {"publish": bench.pid("publish")}
    recording = profile.Recording(pids, PROFILE_SECONDS, workdir / "profiles", "gate (extra run)")
    _first_answers(bench, story_id, _current_version(bench, story_id), count=20)
    profiles = recording.finish()
    return GateFigure(
        claims=CLAIMS,
        blockers=len(gate.json()["blockers"]),
        body_bytes=len(body.encode()),
        answer_bytes=len(gate.content),
        ready_after_s=ready,
        first_ms=first_ms,
        one=one,
        four=four,
        profiles=profiles,
    )
