"""Wrong sources of news English (issue 16, source precision): who replies to a claim,
who is reported inside another's account, and what a pronoun stands for. Invented
sentences, no fixture wording (test_generality.py)."""

from __future__ import annotations

import pytest

from verify.detection import detect_claims


def _sources_of(body: str, fragment: str) -> list[str]:
    at = body.index(fragment)
    (c,) = [c for c in detect_claims(body) if c.start <= at < c.end]
    return [a.source for a in c.detected_attributions]


@pytest.mark.parametrize(
    ("body", "sources"),
    [
        # secondary.answers_claim: the clause after a noun that restates the claim answers
        # it; its speaker replies, the claim is the first source's
        (
            "The ferry line said 40 crossings were cancelled, a figure the port workers "
            "said was far too low.",
            ["The ferry line"],
        ),
        (
            "Farmers said the canal had run dry in May, an account the water board rejected.",
            ["Farmers"],
        ),
        (
            "The league said 9 referees had quit, a claim both the union and the clubs denied.",
            ["The league"],
        ),
    ],
)
def test_who_answers_a_claim_is_not_its_source(body: str, sources: list[str]) -> None:
    assert _sources_of(body, "said") == sources


@pytest.mark.parametrize(
    ("body", "sources"),
    [
        # attribution.find_attributions with secondary.reported_inside: the subject inside
        # what a speaker reports is part of the account
        (
            "Tenant leaders said residents had complained about the 3 lifts for months.",
            ["Tenant leaders"],
        ),
        (
            "The judges disqualified the crew, saying marshals had seen a 2 km shortcut.",
            ["The judges"],
        ),
        ("She said the auditors had found 14 unpaid invoices.", []),
        # ... but a document the speaker says shows it is a source as well (DESIGN's
        # source kinds include documents), given by its author when the text names one
        # ("a report by X found" is X's, as "X's audit" is)
        (
            "The lawyer said an audit by the county showed 14 missed inspections.",
            ["The lawyer", "the county"],
        ),
        (
            "The lawyer said county records showed 14 missed inspections.",
            ["The lawyer", "county records"],
        ),
        # ... and a second speaker after a break is one
        (
            "The mayor said 3 bridges were shut, and engineers said 2 more were at risk.",
            ["The mayor", "engineers"],
        ),
    ],
)
def test_who_is_reported_inside_an_account_is_not_its_source(body: str, sources: list[str]) -> None:
    assert [a.source for c in detect_claims(body) for a in c.detected_attributions] == sources


def test_a_pronoun_speaks_for_the_nearest_source_whatever_its_kind() -> None:
    # detector._nearest_source: "It" fits no person, yet the body before is its speaker
    body = (
        "The Tarvel Grain Cooperative confirmed the recall on Friday. "
        "It said 12 silos had been emptied."
    )
    assert _sources_of(body, "12 silos") == ["The Tarvel Grain Cooperative"]
    # with no source before, the name the sentence before opens with
    body = "Depot owner Quellan Freight gave a different view. It said 14 lorries left on time."
    assert _sources_of(body, "14 lorries") == ["Depot owner Quellan Freight"]


def test_a_pronoun_with_nothing_to_stand_for_is_no_source() -> None:
    (c,) = detect_claims("It said 12 silos had been emptied by Friday.")
    assert c.detected_attributions == ()


def test_the_deniers_pronoun_resolved_still_gives_its_side() -> None:
    # elaborations.denial_elaborations: the pronoun resolved to the denier is the denier
    body = (
        "The ferry operator denied the allegations on Monday. "
        "It said all 12 ferries had passed inspection in March."
    )
    assert _sources_of(body, "12 ferries") == ["The ferry operator"]
    (c,) = [c for c in detect_claims(body) if "12 ferries" in c.text]
    assert [s.kind for s in c.contest_signals] == ["denial"]


@pytest.mark.parametrize(
    ("body", "sources"),
    [
        # secondary.vouched_by_agent: who verified or analysed the evidence vouches for
        # it; the footage is how the claim is known
        ("Footage verified by the Tolm Herald showed 3 tanks on the bridge.", ["the Tolm Herald"]),
        (
            "Soil samples analysed by the Kessel Institute show 40 times the legal lead level.",
            ["the Kessel Institute"],
        ),
        # documents an outlet obtained are a source beside it
        (
            "Records obtained by the Tolm Herald show 3 payments to the firm.",
            ["Records", "the Tolm Herald"],
        ),
    ],
)
def test_the_one_who_checked_the_evidence_is_its_source(body: str, sources: list[str]) -> None:
    assert sorted(a.source for c in detect_claims(body) for a in c.detected_attributions) == sorted(
        sources
    )


@pytest.mark.parametrize(
    ("body", "sources"),
    [
        # attribution._an_order: "told X to do Y" is an order, the body's own act; nobody
        # is its source
        ("The water board told 5,000 homes on Sunday to boil their tap water.", []),
        ("Officials told about 300 residents to leave the valley before noon.", []),
        ("The club told its 12 youth players to stay away from the training ground.", []),
        # ... while "told X (that) ..." reports what the speaker said
        ("The minister told the BBC he wanted to stay in the job until 2026.", ["The minister"]),
        ("The mayor told residents on Monday that the water was safe to drink.", ["The mayor"]),
        ("Police told the court the man had tried to flee in 2021.", ["Police"]),
    ],
)
def test_an_order_told_is_no_statement(body: str, sources: list[str]) -> None:
    assert _sources_of(body, "told") == sources
