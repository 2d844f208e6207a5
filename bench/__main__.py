"""``make bench``: start the bench's own stack, measure every figure against its bare
baseline in this one run, and write ``bench/results.md`` and ``bench/ingest.png``.

Order: end to end at the target's rate with one verify, then with two (each on a fresh
stack: verify falls behind at that rate), then on a last fresh stack end to end at a low
rate, the gate, the feeds, and ingest last (its load leaves a backlog in verify that
would skew anything after it). Detection and claim memory (its own store) run in this
process once the stack is down.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench import detection, e2e, feeds, gaps, gate, ingest, machine, memory, plot, report, stack
from bench.sampler import Sampler
from services.log import configure_logging

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ("e2e", "gate", "feeds", "ingest", "detection", "memory")


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
        machine=machine.machine(), versions=machine.versions(), loads=[], started=time.time()
    )
    seed = int(time.time())
    current: list[stack.BenchStack] = []
    sampler = Sampler(lambda: current[0].pids() if current else {})

    def fresh_stack() -> stack.BenchStack:
        """A new stack: an empty broker and store, so no figure waits behind another's
        backlog (verify falls far behind at the end-to-end rate)."""
        if current:
            current.pop().down()
        print("Starting a fresh bench stack under bench/.run", flush=True)
        current.append(stack.start())
        results.settings = stack.settings_table(current[0])
        return current[0]

    def measure(name: str, work: Callable[[], None]) -> None:
        """Run one figure; a figure that fails is reported as not measured, and the
        others still run."""
        sampler.phase = name
        results.loads.append((name, machine.load_average()))
        print(f"{name} (load average {machine.load_average()[0]:.2f})", flush=True)
        try:
            work()
        except Exception as exc:
            traceback.print_exc()
            results.errors[name] = f"{type(exc).__name__}: {exc}"

    stack.clean()
    work = stack.WORK
    sampler.start()
    try:
        if "e2e" in args.only:
            rate, seconds = e2e.RATE, e2e.SECONDS
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
        bench = fresh_stack()
        if "e2e" in args.only:
            rate, seconds = e2e.LOW_RATE, e2e.LOW_SECONDS
            measure(
                f"end to end at {rate:g}/s, one verify",
                lambda: results.e2e.append(e2e.run(bench, work, 1, seed + 2, rate, seconds)),
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
        print("Stopping the bench stack", flush=True)
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
    (ROOT / "bench" / "results.md").write_text(report.render(results, gaps.render(results)))
    print(f"Wrote bench/results.md and bench/ingest.png in {results.minutes:.1f} min", flush=True)


if __name__ == "__main__":
    main()
