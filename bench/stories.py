"""Report bodies for the load: news English from the test fixtures, made unique.

Every generated body is different in every paragraph (a round number leads each one),
so no cache in verify's detection helps a later report: the load costs what real,
distinct stories cost.
"""

from __future__ import annotations

import json
import random
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "stories"
STORY_BYTES = 3 * 1024
SECTION = "world"


@cache
def fixture_bodies() -> tuple[str, ...]:
    return tuple(p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt")))


@cache
def paragraphs() -> tuple[str, ...]:
    """Every paragraph of every fixture story but its headline line."""
    found = []
    for body in fixture_bodies():
        found += [p.strip() for p in body.split("\n\n")[1:] if len(p.strip()) > 80]
    return tuple(found)


def body_of(n: int, size: int = STORY_BYTES, seed: int = 0) -> str:
    """A body of about ``size`` bytes (never more), unique for ``(n, seed)``."""
    rng = random.Random(n * 7919 + seed)
    source = paragraphs()
    out: list[str] = []
    used = 0
    while True:
        paragraph = f"In round {n}.{len(out)}, " + rng.choice(source)
        cost = len(paragraph.encode()) + 2
        if used + cost > size:
            break
        out.append(paragraph)
        used += cost
    return "\n\n".join(out)


def report(n: int, size: int = STORY_BYTES, seed: int = 0) -> dict[str, Any]:
    return {"headline": f"Bench story {n}", "body": body_of(n, size, seed), "section": SECTION}


def report_bytes(n: int, seed: int = 0) -> bytes:
    return json.dumps(report(n, seed=seed), separators=(",", ":")).encode()


def many_claims_body(sentences: int) -> str:
    """A body of ``sentences`` checkable sentences: a figure, a date, a named source each."""
    places = ["Marenza", "Gornje Polje", "the northern districts", "the port", "the capital"]
    sources = ["the commission said", "the ministry said", "police said", "the mayor said"]
    lines = []
    for k in range(sentences):
        lines.append(
            f"In {places[k % len(places)]}, {1000 + 37 * k} ballots were counted on "
            f"Monday in precinct {k}, {sources[k % len(sources)]}."
        )
    # Ten sentences a paragraph, as a long results story would have them.
    return "\n\n".join(" ".join(lines[i : i + 10]) for i in range(0, len(lines), 10))
