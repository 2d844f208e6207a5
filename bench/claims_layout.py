"""What a claim layout costs the store: ``N`` 3 KB stories' worth of verify's writes in
each candidate layout (:mod:`bench.layouts`: A today, B ``_id`` = claim id, C a story's
claims in one document, D keyed claim documents with no secondary index), each on a
fresh scratch SecantusDB, then the reviewers' common actions on the stored stories.

    .venv/bin/python -m bench.claims_layout N [--rounds R] [--actions K] [--drain M]

Reports the store process's CPU seconds (psutil ``cpu_times`` of the server, before and
after, its idle rate taken off) and the commands sent, per story and per action, and
projects verify's ceiling on 2 cores for each layout from detection's CPU per story
(``analyse_report``, timed here on the same bodies), the store's, and verify's own
(``--drain M``: verify's main process's CPU while ``bench.verify_drain`` drains ``M``
reports; otherwise ``--verify-ms``). Layouts run in a rotated order each round.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from pymongo import monitoring

from bench.layouts import LAYOUTS, ById, Layout, Planned, Today, plan_of, with_story_ids
from bench.layouts_story import Embedded, Keyed, Split
from bench.machine import load_average
from bench.markdown import table
from bench.profile import Recording
from bench.verify_drain import new_reports, verify_drain
from services import store
from services.log import configure_logging
from services.settings import Settings
from tests.support.infra import Infra
from verify.stories.analysis import Analysis, analyse_report
from verify.stories.documents import ALIAS, DOCUMENTS

BATCH = Settings().consumer_max_poll_records  # reports per poll batch, as verify takes them
PHASES = ("write", "lease", "mark", "queue")
ENDS = {"commitTransaction", "abortTransaction"}


class Commands(monitoring.CommandListener):
    """Commands sent to one database (and the transactions' ends), counted."""

    def __init__(self) -> None:
        self.database = ""
        self.count = 0
        self.by_name: Counter[str] = Counter()
        self._lock = threading.Lock()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.database_name == self.database or event.command_name in ENDS:
            with self._lock:
                self.count += 1
                self.by_name[event.command_name] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


COMMANDS = Commands()
monitoring.register(COMMANDS)  # before any client is made: they all report to it


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


@dataclass
class Phase:
    """What one phase cost: the store's CPU seconds (idle taken off), commands, units."""

    cpu: float = 0.0
    commands: int = 0
    units: int = 0
    wall: float = 0.0

    def per_unit_ms(self) -> float:
        return 1000.0 * self.cpu / self.units if self.units else float("nan")

    def commands_per_unit(self) -> float:
        return self.commands / self.units if self.units else float("nan")


@dataclass
class Run:
    name: str
    phases: dict[str, Phase] = field(default_factory=dict)
    load: float = 0.0


@contextmanager
def measured(process: psutil.Process, idle_rate: float, phase: Phase, units: int) -> Iterator[None]:
    """Add this block's store CPU (less ``idle_rate`` per second) and commands to ``phase``."""
    began, cpu, commands = time.monotonic(), cpu_seconds(process), COMMANDS.count
    yield
    wall = time.monotonic() - began
    phase.cpu += max(cpu_seconds(process) - cpu - idle_rate * wall, 0.0)
    phase.commands += COMMANDS.count - commands
    phase.units += units
    phase.wall += wall


def idle_rate(process: psutil.Process, seconds: float = 2.0) -> float:
    """The store's CPU seconds per second while nobody asks it anything (its own threads)."""
    cpu = cpu_seconds(process)
    time.sleep(seconds)
    return (cpu_seconds(process) - cpu) / seconds


def run_layout(name: str, stories: list[tuple[Any, Analysis]], actions: int, root: Path) -> Run:
    """One layout on a fresh store: the stories written a poll batch at a time, then
    ``actions`` leases, marks and queue pages."""
    infra = Infra(root / name)
    (root / name).mkdir(parents=True, exist_ok=True)
    infra.start_store()
    assert infra.store is not None
    try:
        settings = infra.settings(log_format="json", log_level="WARNING")
        COMMANDS.database = settings.database("verify")
        store.connect_store(settings, ALIAS)
        store.ensure_indexes(DOCUMENTS)
        chosen = layout(name)
        chosen.prepare()
        process = psutil.Process(infra.store.pid)
        idle = idle_rate(process)
        now = datetime.now(UTC)
        planned: list[Planned] = [
            with_story_ids(plan_of(report, analysis, now), name) for report, analysis in stories
        ]
        run = Run(name, {p: Phase() for p in PHASES}, load_average()[0])
        for start in range(0, len(planned), BATCH):
            batch = planned[start : start + BATCH]
            with measured(process, idle, run.phases["write"], len(batch)):
                chosen.store(batch, now)
        targets = [chosen.target(p) for p in planned[:actions]]
        for phase, act in (("lease", chosen.lease), ("mark", chosen.mark)):
            for claim_id in targets:
                with measured(process, idle, run.phases[phase], 1):
                    act(claim_id, now)
        for _ in range(actions):
            with measured(process, idle, run.phases["queue"], 1):
                assert chosen.queue_page() > 0
        return run
    finally:
        store.disconnect_store(ALIAS)
        infra.stop()


def layout(name: str) -> Layout:
    return {"A": Today, "B": ById, "C": Embedded, "D": Keyed, "E": Split}[name]()


def order(round_: int) -> list[str]:
    """The layouts in a rotated order: round r starts with the r-th (load drifts)."""
    k = round_ % len(LAYOUTS)
    return list(LAYOUTS[k:] + LAYOUTS[:k])


def detect(reports: list[Any]) -> tuple[list[tuple[Any, Analysis]], float]:
    """Each report's analysis (what verify's pool computes), and its median CPU ms."""
    limit = Settings().max_claims_per_revision
    out, times = [], []
    for report in reports:
        began = time.process_time()
        analysis = analyse_report(report.body, [], limit, report.headline)
        times.append(1000.0 * (time.process_time() - began))
        assert isinstance(analysis, Analysis)
        out.append((report, analysis))
    return out, statistics.median(times)


def verify_own_ms(n: int, root: Path, profile: float = 0.0) -> tuple[float, float, list[str]]:
    """(verify's main process, the store) CPU ms per story while verify drains ``n``
    queued reports (its detection pool's processes are not counted: that is detection),
    and where verify's main process spends them: ``profile`` seconds of py-spy from the
    drain's start, its heaviest project frames (none without py-spy)."""
    samples: list[tuple[float, float, float]] = []
    done = threading.Event()
    recording: list[Recording] = []

    def sample(pids: dict[str, int]) -> None:
        verify, server = psutil.Process(pids["verify"]), psutil.Process(pids["store"])
        if profile > 0:
            recording.append(Recording({"verify": pids["verify"]}, profile, root, "drain"))

        def loop() -> None:
            while not done.is_set():
                try:
                    samples.append((time.monotonic(), cpu_seconds(verify), cpu_seconds(server)))
                except psutil.Error:
                    return
                time.sleep(0.25)

        threading.Thread(target=loop, daemon=True).start()

    rate, _ = verify_drain(n, root, on_start=sample)
    done.set()
    (t0, v0, s0), (t1, v1, s1) = samples[0], samples[-1]
    stories = rate * (t1 - t0)
    where = [
        f"{share:5.1f}%  {frame}"
        for found in (recording[0].finish() if recording else [])
        for share, frame in found.inclusive
    ]
    return 1000.0 * (v1 - v0) / stories, 1000.0 * (s1 - s0) / stories, where


@dataclass(frozen=True)
class Ceiling:
    """Verify's ceiling on ``cores`` cores from CPU ms per story, and its ratio to
    detection alone on the same cores (``cores`` processes). The store and verify's main
    process are each one Python process: each runs on one core at most."""

    stories_per_second: float
    ratio: float
    bound: str

    @classmethod
    def of(cls, detection: float, store_ms: float, verify_ms: float, cores: int = 2) -> Ceiling:
        limits = {
            "all cores": 1000.0 * cores / (detection + store_ms + verify_ms),
            "store process": 1000.0 / store_ms,
            "verify process": 1000.0 / verify_ms,
        }
        bound = min(limits, key=lambda k: limits[k])
        alone = 1000.0 * cores / detection
        return cls(limits[bound], limits[bound] / alone, bound)


def median_phase(runs: list[Run], phase: str) -> tuple[float, float]:
    """(median store CPU ms per unit, median commands per unit) of a phase over runs."""
    return (
        statistics.median(r.phases[phase].per_unit_ms() for r in runs),
        statistics.median(r.phases[phase].commands_per_unit() for r in runs),
    )


def report(by_layout: dict[str, list[Run]], detection: float, verify_ms: float) -> list[str]:
    rows, projection = [], []
    for name, runs in by_layout.items():
        cells = []
        for phase in PHASES:
            cpu, commands = median_phase(runs, phase)
            cells += [f"{cpu:.1f}", f"{commands:.1f}"]
        rows.append([name, *cells, ", ".join(f"{r.load:.1f}" for r in runs)])
        store_ms = median_phase(runs, "write")[0]
        ceiling = Ceiling.of(detection, store_ms, verify_ms)
        projection.append([
            name, f"{detection:.1f}", f"{store_ms:.1f}", f"{verify_ms:.1f}",
            f"{ceiling.stories_per_second:.0f}/s", ceiling.bound, f"{ceiling.ratio:.2f}",
        ])  # fmt: skip
    header = ["layout"]
    for phase in PHASES:
        unit = "story" if phase == "write" else phase
        header += [f"{phase}: store ms/{unit}", "commands"]
    lines = ["Store CPU (median over rounds) and commands:", ""]
    lines += table([*header, "load (1 min) per round"], rows)
    lines += ["Verify's ceiling on 2 cores (CPU ms per story):", ""]
    lines += table(
        ["layout", "detection", "store", "verify's own", "ceiling", "bound by", "ratio"],
        projection,
    )
    return lines


def main(argv: list[str] | None = None, out: Callable[[str], object] = print) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.claims_layout")
    parser.add_argument("n", type=int, nargs="?", default=200)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--actions", type=int, default=40)
    parser.add_argument("--layouts", default="".join(LAYOUTS))
    parser.add_argument("--drain", type=int, default=0, help="reports for verify's own CPU")
    parser.add_argument("--verify-ms", type=float, default=float("nan"))
    parser.add_argument("--profile", type=float, default=0.0, help="py-spy seconds of the drain")
    args = parser.parse_args(argv)
    configure_logging("WARNING", "console")
    stories, detection = detect(new_reports(args.n))
    claims = sum(len(a.candidates) for _, a in stories) / len(stories)
    out(f"{args.n} stories, {claims:.1f} claims each; detection {detection:.1f} ms CPU/story")
    by_layout: dict[str, list[Run]] = {name: [] for name in args.layouts}
    with tempfile.TemporaryDirectory(prefix="claims-layout-") as tmp:
        for round_ in range(args.rounds):
            for name in order(round_):
                if name in by_layout:
                    run = run_layout(name, stories, args.actions, Path(tmp) / f"r{round_}")
                    by_layout[name].append(run)
                    w = run.phases["write"]
                    out(f"  round {round_} {name}: write {w.per_unit_ms():.1f} ms/story "
                        f"({w.commands_per_unit():.2f} commands), load {run.load:.1f}")  # fmt: skip
        verify_ms = args.verify_ms
        if args.drain:
            drain = Path(tmp) / "drain"
            verify_ms, drain_store, where = verify_own_ms(args.drain, drain, args.profile)
            out(f"  drain of {args.drain}: verify's own {verify_ms:.1f} ms/story, "
                f"store {drain_store:.1f} ms/story")  # fmt: skip
            out(
                "\n".join(["  verify's main process (py-spy, inclusive):", *where]) if where else ""
            )
    out("\n".join(report(by_layout, detection, verify_ms)))


if __name__ == "__main__":
    main()
