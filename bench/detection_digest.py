"""One digest of everything claim detection answers on every text it is tested or benched on.

A change meant to be structural only (a speed-up) must leave the digest unchanged:
`python -m bench.detection_digest` before and after, and compare the last line. It runs
``detect_claims`` over every fixture story (tuning and held-out sets), every labelled
hedge sentence and headline, every sentence of the claim-memory pairs, and the stories
the bench generates; ``detect_headline`` over every headline line and every story's first
line; ``analyse_span`` over spans that cross sentences. ``--each`` prints one digest per
group as well, to find which group a change moved.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml

from bench import stories
from verify.detection import analyse_span, detect_claims, detect_headline

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"
STORY_SETS = ("stories", "blind", "blind2", "blind3", "blind4", "blind5", "blind6")


def _lines(path: Path) -> list[str]:
    rows = path.read_text(encoding="utf-8").splitlines()
    return [r.split("\t", 1)[1] for r in rows if r and not r.startswith("#") and "\t" in r]


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def story_bodies() -> list[str]:
    return [
        p.read_text(encoding="utf-8")
        for name in STORY_SETS
        for p in sorted((FIXTURES / name).glob("*.txt"))
    ]


def memory_texts() -> list[str]:
    out: list[str] = []
    for path in sorted((FIXTURES / "memory").glob("*.yaml")):
        out += list(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    return out


def bench_bodies() -> list[str]:
    """The bench's generated bodies: the 3 KB load stories, larger ones, and the
    many-claims body of the large-story test."""
    out = [stories.body_of(n, seed=7) for n in range(200)]
    out += [stories.body_of(n, seed=99) for n in range(20)]
    out += [stories.body_of(n, size=30 * 1024, seed=3) for n in range(4)]
    out.append(stories.many_claims_body(300))
    return out


def _spans(body: str) -> Iterator[tuple[int, int]]:
    """Spans a person might choose: every claim alone, each pair of neighbours, and a
    span cut inside words."""
    claims = detect_claims(body)
    for c in claims:
        yield c.start, c.end
    for a, b in pairwise(claims):
        yield a.start, b.end
    if len(body) > 40:
        yield 7, len(body) // 2 + 3


def _encode(result: Any) -> bytes:
    return json.dumps(result, sort_keys=True, default=_plain).encode()


def _plain(o: Any) -> Any:
    if dataclasses.is_dataclass(o) and not isinstance(o, type):
        return {
            "type": type(o).__name__,
            **dataclasses.asdict(o),
            "uncertain": getattr(o, "uncertain", None),
        }
    raise TypeError(type(o).__name__)


def groups() -> dict[str, Callable[[], Iterator[Any]]]:
    bodies = story_bodies()
    hedges = _lines(FIXTURES / "hedges" / "sentences.tsv")
    headlines = _lines(FIXTURES / "headlines" / "headlines.tsv")
    return {
        "stories": lambda: (detect_claims(b) for b in bodies),
        "spans": lambda: (analyse_span(b, s, e) for b in bodies for s, e in _spans(b)),
        "first_lines": lambda: (detect_headline(b.split("\n", 1)[0]) for b in bodies),
        "hedges": lambda: (detect_claims(t) for t in hedges),
        "headlines": lambda: ((detect_headline(t), detect_claims(t)) for t in headlines),
        "memory": lambda: (detect_claims(t) for t in memory_texts()),
        "bench": lambda: (detect_claims(b) for b in bench_bodies()),
    }


def main(argv: list[str]) -> None:
    whole = hashlib.sha256()
    for name, results in groups().items():
        part = hashlib.sha256()
        n = 0
        for result in results():
            line = _encode(result)
            part.update(line)
            whole.update(line)
            n += 1
        if "--each" in argv:
            print(f"{name}: {n} results {part.hexdigest()[:16]}")
    print(whole.hexdigest())


if __name__ == "__main__":
    main(sys.argv[1:])
