"""Contest signals of news English that the rules missed or gave wrongly: flat rebuttals,
a denial whose object stands before its verb, the newsroom's note that it could not
verify what the sentence before says, negated denials, false hedges, and competing
figures with no verb in common. Invented sentences, each rule with a case it must leave
alone."""

from __future__ import annotations

import pytest

from tests.detection.support import assert_both_contested, claim_holding
from verify.detection import detect_claims


def _kinds(body: str, fragment: str) -> set[str]:
    return {s.kind for s in claim_holding(body, fragment).contest_signals}


def _sources(body: str, fragment: str) -> list[str]:
    return [a.source for a in claim_holding(body, fragment).detected_attributions]


# cues.py (flat rebuttal) with conflicts._ANAPHORIC: "X said the figure was false" denies
# the claim it points back to, which is then contested too.
REBUTTALS = [
    (
        "The ministry said exports rose 8 percent in March.",
        "Trade analyst Bo Lindqvist said the figure was false.",
    ),
    (
        "The club said attendance topped 41,000 on Saturday.",
        "Supporters' group chair Mira Hall said the number was inaccurate.",
    ),
    (
        "The airline said 95 percent of its flights left on time in June.",
        'Union official Tomas Berg said the statistic was "fiction".',
    ),
    (
        "The developer said the scheme created 600 jobs last year.",
        '"That is plainly wrong," said planning councillor Ruth Amos.',
    ),
    (
        "The regulator said the bank had repaid the loan in full.",
        "Campaigner Ivo Petrak said the report was misleading.",
    ),
]


@pytest.mark.parametrize(("claim", "rebuttal"), REBUTTALS)
def test_a_flat_rebuttal_denies_and_contests_the_claim_it_points_back_to(
    claim: str, rebuttal: str
) -> None:
    body = f"{claim} {rebuttal}\n"
    assert "denial" in _kinds(body, rebuttal), detect_claims(body)
    assert "conflicting_sources" in _kinds(body, claim), detect_claims(body)


@pytest.mark.parametrize(
    "body",
    [
        # a judgement on a deed, not a rebuttal of a claim
        "It is wrong for the board to ignore tenants, the councillor said.",
        # what is wrong is no claim the story reports
        "The referee said the decision was wrong.",
        # negated: the figure is upheld
        "The auditor said the figure was not false.",
    ],
)
def test_a_judgement_that_points_at_no_claim_is_no_denial(body: str) -> None:
    assert not any(s.kind == "denial" for c in detect_claims(body) for s in c.contest_signals)


# cues.py (object before its verb) with secondary.answers_claim: the party that disputes
# what the sentence names answers it and is not its source.
OBJECT_FIRST = [
    ("Farmers said the drought had cost them $4m, a figure the ministry disputes.", "Farmers"),
    ("Tenants said the landlord had raised rents twice, which the agency disputes.", "Tenants"),
    (
        "Nurses said wards were left unstaffed overnight, an account the hospital rejected.",
        "Nurses",
    ),
    ("Nurses said wards were left unstaffed overnight, which the trust rejected.", "Nurses"),
    # after a dash as after a comma
    ("Anglers said the plant had leaked for months — an account the operator rejected.", "Anglers"),
]


@pytest.mark.parametrize(("body", "source"), OBJECT_FIRST)
def test_a_denial_whose_object_comes_first_is_a_denial_and_no_source(
    body: str, source: str
) -> None:
    claim = claim_holding(body, "said")
    assert "denial" in {s.kind for s in claim.contest_signals}, claim
    assert [a.source for a in claim.detected_attributions] == [source]


def test_a_request_turned_down_is_no_denial() -> None:
    body = "The club lodged an appeal, which the league rejected on Monday.\n"
    assert not any(s.kind == "denial" for c in detect_claims(body) for s in c.contest_signals)


# cues.py _NOT_NEGATED, secondary.negated_denial: a negated denial verb disputes nothing,
# and its subject is no source.
@pytest.mark.parametrize(
    ("body", "sources"),
    [
        ("The board has never disputed the overtime figures, the auditor said.", ["the auditor"]),
        (
            "The insurer did not deny that the claims were paid late, the ombudsman said.",
            ["the ombudsman"],
        ),
        (
            "The league no longer denies the fixtures were moved, the chairman said.",
            ["the chairman"],
        ),
        (
            "The regional council has never rejected the report, the minister said.",
            ["the minister"],
        ),
    ],
)
def test_a_negated_denial_is_no_denial(body: str, sources: list[str]) -> None:
    claim = claim_holding(body, "said")
    assert "denial" not in {s.kind for s in claim.contest_signals}, claim
    assert [a.source for a in claim.detected_attributions] == sources


# hedges.py: words of a hedge that state no uncertainty here.
@pytest.mark.parametrize(
    "body",
    [
        # _named_estimate: the noun names a forecast or an estimate, it makes none
        "The brewer lowered its second-quarter profit forecast on Monday.",
        "The agency's estimate was 3.1 million tonnes, an official said.",
        # "could not" with an ordinary verb: what somebody was unable to do
        "Ambulances could not reach the farm for six hours, the police said.",
        # _THAN_BEFORE: an outcome measured against a fear or an expectation
        '"The damage was lighter than many of us feared," the farmer said.',
        # _ASKED_BEFORE: the question put to the source
        'Asked whether the club would sell its striker, the manager said: "No."',
        # _MAXIMUM: the law's maximum penalty on conviction
        "If found guilty, the driver faces up to 14 years in prison.",
        "If convicted, each defendant could face up to five years in jail.",
    ],
)
def test_a_stated_fact_with_a_hedge_word_is_not_uncertain(body: str) -> None:
    assert not any(c.uncertain for c in detect_claims(body)), [
        (c.text, c.hedges) for c in detect_claims(body)
    ]


