"""Claim detection on stories it was never tuned on.

Held-out sets, each of eight to twelve stories written and labelled by someone who had
not seen the rules (blind4: before the round; see its README), kept out of every tuning
round (`metrics.stories()` does not read them).
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

After the second issue-16 round (hedged sentences as uncertain claims, blame, a negated
reply, the denier's account after its denial, headline conventions), all measured in one
run: blind contested recall 0.85, precision 0.86 -> 0.84; blind2 0.71 -> 0.72, precision
0.835 -> 0.838; blind3 0.50 -> 0.53, precision 0.822 -> 0.821, claims found 0.94 -> 0.96;
sources unchanged on all three.

- `tests/fixtures/blind4/`: eight stories in beats the other sets barely cover, with a
  `hedged` label per claim; written by the engineer of that round before changing any
  rule (so held out, but not blind in the strict sense: see its README). Measured once,
  after the round: claims found 0.99 (111 labels), contested recall 0.68, precision 0.77,
  sources 0.93, source precision 0.78, hedged recall 0.83, precision 0.68. Main's rules
  before the round gave 0.96 / 0.68 / 0.77 / 0.93 / 0.78, hedged 0.76 / 0.67. Never tune
  on it.

After the third issue-16 round, all measured in one run. The design's convention: a
claim the text only hedges is contested (its hedge the signal), and a label that says
`hedged` counts as contested (blind4 and r5 carry that field; blind3's writer already
labelled hedged claims contested). Sources: a name-role apposition is one source, the
name with its role; the outlet "told" is no source; who answers a claim (", a figure X
said was too low") or is reported inside a speaker's account ("X said drivers had
complained") is not its source, nor evidence beside whoever verified it; a pronoun
resolves to the nearest source or is none.
Contested recall / precision, source recall / precision, before -> after:
blind 0.85 / 0.84, 0.90 / 0.76 -> 0.84 / 0.80, 0.90 / 0.84;
blind2 0.72 / 0.84, 0.81 / 0.84 -> 0.75 / 0.80, 0.82 / 0.87;
blind3 0.53 / 0.82, 0.81 / 0.73 -> 0.72 / 0.80, 0.81 / 0.79;
blind4 0.68 / 0.77, 0.93 / 0.78 -> 0.76 / 0.88, 0.93 / 0.82.
None of these sets was read, but their pooled figures were printed after each rule
change; one change (a pronoun preferring a name two sentences back to "the company")
was dropped after it gained nothing on tuning and cost blind2 0.01 source precision.

- `tests/fixtures/blind5/`: ten stories in beats none of the others covers (a product
  recall, the energy grid, military procurement, a strike vote, a space launch,
  immigration, film awards, a ferry grounding, the housing market, an internet outage),
  167 labels with `hedged`, headline claims labelled; written on 2026-12-03 by a helper
  who never read the rules (see its README). Measured once, after issue 16's tuning
  landed: claims found 1.00 (167 labels), contested recall 0.69, precision 0.84, sources
  0.88, source precision 0.92, hedged recall 0.91, precision 0.74. Its floors are that
  one measurement, rounded down; never tune on it.

- `tests/fixtures/blind6/`: ten stories in styles of news English none of the others
  has (British sports copy, Crown Court reporting, a short seller's report, an Australian
  preprint, an Irish recount, a live blog, a translated ministry statement, a correction
  notice, Indian and East African copy), 145 labels with `hedged`; written by the
  engineer of branch `blind6` after reading only the detection README, labels committed
  before detection ran on them (see its README). Measured once before any change (main
  at 6333238): found 0.97 (140/145), contested recall 0.765, precision 0.827, sources
  0.833, source precision 0.804, hedged recall 1.00, precision 0.54. Its misses were then
  read and fixed by general rules (court reporting's sides, "rubbished", "it is learnt",
  "a jury has heard", a rebuttal pointing back, an unnamed source named again, "X, 54, of
  Y,", "citing what X described", "expects", a live blog's "we are hearing reports"):
  found 0.99 (143/145), contested recall 0.914, precision 0.851, sources 0.926, source
  precision 0.840, hedged 1.00 / 0.52. So it is tuned on now, like the tuning set: its
  floors are those figures rounded down, and they guard the rules, not estimate unseen
  news. Earlier sets in the same run, before -> after: blind unchanged; blind2
  unchanged; blind3 sources 0.815 / 0.803 -> 0.821 / 0.809; blind4 unchanged; blind5
  contested 0.725 / 0.846 -> 0.747 / 0.850, sources 0.876 / 0.931 -> 0.891 / 0.932.

The floors below are each set's figures, rounded down: a change that loses ground on
unseen stories fails here even if it wins on the tuning set.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .metrics import REPO, Figures, evaluate_file, headline_flags, hedge_flags

FIXTURES = REPO / "tests" / "fixtures"
FLOORS: dict[str, dict[str, float]] = {
    "blind": {
        "found": 0.95,
        "contested_recall": 0.83,
        "contested_precision": 0.8,
        "sources": 0.9,
        "source_precision": 0.84,
    },
    "blind2": {
        "found": 0.95,
        "contested_recall": 0.75,
        "contested_precision": 0.8,
        "sources": 0.82,
        "source_precision": 0.86,
    },
    # Measured once, after the issue-16 round was tuned, never tuned on (see the module
    # docstring): found 0.94, contested recall 0.50, precision 0.82, sources 0.81,
    # source precision 0.73. Since the third round (hedged claims contested): below.
    "blind3": {
        "found": 0.96,
        "contested_recall": 0.72,
        "contested_precision": 0.79,
        "sources": 0.8,
        "source_precision": 0.79,
    },
    # Measured once, after the second issue-16 round (see the module docstring).
    "blind4": {
        "found": 0.99,
        "contested_recall": 0.76,
        "contested_precision": 0.88,
        "sources": 0.93,
        "source_precision": 0.81,
    },
    # Measured once, after issue 16's tuning landed (d4189f3), never tuned on: found 1.00,
    # contested recall 0.692, precision 0.840, sources 0.876, source precision 0.924.
    "blind5": {
        "found": 0.99,
        "contested_recall": 0.69,
        "contested_precision": 0.83,
        "sources": 0.87,
        "source_precision": 0.92,
    },
    # Measured before the round that read it (found 0.966, contested recall 0.765,
    # precision 0.827, sources 0.833, source precision 0.804) and after it, as here:
    # found 0.986 (143/145), contested 0.914 (74/81) / 0.851 (74/87), sources 0.926
    # (100/108) / 0.840 (100/119). Tuned on since, so a guard, not an estimate.
    "blind6": {
        "found": 0.98,
        "contested_recall": 0.91,
        "contested_precision": 0.85,
        "sources": 0.92,
        "source_precision": 0.84,
    },
}


@pytest.mark.parametrize("held_out_set", sorted(FLOORS))
def test_detection_on_stories_it_was_never_tuned_on(held_out_set: str) -> None:
    figures: list[Figures] = []
    for text in sorted((FIXTURES / held_out_set).glob("*.txt")):
        labels = Path(str(text).removesuffix(".txt") + ".claims.json")
        figures.append(evaluate_file(text.stem, text, labels))
        print("\n" + figures[-1].line())
    assert len(figures) >= 8
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


def test_hedged_sentences_and_reporting_headlines_on_their_held_out_sets() -> None:
    # tests/fixtures/hedges and tests/fixtures/headlines, written for issue 16 before the
    # round that tuned hedges and headlines; their misses were read once before it (see
    # verify/detection/README.md), so they are floors, not blind estimates
    hedges, headlines = hedge_flags(), headline_flags()
    print(f"\nhedge sentences: recall {hedges.recall:.2f} precision {hedges.precision:.2f}")
    print(f"headlines: recall {headlines.recall:.2f} precision {headlines.precision:.2f}")
    assert hedges.labelled >= 150
    assert hedges.recall >= 0.85, hedges.misses
    assert hedges.precision >= 0.98, hedges.misses
    assert headlines.recall >= 0.98, headlines.misses
    assert headlines.precision >= 0.98, headlines.misses
