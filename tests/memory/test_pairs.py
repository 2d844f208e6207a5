"""The matcher on the labelled pair sets: precision and recall on each set (the blind
one was written before the rules and is never tuned on), and no kind of pair that the
matcher gets mostly wrong."""

from __future__ import annotations

import pytest

from tests.memory.pairs import SETS, load, score

PRECISION = 0.95
RECALL = 0.85


def test_the_sets_hold_at_least_300_pairs_over_several_beats() -> None:
    pairs = [p for name in SETS for p in load(name)]
    assert len(pairs) >= 300
    assert len({p.beat for p in pairs}) >= 10
    kinds = {p.kind for p in pairs}
    assert {"reworded", "reordered", "shortened", "attribution"} <= kinds
    assert {"number", "date", "place", "party", "negation", "hedge", "unrelated"} <= kinds


@pytest.mark.parametrize("name", SETS)
def test_precision_and_recall_on_each_set(name: str) -> None:
    result = score(load(name))
    wrong = [(p.kind, p.second, why) for p, why in result.wrong]
    assert result.precision >= PRECISION, wrong
    assert result.recall >= RECALL, wrong


@pytest.mark.parametrize("name", SETS)
def test_every_kind_of_pair_is_mostly_right(name: str) -> None:
    result = score(load(name))
    for kind, total in result.kinds.items():
        assert result.per_kind[kind] / total >= 0.8, (kind, result.per_kind[kind], total)
