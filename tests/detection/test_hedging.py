"""Hedged sentences of news English: each is a claim, and an uncertain one.

Written for this test (the held-out hedge set, tests/fixtures/hedges/, is measured by
`python -m bench.detection` and never tuned on). Each row names the rule it guards.
"""

from __future__ import annotations

import pytest

from verify.detection import detect_claims


def _uncertain(body: str) -> bool:
    return any(c.uncertain for c in detect_claims(body))


HEDGED = [
    # checkable: a hedged sentence in the writer's voice is still a claim (uncertain),
    # not speculation to drop
    "The coalition may collapse before the budget vote.",
    "The tunnel might have flooded during the night.",
    "Ticket prices are likely to rise after the merger.",
    "The board will probably approve the sale.",
    "The wreck appears to lie on its side in deep water.",
    "The talks could resume after the holiday.",
    # hedges.py: "could" with any verb of what may happen, not only verbs of outcome
    "The ferry could sail again by the weekend.",
    "The new drug could reach pharmacies next spring.",
    "Engineers said the pipe could burst under pressure.",
    # hedges.py: verbs of belief and suspicion give the claim as somebody's belief
    "Detectives believe the two robberies were linked.",
    "Inspectors suspect the wiring was faulty.",
    "Farmers fear the harvest will be the smallest in decades.",
    "Residents feared that the river would burst its banks.",
    # hedges.py: what nobody knows yet
    "The cause of the outage has not yet been established.",
    "It was not immediately clear who fired the first shot.",
    "It is still not clear how the prisoners escaped.",
    "It remains to be seen how voters will react.",
    "Officials have yet to determine what caused the leak.",
    # hedges.py: a verb of projection with its object
    "The treasury projects a surplus next year.",
    # hedges.py: signs and indications
    "There are indications that the strike is losing support.",
    # hedges.py: the verb "forecast" makes a forecast
    "Economists forecast that 40 lenders will close.",
    "Rainfall is forecast to double in the hills.",
]
CERTAIN = [
    "The coalition collapsed before the budget vote.",
    "The tunnel flooded during the night.",
    "The board approved the sale on Friday.",
    "Police could not say how many people were hurt.",
    "Residents could see smoke from the motorway.",
    "The company said it would appeal against the ruling.",
    "The estimate was revised in March.",
    "Investigators established that the wiring was faulty.",
    "Several infrastructure projects were cancelled last year.",
    # hedges._NAMING_A_FORECAST: the noun names a forecast made before, it makes none
    "The airline cut its forecast of 8 new routes in March.",
    "Shares fell 6 percent after the brewer lowered forecast",
    "The agency will publish its next forecasts on May 2.",
]


@pytest.mark.parametrize("body", HEDGED)
def test_a_hedged_sentence_is_an_uncertain_claim(body: str) -> None:
    assert _uncertain(body), [(c.text, c.hedges) for c in detect_claims(body)]


@pytest.mark.parametrize("body", CERTAIN)
def test_a_sentence_stated_as_fact_is_not_uncertain(body: str) -> None:
    assert not _uncertain(body), [(c.text, c.hedges) for c in detect_claims(body)]


@pytest.mark.parametrize(
    "body",
    [
        # hedges.states_possibility: "would be", "may not be" and a modal in a relative
        # clause are the writer's commentary, not a hedged claim
        "For the club, the young striker would be a statement signing.",
        "It was a long night for the family, and it may not be over yet.",
        "The appeal of a cheap test that could spot the disease early is obvious.",
        # the newsroom's note that it could not check something is no claim of its own
        "The photographs could not be independently verified.",
    ],
)
def test_commentary_with_a_modal_is_no_claim(body: str) -> None:
    assert detect_claims(body) == []
