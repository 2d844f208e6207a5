"""Sampling profiles of running processes with py-spy, summarised for the report.

``py-spy record --nonblocking`` reads a process's stacks without stopping it (a few % of
one core at the rate used here). The raw collapsed stacks are kept under
``bench/.run/profiles``; the report shows, per process, where the samples fall: the
functions that include the most samples (project code and the store's server), and
the frames that spend them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

RATE = 50
# Frames whose names say more than the libraries' plumbing around them.
INTERESTING = ("services/", "ingest/", "verify/", "publish/", "secantus/", "fastapi/", "pydantic")


@dataclass(frozen=True)
class Profile:
    name: str
    samples: int
    inclusive: list[tuple[float, str]]  # share of samples, function (file)
    self_time: list[tuple[float, str]]
    raw: Path
    within: dict[str, int]  # every frame -> samples under it
    spent: dict[str, int]  # every frame -> samples in it

    def share_within(self, *names: str) -> float:
        """% of samples under the frame whose name contains one of ``names`` (the largest)."""
        found = [n for frame, n in self.within.items() if any(x in frame for x in names)]
        return 100.0 * max(found, default=0) / self.samples if self.samples else 0.0

    def share_in(self, *names: str) -> float:
        """% of samples spent in frames whose names contain any of ``names`` (summed)."""
        found = [n for frame, n in self.spent.items() if any(x in frame for x in names)]
        return 100.0 * sum(found) / self.samples if self.samples else 0.0


def py_spy() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


class Recording:
    """py-spy recording ``pids`` (name -> pid) for ``seconds``, started now."""

    def __init__(self, pids: dict[str, int], seconds: float, outdir: Path, label: str) -> None:
        self.outdir = outdir
        self.label = label
        self.procs: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
        binary = py_spy()
        if binary is None:
            return
        outdir.mkdir(parents=True, exist_ok=True)
        for name, pid in pids.items():
            raw = outdir / f"{label}-{name}.txt"
            argv = [binary, "record", "--pid", str(pid), "--duration", str(int(seconds)),
                    "--rate", str(RATE), "--format", "raw", "--nonblocking",
                    "--output", str(raw)]  # fmt: skip
            proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.procs[name] = (proc, raw)

    def finish(self) -> list[Profile]:
        found = []
        for name, (proc, raw) in self.procs.items():
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
            if raw.exists():
                found.append(summarise(f"{self.label}: {name}", raw))
        return found


def _frame(frame: str) -> str:
    """``func (path/to/module.py:12)`` -> ``func (module/path.py)`` without the line."""
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    path = path.removeprefix("main/")
    return f"{name} ({path})" if where else name


def summarise(name: str, raw: Path, top: int = 14) -> Profile:
    inclusive: Counter[str] = Counter()
    everything: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_frame(f) for f in stack.split(";")]
        for frame in set(frames):
            everything[frame] += n
            if any(marker in frame for marker in INTERESTING):
                inclusive[frame] += n
        self_time[frames[-1]] += n
    share = (lambda c: 100.0 * c / total) if total else (lambda c: 0.0)
    return Profile(
        name=name,
        samples=total,
        inclusive=[(share(c), f) for f, c in inclusive.most_common(top)],
        self_time=[(share(c), f) for f, c in self_time.most_common(8)],
        raw=raw,
        within=dict(everything),
        spent=dict(self_time),
    )
