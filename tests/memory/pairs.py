"""The labelled claim pairs (tests/fixtures/memory/): loading them and scoring the
matcher on them, per kind of pair. Used by the tests and by `make bench`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from verify.memory import compare, read

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "memory"
# tuning: the rules were worked out on it; blind: written before any rule, never tuned on.
SETS = ("tuning", "blind")


@dataclass(frozen=True)
class Pair:
    beat: str
    kind: str  # reworded, reordered, shortened, attribution; number, date, ...; unrelated
    first: str
    second: str
    same: bool


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    per_kind: Counter[str] = field(default_factory=Counter)  # right answers per kind
    kinds: Counter[str] = field(default_factory=Counter)  # pairs per kind
    wrong: list[tuple[Pair, str | None]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def pairs(self) -> int:
        return self.tp + self.fp + self.fn + self.tn


def load(name: str) -> list[Pair]:
    groups = yaml.safe_load((FIXTURES / f"{name}.yaml").read_text(encoding="utf-8"))["groups"]
    pairs: list[Pair] = []
    for g in groups:
        claim, beat = g["claim"], g["beat"]
        pairs += [Pair(beat, kind, claim, text, True) for kind, text in g["same"].items()]
        pairs += [Pair(beat, kind, claim, text, False) for kind, text in g["differ"].items()]
        pairs.append(Pair(beat, "unrelated", claim, g["unrelated"], False))
    return pairs


def score(pairs: list[Pair]) -> Score:
    result = Score()
    for pair in pairs:
        found = compare(read(pair.first), read(pair.second))
        result.kinds[pair.kind] += 1
        if found.same == pair.same:
            result.per_kind[pair.kind] += 1
        else:
            result.wrong.append((pair, found.differs))
        if pair.same:
            result.tp += found.same
            result.fn += not found.same
        else:
            result.fp += found.same
            result.tn += not found.same
    return result
