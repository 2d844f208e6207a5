"""``make bench``: start the bench's own stack, measure every figure against its bare
baseline in this one run, and write ``bench/results.md``, ``bench/ingest.png`` and
``bench/burst.png``.

Order: verify draining a backlog beside detection alone (its own broker and store); end
to end at an overload rate with one verify, then with two (each on a fresh stack: verify
falls behind at that rate, and the rate verify then sustains is the figure); a burst of
reports drained on a fresh stack; then on a last fresh stack end to end at half the rate
one verify sustained, the gate, the feeds, and ingest last (its load leaves a backlog in
verify that would skew anything after it). Detection and claim memory (its own store)
run in this process once the stack is down. ``BENCH_QUICK=1`` runs every part smaller
(a check of the bench, not figures).
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import (
    burst,
    detection,
    e2e,
    feeds,
    gaps,
    gate,
    ingest,
    machine,
    memory,
    plot,
    report,
    stack,
    verify_ratio,
)
from bench.sampler import Sampler
from services.log import configure_logging

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("verify", "e2e", "burst", "gate", "feeds", "ingest", "detection", "memory")
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
DRAIN_REPORTS = 150 if QUICK else 400
BURST_REPORTS = 500 if QUICK else 5000
OVERLOAD = (100.0, 5.0) if QUICK else (e2e.RATE, e2e.SECONDS)  # reports/s, seconds
HALF_SECONDS = 10.0 if QUICK else 30.0


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", nargs="+", choices=FIGURES, default=list(FIGURES))
    args = parser.parse_args()
    os.chdir(ROOT)  # the bare apps and the pacer run as `python -m bench.…`
    configure_logging("WARNING", "console")
    # Waiting for the broker to come up is expected to be refused a few times.
    logging.getLogger("kafka").setLevel(logging.CRITICAL)
    started = time.monotonic()
    results = report.Results(
        machine=machine.machine(),
        versions=machine.versions(),
        loads=[],
        started=time.time(),
        quick=QUICK,
    )
    seed = int(time.time())
    current: list[stack.BenchStack] = []
    sampler = Sampler(lambda: current[0].pids() if current else {})

    def say(message: str) -> None:
        elapsed = time.monotonic() - started
        print(f"[{elapsed // 60:02.0f}:{elapsed % 60:02.0f}] {message}", flush=True)

    def fresh_stack() -> stack.BenchStack:
        """A new stack: an empty broker and store, so no figure waits behind another's
        backlog (verify falls far behind at the end-to-end rate)."""
        if current:
            current.pop().down()
        say("Starting a fresh bench stack under bench/.run")
        current.append(stack.start())
        results.settings = stack.settings_table(current[0])
        return current[0]

    def measure(name: str, work: Callable[[], None]) -> None:
        """Run one figure; a figure that fails is reported as not measured, and the
        others still run."""
        sampler.phase = name
        results.loads.append((name, machine.load_average()))
        say(f"{name} (load average {machine.load_average()[0]:.2f})")
        began = time.monotonic()
        try:
            work()
        except Exception as exc:
            traceback.print_exc()
            results.errors[name] = f"{type(exc).__name__}: {exc}"
        say(f"{name}: done in {time.monotonic() - began:.0f} s")

    stack.clean()
    work = stack.WORK
    if "verify" in args.only:
        measure(
            "verify draining a backlog",
            lambda: setattr(results, "verify", verify_ratio.run(DRAIN_REPORTS, work)),
        )
    sampler.start()
    try:
        if "e2e" in args.only:
            rate, seconds = OVERLOAD
            bench = fresh_stack()
            measure(
                f"end to end at {rate:g}/s, one verify",
                lambda: results.e2e.append(e2e.run(bench, work, 1, seed, rate, seconds)),
            )
            bench = fresh_stack()
            measure(
                f"end to end at {rate:g}/s, two verify",
                lambda: results.e2e.append(
                    e2e.run(bench.with_second_verify(), work, 2, seed + 1, rate, seconds)
                ),
            )
        if "burst" in args.only:
            bench = fresh_stack()
            measure(
                f"burst of {BURST_REPORTS} reports",
                lambda: setattr(results, "burst", burst.run(bench, work, BURST_REPORTS, seed + 4)),
            )
        if {"e2e", "gate", "feeds", "ingest"} & set(args.only):
            bench = fresh_stack()
        if "e2e" in args.only:
            rate = half_rate(results)
            measure(
                f"end to end at {rate:g}/s, one verify",
                lambda: results.e2e.append(e2e.run(bench, work, 1, seed + 2, rate, HALF_SECONDS)),
            )
        if "gate" in args.only:
            measure("gate", lambda: setattr(results, "gate", gate.run(bench, work)))
        if "feeds" in args.only:
            measure("feeds", lambda: setattr(results, "feeds", feeds.run(bench, work, seed + 3)))
        if "ingest" in args.only:
            measure(
                "ingest: bare app",
                lambda: setattr(results, "ingest", ingest.run(bench, work, sampler)),
            )
        sampler.phase = "end"
    finally:
        sampler.stop()
        say("Stopping the bench stack")
        if current:
            current.pop().down()
    results.sampler = sampler
    if "detection" in args.only:
        measure("detection", lambda: setattr(results, "detection", detection.run()))
    if "memory" in args.only:
        measure("claim memory", lambda: setattr(results, "memory", memory.run()))
    results.loads.append(("done", machine.load_average()))
    results.minutes = (time.monotonic() - started) / 60
    if results.ingest is not None:
        plot.ingest_plot(results.ingest, ROOT / "bench" / "ingest.png")
    if results.burst is not None:
        plot.burst_plot(results.burst, ROOT / "bench" / "burst.png")
    (ROOT / "bench" / "results.md").write_text(report.render(results, gaps.render(results)))
    say(f"Wrote bench/results.md and its plots in {results.minutes:.1f} min")


def half_rate(results: report.Results) -> float:
    """Half the rate one verify sustained under overload in this run (through the whole
    pipeline), else half its drain rate, else the old fixed low rate."""
    loaded = [f for f in results.e2e if f.consumers == 1 and f.verify_per_second > 0]
    if loaded:
        return round(loaded[0].verify_per_second / 2, 1)
    if results.verify is not None:
        return round(results.verify.verify_per_second / 2, 1)
    return e2e.LOW_RATE


if __name__ == "__main__":
    main()
