"""The stack's processes, sampled with psutil while the bench runs: peak RSS and CPU
use of each part, per phase of the run (the phase is whatever figure runs)."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable

import psutil

INTERVAL = 0.2
WHOLE_RUN = "whole run"
WITH_WORKERS = " + workers"


class Sampler:
    """Samples ``pids()`` (part -> pid, asked again each time: parts come and go)."""

    def __init__(self, pids: Callable[[], dict[str, int]]) -> None:
        self._pids = pids
        self.phase = "start"
        self.rss: dict[str, dict[str, int]] = defaultdict(dict)  # phase -> part -> bytes
        self.cpu: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.wall: dict[str, float] = defaultdict(float)
        self._procs: dict[int, psutil.Process] = {}
        self._last_cpu: dict[int, float] = {}
        self._last = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def cores(self, phase: str, part: str) -> float:
        """Average CPU use of ``part`` during ``phase``, in cores."""
        wall = self.wall.get(phase, 0.0)
        return self.cpu[phase].get(part, 0.0) / wall if wall else 0.0

    def sample(self) -> None:
        now = time.monotonic()
        phases = (self.phase, WHOLE_RUN)
        for phase in phases:
            self.wall[phase] += now - self._last
        self._last = now
        totals: dict[str, int] = {}  # part -> RSS of it and its workers at this sample
        for part, pid in self._with_pools(self._pids()).items():
            try:
                proc = self._procs.get(pid) or self._procs.setdefault(pid, psutil.Process(pid))
                rss = int(proc.memory_info().rss)
                times = proc.cpu_times()
            except psutil.Error:
                continue
            used = times.user + times.system
            spent = used - self._last_cpu.get(pid, used)
            self._last_cpu[pid] = used
            base = part.split(" worker ")[0]
            totals[base] = totals.get(base, 0) + rss
            for phase in phases:
                self.rss[phase][part] = max(self.rss[phase].get(part, 0), rss)
                self.cpu[phase][part] += spent
        for base, rss in totals.items():
            for phase in phases:
                key = f"{base}{WITH_WORKERS}"
                self.rss[phase][key] = max(self.rss[phase].get(key, 0), rss)

    def _with_pools(self, pids: dict[str, int]) -> dict[str, int]:
        """The parts, and each service's child processes as ``<part> worker N`` (verify's
        detection pool, its forkserver): their memory is the service's too."""
        found = dict(pids)
        for part, pid in pids.items():
            if part in ("broker", "store"):
                continue
            try:
                children = psutil.Process(pid).children(recursive=True)
            except psutil.Error:
                continue
            for n, child in enumerate(sorted(children, key=lambda c: c.pid)):
                found[f"{part} worker {n + 1}"] = child.pid
        return found

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL):
            self.sample()
