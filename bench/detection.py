"""Claim detection alone, in this process: what one story costs verify's CPU, and how it
grows with the body (it should be linear: 4x the text, about 4x the time).

Caches are cleared before every timing (distinct stories would not hit them either).
`python -m bench.detection` prints the CPU cost per 3 KB story alone (the ceiling verify's
throughput is measured against is 4 ms).
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from bench import stories
from verify.detection import detect_claims
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
    )


if __name__ == "__main__":
    print(f"claim detection: {cpu_ms_per_story():.2f} ms CPU per 3 KB story")
