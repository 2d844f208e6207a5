"""Claim detection's CPU per story, this tree against a git revision, A/B in one process.

The machine is shared, so a figure measured alone says little: both sides run here,
alternating round by round, on the same distinct 3 KB stories (``bench.stories``, seed
7), caches cleared before each round as ``bench.detection`` clears them. The revision's
``verify/detection`` is extracted into a temporary directory and imported as a package
of its own name, so both versions live in one interpreter.

``--instructions`` also counts the instructions each side executes (valgrind's callgrind,
in a child process per side): unlike CPU time, that count does not move with the
machine's load, so it shows a change of a few percent that timing cannot.

    python -m bench.detection_ab --base main --stories 200 --rounds 6
    python -m bench.detection_ab --base main --instructions
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import stories

REPO = Path(__file__).resolve().parent.parent
BASE_PACKAGE = "detection_base"


def extract(rev: str, into: Path) -> None:
    """The revision's verify/detection, as package ``detection_base`` under ``into``."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", rev, "verify/detection"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    (into / "verify" / "detection").rename(into / BASE_PACKAGE)


def side(package: str) -> tuple[Callable[[str], object], Callable[[], None]]:
    """detect_claims of a package, and what clears its per-story caches."""
    detector = importlib.import_module(f"{package}.detector")
    segment = importlib.import_module(f"{package}.segment")

    def clear() -> None:
        detector.analyse_story.cache_clear()
        segment._segment_line.cache_clear()

    return detector.detect_claims, clear


def timed(n: int, rounds: int) -> dict[str, list[float]]:
    bodies = [stories.body_of(k, seed=7) for k in range(n)]
    sides = {"base": side(BASE_PACKAGE), "tree": side("verify.detection")}
    for detect, _ in sides.values():
        for body in bodies[:20]:
            detect(body)  # compiles the patterns, fills the word caches
    ms: dict[str, list[float]] = {name: [] for name in sides}
    for r in range(rounds):
        for name in sorted(sides, reverse=r % 2 == 1):  # alternate which side goes first
            detect, clear = sides[name]
            clear()
            started = time.process_time()
            for body in bodies:
                detect(body)
            ms[name].append(1000 * (time.process_time() - started) / n)
    return ms


_COLLECTED = re.compile(r"Collected : (\d+)")


def instructions(base_dir: Path, package: str, n: int) -> int:
    """Instructions one child executes detecting n stories, less those of detecting none
    (imports, pattern compiling and the interpreter's start)."""

    def run(count: int) -> int:
        code = (
            "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
            "import importlib\nfrom bench import stories\n"
            "d = importlib.import_module(sys.argv[3] + '.detector')\n"
            "bodies = [stories.body_of(k, seed=7) for k in range(int(sys.argv[4]) + 1)]\n"
            "d.detect_claims(bodies[0]); d.analyse_story.cache_clear()\n"
            "for b in bodies[1:]: d.detect_claims(b)\n"
        )
        child = [sys.executable, "-c", code, str(base_dir), str(REPO), package, str(count)]
        out = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *child],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},  # set order is then the same each run
        )
        found = _COLLECTED.search(out.stderr)
        if found is None:
            raise RuntimeError(f"callgrind gave no count: {out.stderr[-500:]}")
        return int(found.group(1))

    return run(n) - run(0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="main", help="git revision to compare against")
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--instructions", action="store_true", help="also count (valgrind)")
    args = parser.parse_args()
    base_dir = Path(tempfile.mkdtemp(prefix="detection-ab-"))
    try:
        extract(args.base, base_dir)
        sys.path.insert(0, str(base_dir))
        ms = timed(args.stories, args.rounds)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"{args.stories} distinct 3 KB stories, {args.rounds} rounds each, load {load}")
        for name, runs in ms.items():
            spread = " ".join(f"{x:.2f}" for x in runs)
            print(f"  {name}: median {statistics.median(runs):.2f} ms per story ({spread})")
        ratio = statistics.median(ms["tree"]) / statistics.median(ms["base"])
        print(f"  tree / base: {ratio:.3f}")
        if args.instructions:
            n = 20
            counts = {p: instructions(base_dir, p, n) for p in (BASE_PACKAGE, "verify.detection")}
            per = {p: c / n / 1e6 for p, c in counts.items()}
            print(
                f"  instructions per story (callgrind, {n} stories): base "
                f"{per[BASE_PACKAGE]:.2f} M, tree {per['verify.detection']:.2f} M, "
                f"tree / base {per['verify.detection'] / per[BASE_PACKAGE]:.3f}"
            )
    finally:
        shutil.rmtree(base_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
