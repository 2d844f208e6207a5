"""Claim detection on stories it was never tuned on.

Three held-out sets, each of ten or twelve stories written and labelled by someone who
had not seen the rules, kept out of every tuning round (`metrics.stories()` does not read
them).
They estimate what unseen news gets. Pooled per set, as single stories have few
contested claims. Per-story bars would not hold; the per-story figures are printed
(pytest -s).

- `tests/fixtures/blind/`: measured after the dispute-party round at contested recall
  0.85 (0.67 the round before), precision 0.87, sources 0.89. Its misses were read, in
  general terms, before later rounds, so it is no longer a clean estimate.
- `tests/fixtures/blind2/`: written after that, never read by whoever tunes the rules.
  Measured before the reply-verb round (3a76af5), after it, and after the round of
  vague groups, role-and-name sources and "a different account" (8 tuning stories by
  another independent writer): contested recall 0.65 -> 0.69 -> 0.71, precision
  0.83 -> 0.83 -> 0.84, sources 0.81 throughout, claims found 1.00. This is the
  honest estimate for unseen news.

After the news-English round (issue 16: attribution beyond "X said", hedges, headlines):
blind sources 0.88 -> 0.90 and source precision 0.75 -> 0.76; blind2 unchanged (source
precision 0.840 -> 0.839: the object of "cited" is no longer a source, which was once a
labelled one there and once not). Contested figures unchanged on both.

- `tests/fixtures/blind3/`: twelve stories in new beats (courts, markets, disasters,
  elections, science, sport, celebrity, local government), headline claims labelled
  (`"headline": true`). Measured once, after the issue-16 round was finished: claims
  found 0.94 (226 labels), contested recall 0.50, precision 0.82, sources 0.81, source
  precision 0.73; main's rules before that round gave 0.88 / 0.46 / 0.82 / 0.74 / 0.71.
  Headline claims: 11 of 12 found, 4 of the 8 contested ones flagged. Never tune on it.

The floors below are each set's figures, rounded down: a change that loses ground on
unseen stories fails here even if it wins on the tuning set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .metrics import REPO, Figures, evaluate_file

FIXTURES = REPO / "tests" / "fixtures"
FLOORS: dict[str, dict[str, float]] = {
    "blind": {
        "found": 0.95,
        "contested_recall": 0.8,
        "contested_precision": 0.8,
        "sources": 0.9,
        "source_precision": 0.75,
    },
    "blind2": {
        "found": 0.95,
        "contested_recall": 0.7,
        "contested_precision": 0.8,
        "sources": 0.8,
        "source_precision": 0.83,
    },
    # Measured once, after the issue-16 round was tuned, never tuned on (see the module
    # docstring): found 0.94, contested recall 0.50, precision 0.82, sources 0.81,
    # source precision 0.73.
    "blind3": {
        "found": 0.94,
        "contested_recall": 0.5,
        "contested_precision": 0.82,
        "sources": 0.8,
        "source_precision": 0.73,
    },
}


@pytest.mark.parametrize("held_out_set", sorted(FLOORS))
def test_detection_on_stories_it_was_never_tuned_on(held_out_set: str) -> None:
    figures: list[Figures] = []
    for text in sorted((FIXTURES / held_out_set).glob("*.txt")):
        labels = Path(str(text).removesuffix(".txt") + ".claims.json")
        figures.append(evaluate_file(text.stem, text, labels))
        print("\n" + figures[-1].line())
    assert len(figures) >= 10
    hits = sum(f.contested_hits for f in figures)
    pooled = {
        "found": sum(f.found for f in figures) / sum(f.labelled for f in figures),
        "contested_recall": hits / sum(f.labelled_contested for f in figures),
        "contested_precision": hits / (hits + sum(f.false_contested for f in figures)),
        "sources": sum(f.sources_found for f in figures) / sum(f.sources for f in figures),
        # a detected source on a labelled claim that is one of its labelled sources
        "source_precision": sum(f.detected_sources_labelled for f in figures)
        / sum(f.detected_sources for f in figures),
    }
    print(f"\n{held_out_set} pooled: " + "  ".join(f"{k} {v:.2f}" for k, v in pooled.items()))
    for name, floor in FLOORS[held_out_set].items():
        assert pooled[name] >= floor, (name, pooled[name])
