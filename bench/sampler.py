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
        for part, pid in self._pids().items():
            try:
                proc = self._procs.get(pid) or self._procs.setdefault(pid, psutil.Process(pid))
                rss = int(proc.memory_info().rss)
                times = proc.cpu_times()
            except psutil.Error:
                continue
            used = times.user + times.system
            spent = used - self._last_cpu.get(pid, used)
            self._last_cpu[pid] = used
            for phase in phases:
                self.rss[phase][part] = max(self.rss[phase].get(part, 0), rss)
                self.cpu[phase][part] += spent

    def _run(self) -> None:
        while not self._stop.wait(INTERVAL):
            self.sample()
