"""Quality of claim detection on labelled stories, each of which must pass on its own.

Run with `pytest -s` to see the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .metrics import HELD_OUT, Figures, evaluate_file, stories

CLAIMS_FOUND = 0.9
CONTESTED_RECALL = 0.9
CONTESTED_PRECISION = 0.85
SOURCE_RECALL = 0.85
# Unlabelled detections flagged contested count against this one; the desk leaves out
# claims a detector rightly flags (a denial sentence, a hedged aside), so the bar is lower.
STRICT_PRECISION = 0.6

THE_BAR = {
    "claims_found": CLAIMS_FOUND,
    "contested_recall": CONTESTED_RECALL,
    "contested_precision": CONTESTED_PRECISION,
    "source_recall": SOURCE_RECALL,
    "strict_precision": STRICT_PRECISION,
}

# Held-out stories: written and labelled before the rules were changed for them, run once,
# and only then used to find general fixes. Each floor guards against regressions without
# pretending that a story passes the bar when it does not; the true figures are here.
HELD_OUT_FLOOR: dict[str, dict[str, float]] = {
    # One-shot: claims found 1.00, contested recall 0.50, contested precision 1.00, strict
    # precision 1.00, source recall 0.85. Fixes its misses pointed at (cue words, "obtained
    # by X") gave recall 0.75; the conflict-linking rules added with the eight
    # generalisation stories (a denial answers a recent claim of another source sharing a
    # fairly rare word with what is denied; claims resting on the same document as a
    # disputed one are disputed with it) now give 1.00 on every figure. Not blind any more.
    "heldout_transport": THE_BAR,
    # One-shot (rules final for the six tuning stories): claims found 0.90, contested
    # recall 0.40 (2/5), precision 1.00, strict precision 1.00, source recall 1.00.
    # (Before any of this round's changes: 0.90 / 0.40 / 1.00 / 1.00 / 0.90.) General
    # fixes its misses pointed at ("no ... ever" as a flat denial, a denial answering a
    # recent claim about the denier, bare-plural eyewitnesses as a vague source, superlative
    # record claims kept as claims) give 1.00 on every figure. Not blind any more.
    "heldout_disaster_mine": THE_BAR,
    # One-shot (rules final for the six tuning stories): claims found 0.92, contested
    # recall 0.57 (4/7), contested precision 0.80, strict precision 0.80, source recall
    # 0.83. (Before any of this round's changes: 0.92 / 0.29 / 1.00 / 1.00 / 0.75.)
    # General fixes (competing counts in a "put the number of X at N" frame, the
    # estimate frame's appositive subject, present tense by position, "the union" no
    # longer resolving to a company, a claimant matched by name not by modifier) give
    # claims found 1.00, contested recall 0.86 (6/7), precision 1.00, strict precision
    # 1.00, source recall 1.00. STILL UNDER THE 0.9 RECALL BAR: the union leader's "the
    # company refused to give any guarantee" is answered only implicitly by the company's
    # "no compulsory redundancies", which shares no word with it.
    "heldout_labour_port": THE_BAR | {"contested_recall": 0.85},
}

# Six dispute stories (a pay-discrimination lawsuit, a hospital delay, an air strike with
# duelling accounts, a disputed mayoral count, a drug-trial preprint with critics, a
# teachers' strike with union and ministry figures), written and labelled before the
# detector ran on them, then used to tune the dispute model (disputes.py and the passes
# that feed it). Their first run (claims found / contested recall / contested precision
# / strict precision / source recall):
#   labour_pay_lawsuit      0.93 / 0.50 / 0.71 / 0.62 / 0.69
#   health_hospital_delay   0.93 / 0.50 / 1.00 / 1.00 / 0.69
#   conflict_airstrike      1.00 / 0.56 / 1.00 / 1.00 / 0.79
#   politics_mayor_count    1.00 / 0.33 / 1.00 / 1.00 / 0.86
#   science_drug_preprint   0.93 / 0.00 / 1.00 / 1.00 / 0.82
#   labour_teachers_strike  1.00 / 0.33 / 1.00 / 1.00 / 1.00
# They meet the bar now, like every tuning story; they are not a measure of generality.
# Four stories in new beats (a wildfire evacuation, an aviation near-miss, a housing court
# case, a central bank decision), written and labelled before the detector ran on them,
# then used to tune reply verbs ("countered", "insisted"), accounts set side by side
# across paragraphs, and source phrases. First run -> after (claims found / contested
# recall / contested precision / strict precision / source recall):
#   disaster_wildfire     1.00 / 0.57 / 0.80 / 0.80 / 0.93 -> 1.00 / 0.86 / 0.86 / 0.86 / 0.93
#   aviation_drone        1.00 / 0.20 / 0.50 / 0.50 / 1.00 -> unchanged
#   courts_housing        1.00 / 0.57 / 1.00 / 1.00 / 0.83 -> 1.00 / 0.86 / 1.00 / 1.00 / 1.00
#   economy_central_bank  1.00 / 0.80 / 1.00 / 1.00 / 1.00 -> 1.00 / 1.00 / 1.00 / 1.00 / 1.00
# Three are still under the bar, so they hold floors at their true figures. Open misses:
# a resident's first-hand account with no word in common with the office it disputes;
# the airline and the airport at odds over a drone ("object" recurs once more in the
# story, so no word ties the two accounts); a landlord's repairs answering tenants'
# complaints with no shared word; a named official's social-media post is flagged as
# a hedge (the project's convention; the desk label here says not contested); a single
# unnamed passenger's post is flagged as an unnamed source.
TUNING_FLOOR: dict[str, dict[str, float]] = {
    "disaster_wildfire": THE_BAR | {"contested_recall": 0.85, "contested_precision": 0.85},
    "aviation_drone": {
        "claims_found": 1.0,
        "contested_recall": 0.2,
        "contested_precision": 0.5,
        "strict_precision": 0.5,
        "source_recall": 1.0,
    },
    "courts_housing": THE_BAR | {"contested_recall": 0.85},
    # Eight stories from an independent writer (a defamation trial, a famine warning, an
    # insurgent raid, a disqualified marathon winner, mine pollution, a naval standoff, a
    # police raid on a newspaper, a water utility), labelled before the detector ran on
    # them, then used to tune bare plural groups as vague sources ("Aid workers say",
    # "Supermarkets in the area said"), both halves of a name-role apposition as sources
    # ("X, an army spokesman, told"; "according to the school's head, X"), "never seen so
    # many" as no denial, and a sentence that says two accounts differ ("gave a different
    # picture", "describe ... in very different terms"). Before -> after (claims found /
    # contested recall / contested precision / strict precision / source recall):
    #   r4_defamation_trial      1.00/0.64/0.88/0.88/0.81 -> 1.00/0.64/0.88/0.88/0.88
    #   r4_famine_warning        1.00/0.30/1.00/1.00/0.76 -> 1.00/0.70/1.00/1.00/0.88
    #   r4_insurgent_raid        1.00/0.82/0.90/0.82/0.75 -> 1.00/0.82/0.90/0.82/0.81
    #   r4_marathon_disqualified 1.00/0.67/0.86/0.60/0.71 -> 1.00/0.67/0.86/0.60/0.79
    #   r4_mine_pollution        1.00/0.57/0.80/0.67/0.52 -> unchanged
    #   r4_naval_standoff        1.00/0.90/0.90/0.75/1.00 -> 1.00/1.00/0.91/0.77/1.00 (the bar)
    #   r4_newspaper_raid        0.94/0.56/1.00/1.00/0.81 -> 0.94/0.89/1.00/1.00/0.88
    #   r4_water_utility         1.00/0.25/1.00/0.40/0.72 -> 1.00/0.50/1.00/0.67/0.78
    # Open misses, all general: a party's account that shares no word with the other
    # side's (the singer's "cost her two sponsorship deals", the utility chief's "met
    # national drinking water standards", the company's "heavy rains washed iron-rich soil"
    # against villagers' dead fish) once the two parties are at odds elsewhere in the story;
    # a headline that sets two sides against each other ("A say X; B says Y") is not read;
    # a figure answered by "the true toll is likely several times higher"; "the company
    # attributed ... to" is not a source verb; a bare "The company"/"The paper" is not
    # resolved to the name two sentences back; "in a statement emailed to the Standard"
    # and "wrote on Instagram" do not give the outlet as a second source; "Race organisers
    # ..., saying timing data showed" gives the data, not the organisers.
    "r4_defamation_trial": {
        "claims_found": 1.0,
        "contested_recall": 0.63,
        "contested_precision": 0.87,
        "strict_precision": 0.75,
        "source_recall": 0.87,
    },
    "r4_famine_warning": THE_BAR | {"contested_recall": 0.7},
    "r4_insurgent_raid": {
        "claims_found": 1.0,
        "contested_recall": 0.81,
        "contested_precision": 0.83,
        "strict_precision": 0.76,
        "source_recall": 0.72,
    },
    "r4_marathon_disqualified": {
        "claims_found": 1.0,
        "contested_recall": 0.66,
        "contested_precision": 0.77,
        "strict_precision": 0.53,
        "source_recall": 0.78,
    },
    "r4_mine_pollution": {
        "claims_found": 1.0,
        "contested_recall": 0.57,
        "contested_precision": 0.8,
        "strict_precision": 0.64,
        "source_recall": 0.57,
    },
    "r4_newspaper_raid": {
        "claims_found": 0.94,
        "contested_recall": 0.88,
        "contested_precision": 1.0,
        "strict_precision": 0.9,
        "source_recall": 0.87,
    },
    "r4_water_utility": {
        "claims_found": 1.0,
        "contested_recall": 0.5,
        "contested_precision": 0.75,
        "strict_precision": 0.54,
        "source_recall": 0.77,
    },
    # Issue 16's tuning round (farming, an oil pipeline, an influencer's charity drive, a
    # council's pay), written and labelled before the detector ran on them. First run ->
    # after the round (contested recall / contested precision / strict precision / source
    # recall; claims found 1.00 throughout):
    #   r5_council_pay      0.33 / 1.00 / 0.67 / 1.00 -> 0.67 / 1.00 / 0.80 / 1.00
    #   r5_crop_blight      0.57 / 1.00 / 0.80 / 0.93 -> 0.86 / 1.00 / 0.86 / 0.93
    #   r5_influencer_fund  0.50 / 0.67 / 0.50 / 1.00 -> 0.75 / 0.75 / 0.60 / 1.00
    #   r5_pipeline_leak    0.55 / 1.00 / 0.86 / 0.94 -> 0.73 / 1.00 / 0.89 / 0.94
    # Open misses: a reply by a body other than the one accused; a company's figure that a
    # later paragraph's inspectors contradict with no shared word; a spokeswoman's account
    # that only leaves a finding unanswered; a "may be" of an expert is flagged as a hedge.
    "r5_council_pay": {
        "claims_found": 1.0,
        "contested_recall": 0.66,
        "contested_precision": 0.83,
        "strict_precision": 0.71,
        "source_recall": 1.0,
    },
    "r5_crop_blight": {
        "claims_found": 1.0,
        "contested_recall": 0.85,
        "contested_precision": 0.9,
        "strict_precision": 0.85,
        "source_recall": 0.92,
    },
    "r5_influencer_fund": {
        "claims_found": 1.0,
        "contested_recall": 0.75,
        "contested_precision": 0.71,
        "strict_precision": 0.6,
        "source_recall": 1.0,
    },
    "r5_pipeline_leak": {
        "claims_found": 1.0,
        "contested_recall": 0.72,
        "contested_precision": 1.0,
        "strict_precision": 0.88,
        "source_recall": 0.93,
    },
    # Issue 16's third round (DESIGN: a claim the text only hedges is contested): these
    # met the bar until hedged claims became contested. Their labels were written when a
    # forecast or a conditional was "uncertain, not contested" and carry no `hedged`
    # field, so the rule that counts a hedged label as contested (metrics.evaluate) cannot
    # reach them; every figure lost here is a hedged claim ("expects", "will publish its
    # next forecasts", "would hold", "only if", "less likely") flagged contested.
    "business_chipmaker": THE_BAR | {"contested_precision": 0.75},
    "health_outbreak": THE_BAR | {"contested_precision": 0.75},
    "labour_teachers_strike": THE_BAR | {"contested_precision": 0.77},
    "politics_recount": THE_BAR | {"contested_precision": 0.77},
    "science_aspirin_study": THE_BAR | {"contested_precision": 0.83},
    # Stop 26's source-precision stories: a plan in reported speech ("the resit would take
    # place on June 20") is flagged as a prediction ("would take"), the one false flag.
    "r6_exam_leak": THE_BAR | {"contested_precision": 0.66},
}
STORIES = [s for s in stories() if s[0] not in HELD_OUT | set(TUNING_FLOOR)]
FLOORED = [s for s in stories() if s[0] in TUNING_FLOOR]
HELD = [s for s in stories() if s[0] in HELD_OUT]


def _show(fig: Figures) -> None:
    print()
    print(fig.line())
    for miss in fig.misses:
        print("    " + miss)


@pytest.mark.parametrize(("name", "text", "labels"), STORIES, ids=[n for n, _, _ in STORIES])
def test_story_meets_the_bar(name: str, text: Path, labels: Path) -> None:
    fig = evaluate_file(name, text, labels)
    _show(fig)
    assert fig.claims_found >= CLAIMS_FOUND, fig.misses
    assert fig.contested_recall >= CONTESTED_RECALL, fig.misses
    assert fig.contested_precision >= CONTESTED_PRECISION, fig.misses
    assert fig.source_recall >= SOURCE_RECALL, fig.misses
    assert fig.strict_precision >= STRICT_PRECISION, fig.misses


@pytest.mark.parametrize(("name", "text", "labels"), FLOORED, ids=[n for n, _, _ in FLOORED])
def test_tuning_story_below_the_bar_keeps_its_floor(name: str, text: Path, labels: Path) -> None:
    fig = evaluate_file(name, text, labels)
    _show(fig)
    for figure, floor in TUNING_FLOOR[name].items():
        assert getattr(fig, figure) >= floor, (figure, fig.misses)


@pytest.mark.parametrize(("name", "text", "labels"), HELD, ids=[n for n, _, _ in HELD])
def test_held_out_story_keeps_its_floor(name: str, text: Path, labels: Path) -> None:
    fig = evaluate_file(name, text, labels)
    _show(fig)
    for figure, floor in HELD_OUT_FLOOR[name].items():
        assert getattr(fig, figure) >= floor, (figure, fig.misses)


def test_there_are_enough_labelled_stories() -> None:
    names = {name for name, _, _ in STORIES + HELD + FLOORED}
    assert names >= HELD_OUT
    assert set(HELD_OUT_FLOOR) == HELD_OUT
    # four beats of our own, six generalisation stories, three held out, six dispute
    # stories, four new beats, eight from an independent writer (the shared development
    # story is measured by `make test-shared`)
    assert len(names) >= 31
    assert set(TUNING_FLOOR) <= names
