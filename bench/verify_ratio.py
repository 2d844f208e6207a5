"""Verify's sustained rate beside detection alone, on the same cores with the same number
of processes (issue 15's first figure): ``N`` reports of 3 KB queued on
``reports.submitted`` before one verify process starts (its own broker and store, see
:mod:`bench.verify_drain`), timed from its first stored revision to its ``N``-th; then the
same bodies through a process pool of the size verify's detection pool takes here.
Verify and the store are profiled with py-spy while it drains.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench import profile
from bench.stories import body_of
from bench.verify_drain import detection_alone, verify_drain
from verify.consumer import detection_processes

PROFILE_SECONDS = 8.0


@dataclass(frozen=True)
class VerifyRatio:
    reports: int
    verify_per_second: float
    claims_each: float
    processes: int
    alone_per_second: float
    profiles: list[profile.Profile] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.verify_per_second / self.alone_per_second if self.alone_per_second else 0.0


def run(n: int, workdir: Path) -> VerifyRatio:
    recordings: list[profile.Recording] = []

    def record(pids: dict[str, int]) -> None:
        recordings.append(profile.Recording(pids, PROFILE_SECONDS, workdir / "profiles", "drain"))

    with tempfile.TemporaryDirectory(prefix="verify-drain-", dir=workdir) as tmp:
        rate, claims = verify_drain(n, Path(tmp), on_start=record)
    profiles = [p for r in recordings for p in r.finish()]
    processes = detection_processes()
    alone = detection_alone([body_of(k) for k in range(n)], processes)
    print(f"    verify {rate:.1f}/s, detection alone {alone:.1f}/s ({processes} processes)")
    return VerifyRatio(n, rate, claims, processes, alone, profiles)
