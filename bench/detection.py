"""Claim detection alone, in this process: what one story costs verify's CPU, and how it
grows with the body (it should be linear: 4x the text, about 4x the time).

Caches are cleared before every timing (distinct stories would not hit them either).
`python -m bench.detection` prints the CPU cost per 3 KB story alone (the ceiling verify's
throughput is measured against is 4 ms), then the figures issue 16 asks for on every
labelled set (the tuning stories and the four held-out sets) and on the held-out
hedge-sentence and headline sets, and writes them to ``bench/detection_results.md``.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import stories
from tests.detection.metrics import (
    REPO,
    Figures,
    Flags,
    evaluate_file,
    headline_flags,
    hedge_flags,
)
from tests.detection.metrics import stories as tuning_stories
from verify.detection import COMPILED, STATE, detect_claims
from verify.detection.detector import analyse_story
from verify.detection.segment import _segment_line

RUNS = 5


@dataclass(frozen=True)
class DetectionFigure:
    fixture_ms: float  # median over the fixture stories, best of RUNS each
    fixture_max_ms: float
    fixture_bytes: int  # median body size
    load_story_ms: float  # the 3 KB stories the load sends (median of 20, once each)
    load_story_claims: float
    small_paragraphs: int
    large_paragraphs: int
    small_s: float
    large_s: float
    large_claims: int
    cpu_ms: float  # CPU per distinct 3 KB story: cpu_ms_per_story(), the 4 ms ceiling
    state: str  # compiled with mypyc (verify/detection/_native.py) or plain sources, and why
    pure_cpu_ms: float  # the same figure from the plain sources, in a child process

    @property
    def growth(self) -> float:
        return self.large_s / self.small_s if self.small_s else 0.0


def _clear() -> None:
    analyse_story.cache_clear()
    _segment_line.cache_clear()


def _timed(body: str) -> tuple[float, int]:
    _clear()
    started = time.perf_counter()
    found = detect_claims(body)
    return time.perf_counter() - started, len(found)


def _best_of(runs: int, body: str) -> float:
    return min(_timed(body)[0] for _ in range(runs))


def cpu_ms_per_story(stories_n: int = 200, rounds: int = 3) -> float:
    """Median over rounds of the CPU (process_time) per distinct 3 KB story, in ms."""
    bodies = [stories.body_of(n, seed=7) for n in range(stories_n)]
    detect_claims(bodies[0])  # compiles the patterns once
    per_round: list[float] = []
    for _ in range(rounds):
        _clear()
        started = time.process_time()
        for body in bodies:
            detect_claims(body)
        per_round.append((time.process_time() - started) / len(bodies))
    return 1000 * statistics.median(per_round)


def pure_cpu_ms_per_story() -> float:
    """cpu_ms_per_story() of the plain sources, in a child process (a process loads
    detection one way only)."""
    child = subprocess.run(
        [sys.executable, "-c", "from bench.detection import cpu_ms_per_story as f; print(f())"],
        env={**os.environ, "NEWSROOM_DETECTION_PURE": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    return float(child.stdout.split()[-1])


def run() -> DetectionFigure:
    bodies = stories.fixture_bodies()
    detect_claims(bodies[0])  # compiles the patterns once
    per_story = [_best_of(RUNS, b) for b in bodies]
    load = [_timed(stories.body_of(n, seed=99)) for n in range(20)]
    paragraphs = [p for b in bodies for p in b.split("\n\n") if p.strip()]

    def body_of(n: int) -> str:
        return "\n\n".join(f"In round {k}, " + paragraphs[k % len(paragraphs)] for k in range(n))

    small, large = 250, 1000
    t_small, _ = _timed(body_of(small))
    t_large, claims = _timed(body_of(large))
    return DetectionFigure(
        fixture_ms=1000 * statistics.median(per_story),
        fixture_max_ms=1000 * max(per_story),
        fixture_bytes=int(statistics.median(len(b.encode()) for b in bodies)),
        load_story_ms=1000 * statistics.median(t for t, _ in load),
        load_story_claims=statistics.median(c for _, c in load),
        small_paragraphs=small,
        large_paragraphs=large,
        small_s=t_small,
        large_s=t_large,
        large_claims=claims,
        cpu_ms=cpu_ms_per_story(),
        state="compiled (mypyc)" if COMPILED else f"plain sources ({STATE})",
        pure_cpu_ms=pure_cpu_ms_per_story(),
    )


SETS = ("tuning", "blind", "blind2", "blind3", "blind4", "blind5", "blind6")
RESULTS = Path(__file__).resolve().parent / "detection_results.md"


@dataclass(frozen=True)
class SetFigures:
    """One labelled set, pooled over its stories as ``tests/detection/test_blind.py`` pools."""

    name: str
    stories: int
    labelled: int
    found: int
    contested_recall: float
    contested_precision: float
    source_recall: float
    source_precision: float
    hedge_labels: int  # claims whose label says whether they are hedged (blind4 on)
    hedge_recall: float
    hedge_precision: float
    cpu_ms_per_story: float  # CPU per story of the set, caches cleared, median of rounds
    kb_per_story: float

    @property
    def claims_found(self) -> float:
        return self.found / self.labelled


def _set_files(name: str) -> list[tuple[str, Path, Path]]:
    if name == "tuning":
        return tuning_stories()
    texts = sorted((REPO / "tests" / "fixtures" / name).glob("*.txt"))
    return [(t.stem, t, t.with_suffix(".claims.json")) for t in texts]


def set_figures(name: str, rounds: int = 3) -> SetFigures:
    files = _set_files(name)
    figures: list[Figures] = [evaluate_file(n, text, labels) for n, text, labels in files]
    bodies = [text.read_text(encoding="utf-8") for _, text, _ in files]
    per_round = []
    for _ in range(rounds):
        _clear()
        started = time.process_time()
        for body in bodies:
            detect_claims(body)
        per_round.append((time.process_time() - started) / len(bodies))

    def ratio(part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    hits = sum(f.contested_hits for f in figures)
    hedge_hits = sum(f.hedge_hits for f in figures)
    return SetFigures(
        name=name,
        stories=len(figures),
        labelled=sum(f.labelled for f in figures),
        found=sum(f.found for f in figures),
        contested_recall=ratio(hits, sum(f.labelled_contested for f in figures)),
        contested_precision=ratio(hits, hits + sum(f.false_contested for f in figures)),
        source_recall=ratio(sum(f.sources_found for f in figures), sum(f.sources for f in figures)),
        source_precision=ratio(
            sum(f.detected_sources_labelled for f in figures),
            sum(f.detected_sources for f in figures),
        ),
        hedge_labels=sum(f.hedge_labels for f in figures),
        hedge_recall=ratio(hedge_hits, sum(f.labelled_hedged for f in figures)),
        hedge_precision=ratio(hedge_hits, hedge_hits + sum(f.false_hedged for f in figures)),
        cpu_ms_per_story=1000 * statistics.median(per_round),
        kb_per_story=statistics.mean(len(b.encode()) for b in bodies) / 1024,
    )


def table(rows: list[SetFigures]) -> str:
    lines = [
        "| set | stories | claims found | contested recall | contested precision "
        "| source recall | source precision | hedged recall | hedged precision | CPU per story |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        hedged = f"{r.hedge_recall:.2f} | {r.hedge_precision:.2f}" if r.hedge_labels else "- | -"
        lines.append(
            f"| {r.name} | {r.stories} | {r.claims_found:.2f} ({r.found}/{r.labelled}) "
            f"| {r.contested_recall:.2f} | {r.contested_precision:.2f} | {r.source_recall:.2f} "
            f"| {r.source_precision:.2f} | {hedged} "
            f"| {r.cpu_ms_per_story:.1f} ms ({r.kb_per_story:.1f} KB) |"
        )
    return "\n".join(lines)


def flags_table(hedges: Flags, headlines: Flags) -> str:
    return "\n".join(
        [
            "| set | lines | to flag | recall | precision |",
            "|---|---|---|---|---|",
            f"| hedge sentences (flagged uncertain) | {hedges.labelled} | {hedges.positives} "
            f"| {hedges.recall:.2f} | {hedges.precision:.2f} |",
            f"| headlines (only report a claim) | {headlines.labelled} | {headlines.positives} "
            f"| {headlines.recall:.2f} | {headlines.precision:.2f} |",
        ]
    )


def write_results(
    rows: list[SetFigures], hedges: Flags, headlines: Flags, per_3kb_ms: float
) -> None:
    RESULTS.write_text(
        "# Claim detection on the labelled sets\n\n"
        f"Written by `python -m bench.detection` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{platform.python_implementation()} {platform.python_version()}, detection "
        f"{'compiled with mypyc' if COMPILED else 'run as its Python sources'}, on a shared, "
        "loaded machine (CPU figures vary with its load).\n\n"
        "Pooled per set as `tests/detection/test_blind.py` pools them; headline labels "
        "(blind3) count with the body's. CPU per story: `time.process_time` over the "
        "set's stories, caches cleared, median of three rounds; the figure the issue's "
        f"4 ms ceiling applies to, per distinct 3 KB story, is {per_3kb_ms:.2f} ms.\n\n"
        f"{table(rows)}\n\n"
        "`tuning` is `tests/fixtures/stories/` (tuned on); `blind` and `blind2` are held "
        "out; `blind3` and `blind4` were each measured once after a round of tuning and are "
        "never tuned on; `blind5`, written by someone who never saw the rules, is measured "
        "once after issue 16's tuning and never tuned on; `blind6` was measured once before "
        "the round that wrote it, then tuned on (a guard, no longer an estimate). Hedged "
        "recall and precision: claims labelled `hedged` (blind4, blind5, blind6 and the r5 "
        "tuning stories) against "
        "detection's `uncertain`. A claim labelled `hedged` counts as contested (DESIGN: a "
        "claim the text only hedges is contested; `tests/fixtures/README.md`).\n\n"
        "Single lines, each labelled (`tests/fixtures/hedges/sentences.tsv`, "
        "`tests/fixtures/headlines/headlines.tsv`, both held out): a sentence is flagged when "
        "detection gives it as an uncertain claim; a headline, read by `detect_headline` as "
        "written, when it comes out with a source, a contest signal or a hedge.\n\n"
        f"{flags_table(hedges, headlines)}\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    per_3kb = cpu_ms_per_story()
    print(f"claim detection: {per_3kb:.2f} ms CPU per 3 KB story")
    rows = [set_figures(name) for name in SETS]
    print(table(rows))
    hedges, headlines = hedge_flags(), headline_flags()
    print(flags_table(hedges, headlines))
    write_results(rows, hedges, headlines, per_3kb)
    print(f"written to {RESULTS}")
