"""Competing amounts (amounts.py): two sources that give one thing different sums,
shares or measures contest each other; different things, different years and one
source's own figures do not. Invented sentences."""

from __future__ import annotations

import pytest

from tests.detection.support import claim_holding
from verify.detection import detect_claims


def _figures(body: str, fragment: str) -> bool:
    return any(
        s.kind == "conflicting_sources" for s in claim_holding(body, fragment).contest_signals
    )


COMPETING = [
    # the same noun on both sides
    (
        "Inspectors said the flood barrier cost £32m to build.",
        "The contractor put the cost at £19m.",
    ),
    # a verb and its noun: "had cost" / "the cost"
    (
        "The dockers' union said the stoppage had cost the port €40 million.",
        "Harbour managers put the cost nearer €12 million.",
    ),
    # "valued it at": a restatement with no noun of its own answers the amount before
    (
        "The football club said the training ground sale was worth $95 million.",
        "Property consultant Dev Marlow valued it at about $60 million.",
    ),
    # shares
    (
        "The ministry said unemployment fell to 4.2% in June.",
        "Economists at the opposition's research unit put unemployment at 6.5%.",
    ),
    # a unit: "tonnes of X"
    (
        "Coastguard officials said the trawler was carrying 12 tonnes of diesel.",
        "A salvage firm said the vessel held closer to 40 tonnes of diesel.",
    ),
    # two paragraphs, a debt
    (
        "The liquidators said the chain owed suppliers £2.7m.\n",
        "Its former chairman, Ada Brennick, said the debt was under £1m.",
    ),
]


@pytest.mark.parametrize(("first", "second"), COMPETING)
def test_two_sources_giving_one_thing_different_amounts_contest_each_other(
    first: str, second: str
) -> None:
    body = f"{first} {second}\n"
    assert _figures(body, first), detect_claims(body)
    assert _figures(body, second), detect_claims(body)


def test_two_sources_in_one_sentence_with_different_amounts() -> None:
    body = (
        "The studio said the film's budget was $180 million; two producers "
        "put the budget at about $240 million.\n"
    )
    assert _figures(body, "The studio"), detect_claims(body)


NOT_COMPETING = [
    # different things: a budget and a grant to the same library
    (
        "The council said the library's budget was £4.5m.",
        "The arts foundation said its grant to the library was £750,000.",
    ),
    # revenue and profit
    (
        "The retailer said its revenue rose to $3.2 billion.",
        "Analysts at Corbel Bank said its profit rose to $410 million.",
    ),
    # two years' figures
    (
        "The grain board said wheat exports reached 2.1 million tonnes in 2023.",
        "Traders said wheat exports were 3.4 million tonnes in 2024.",
    ),
    # one source's own figures
    (
        "The airport said the new terminal would cost £240m.",
        "The airport said the terminal would cost £310m with the rail link.",
    ),
    # the same amount, rounded
    (
        "The charity said the appeal raised £1.52m.",
        "Organisers put the total raised at about £1.5m.",
    ),
    # different kinds: a sum against a share
    (
        "The hospital said the new wing cost £18m.",
        "The health board said the wing's cost rose 12% over the estimate.",
    ),
]


@pytest.mark.parametrize(("first", "second"), NOT_COMPETING)
def test_different_facts_years_or_one_source_do_not_compete(first: str, second: str) -> None:
    body = f"{first} {second}\n"
    assert not _figures(body, first), detect_claims(body)
    assert not _figures(body, second), detect_claims(body)


def test_the_same_verb_for_two_purposes_does_not_compete() -> None:
    # "spent X on A" / "spent Y on B": two sums, two purposes
    first = "The treasurer said the league had spent £6.3m since May on stadium repairs."
    second = "An internal report showed it spending £2.2m on legal fees."
    body = f"{first} {second}\n"
    assert not _figures(body, first), detect_claims(body)
    assert not _figures(body, second), detect_claims(body)