@pytest.mark.parametrize(
    "body",
    [
        # the verb still makes a forecast or an estimate
        "The federation estimates that 2,000 clubs will fold.",
        "The central bank forecasts 1.5 percent growth next year.",
        # "could not be ruled out" leaves the matter open
        "A further collapse of the embankment could not be ruled out, engineers said.",
        # a condition that is no conviction stays a condition
        "Officials said the sluice gates will open if the rain continues.",
    ],
)
def test_a_hedge_word_that_hedges_still_does(body: str) -> None:
    assert any(c.uncertain for c in detect_claims(body)), detect_claims(body)


# cues.py: "questioned/challenged the <claim noun>" disputes it, in its own sentence.
@pytest.mark.parametrize(
    ("body", "contested"),
    [
        ("The nurses' union questioned the staffing figures on Friday.", True),
        ("Residents challenged the council's account of the flooding.", True),
        ("Opposition MPs challenged the minister's waiting-list figures on Tuesday.", True),
        ("Detectives questioned the driver for two hours on Friday.", False),
    ],
)
def test_questioning_a_claim_contests_it(body: str, contested: bool) -> None:
    assert any(c.contested for c in detect_claims(body)) is contested, detect_claims(body)


# notes.py: the newsroom's stand-alone note that it could not check the claims before it.
@pytest.mark.parametrize(
    ("body", "hedged", "plain"),
    [
        (
            "Rebel commanders said 17 soldiers were captured near the bridge. "
            "The figures could not be independently verified.",
            "17 soldiers were captured",
            None,
        ),
        (
            "A hospital director said 64 patients were evacuated overnight. "
            "The Associated Press could not independently verify the number.",
            "64 patients were evacuated",
            None,
        ),
        (
            "The port authority said the tanker sank on Monday.\n\n"
            "A shipping union said the crew had warned of cracks in the hull. "
            "The claim could not be independently verified.",
            "the crew had warned of cracks",
            "the tanker sank on Monday",
        ),
    ],
)
def test_a_note_that_nothing_could_be_verified_hedges_the_claims_it_points_to(
    body: str, hedged: str, plain: str | None
) -> None:
    claim = claim_holding(body, hedged)
    assert claim.uncertain, claim
    assert "hedge" in {s.kind for s in claim.contest_signals}, claim
    if plain is not None:
        assert not claim_holding(body, plain).contested, claim_holding(body, plain)


# figures._bare_frame: "put the number at N" answers the count of the claim just before.
@pytest.mark.parametrize(
    ("first", "second", "contested"),
    [
        (
            "The interior ministry said 3,500 people joined the rally.",
            "Opposition leaders put the number at 40,000.",
            True,
        ),
        (
            "Stewards said 800 fans had taken part in the protest.",
            "The supporters' trust put the figure at 5,000.",
            True,
        ),
        # the same count from both sides: no dispute
        (
            "The interior ministry said 3,500 people joined the rally.",
            "Opposition leaders put the number at 3,500.",
            False,
        ),
    ],
)
def test_a_bare_number_put_by_another_side_competes_with_the_count_before(
    first: str, second: str, contested: bool
) -> None:
    assert_both_contested(first, second, contested)


# accounts._restated: the party a claim names gives the same act another description.
@pytest.mark.parametrize(
    ("first", "second", "contested"),
    [
        (
            "The pensions regulator says Ortega withdrew £60,000 from the fund in 2021.",
            "Ortega told the tribunal that the withdrawal was an authorised loan.",
            True,
        ),
        (
            "The drivers' union says Harlow Logistics dismissed 40 drivers last year.",
            "Harlow Logistics said the dismissals were for gross misconduct.",
            True,
        ),
        # a third party that the claim does not name describes the act: no dispute
        (
            "The pensions regulator says Ortega withdrew £60,000 from the fund in 2021.",
            "The bank said the withdrawal was processed on a Friday.",
            False,
        ),
    ],
)
def test_the_named_party_describing_the_act_otherwise_contests_both(
    first: str, second: str, contested: bool
) -> None:
    assert_both_contested(first, second, contested)


# secondary.calls_it_false: "X called the claim untrue" is X's own denial; X is its source.
@pytest.mark.parametrize(
    ("claim", "rebuttal", "speaker"),
    [
        (
            "The mine's owner said 300 workers were rehired in May.",
            "Union leader Sipho Dube called the figure misleading.",
            "Dube",
        ),
        (
            "The ministry said the hospital met every target last year.",
            'Opposition health spokeswoman Clara Voss branded the claim "pure fiction".',
            "Voss",
        ),
    ],
)
def test_who_calls_a_claim_false_is_the_source_of_the_denial(
    claim: str, rebuttal: str, speaker: str
) -> None:
    body = f"{claim} {rebuttal}\n"
    assert "denial" in _kinds(body, rebuttal)
    assert any(speaker in s for s in _sources(body, rebuttal)), detect_claims(body)
    assert "conflicting_sources" in _kinds(body, claim)


def test_a_denial_whose_object_comes_first_answers_its_own_sentence_only() -> None:
    # conflicts._link_denials: the words of ", a charge the chairman rejected" name who
    # denies, so they tie the denial to no other claim that names the chairman
    first = "The board approved a fare rise of 3 percent on Friday, the chairman said."
    second = "Passenger groups claimed the rise was unlawful, a charge the chairman rejected."
    body = f"{first} {second}\n"
    assert "denial" in _kinds(body, second)
    assert not claim_holding(body, first).contested, claim_holding(body, first)
