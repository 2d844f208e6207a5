"""Contest signals: each family of cue, story-level conflicts, and what is left alone."""

from __future__ import annotations

import pytest

from tests.detection.support import claim_holding, signal_kinds
from verify.detection import detect_claims


@pytest.mark.parametrize(
    ("body", "kind", "cue"),
    [
        ("The mayor denied taking $40,000 from the developer.", "denial", "denied"),
        ("The firm rejected the claims made by 3 former staff.", "denial", "rejected the claims"),
        (
            "The ministry dismissed the report of 40 deaths as fabricated.",
            "denial",
            "dismissed the report of 40 deaths as",
        ),
        (
            "A spokesman termed the account of 12 arrests a lie.",
            "denial",
            "termed the account of 12 arrests a lie",
        ),
        ("The company refuted the figure of 300 job cuts.", "denial", "refuted"),
        (
            "There is no evidence that 20 ballots were forged, the board said.",
            "denial",
            "no evidence",
        ),
        ("The deal is reportedly worth $4 billion.", "hedge", "reportedly"),
        ("The coach allegedly struck 2 players in 2019.", "hedge", "allegedly"),
        ("The ship is believed to carry 30 crew.", "hedge", "is believed to"),
        ("Investigators are said to be examining 40 transactions.", "hedge", "are said to"),
        ("The rebels appear to have seized 3 towns.", "hedge", "appear to"),
        ("Unconfirmed accounts put the toll at 50 on Sunday.", "hedge", "Unconfirmed"),
        (
            "The video, which shows 12 tanks, could not be independently verified.",
            "hedge",
            "could not be independently verified",
        ),
        ("The party claimed it had won 40 seats.", "allegation", "claimed"),
        ("Prosecutors allege that the banker moved $9 million.", "allegation", "allege"),
        ("Critics accused the mayor of hiding $2 million in costs.", "allegation", "accused"),
        ("Sources said the deal was worth $4 billion.", "anonymous_source", "Sources said"),
        (
            "An official who asked not to be named said 30 soldiers died.",
            "anonymous_source",
            "asked not to be named",
        ),
        (
            "A guard, speaking on condition of anonymity, said 4 inmates escaped.",
            "anonymous_source",
            "anonymity",
        ),
        ("Some reports said 14 people were hurt on Friday.", "vague_source", "Some reports"),
        (
            "According to reports, 14 people were hurt on Friday.",
            "vague_source",
            "According to reports",
        ),
        (
            "Local media reported that 15 people had died in the blast.",
            "vague_source",
            "Local media reported",
        ),
        (
            "The blasts, if they happened, killed 20 people on Sunday.",
            "conditional",
            "if they happened",
        ),
        ("The memo, if true, shows the firm misled 2,000 investors.", "conditional", "if true"),
    ],
)
def test_cue_families(body: str, kind: str, cue: str) -> None:
    (c,) = detect_claims(body)
    assert c.contested
    assert (kind, cue) in {(s.kind, s.cue) for s in c.contest_signals}
    for s in c.contest_signals:
        assert body[s.start : s.end] == s.cue
        assert s.detail


@pytest.mark.parametrize(
    "body",
    [
        "The storm killed 12 people on Sunday, the regional authority said.",
        "Multiple media outlets reported that the minister resigned on Friday.",
        "Shares in Norvik Oil rose 5% on Thursday.",
        "The club was fined $40,000 by the league on Tuesday.",
        "Insurance claims rose 12% in the second quarter, the regulator said.",
        "The court denied bail to 3 defendants on Monday.",
    ],
)
def test_plain_reporting_is_not_contested(body: str) -> None:
    (c,) = detect_claims(body)
    assert not c.contested, c.contest_signals


def test_a_denial_links_two_sources() -> None:
    body = (
        "Rebels said they had captured the airport on Sunday.\n\n"
        "Traffic in the capital was normal on Monday, police said.\n\n"
        "The army denied that rebels had seized the airport."
    )
    first = claim_holding(body, "captured the airport")
    assert "conflicting_sources" in signal_kinds(first)
    sig = next(s for s in first.contest_signals if s.kind == "conflicting_sources")
    assert sig.cue == "denied"
    assert body[sig.start : sig.end] == "denied"
    assert sig.start > first.end  # the cue sits in the later denial
    assert not claim_holding(body, "Traffic").contested


def test_denial_of_a_named_claim() -> None:
    body = (
        "The ruling party said it had won 61 of the 100 seats. "
        "Turnout was 58%, the election commission said. "
        "The opposition rejected the ruling party's claim of a majority."
    )
    assert "conflicting_sources" in signal_kinds(claim_holding(body, "61 of the 100 seats"))
    assert not claim_holding(body, "Turnout was 58%").contested


def test_pointing_back_denial_answers_the_claims_before_it() -> None:
    body = (
        "The union said managers had cut 200 jobs without notice. "
        "It said 40 of them were pregnant women.\n\n"
        "The company said the plant made 30,000 cars last year.\n\n"
        "Managers at the plant denied the allegations."
    )
    # the denial answers the paragraph right before it only
    assert "conflicting_sources" in signal_kinds(claim_holding(body, "30,000 cars"))
    assert not claim_holding(body, "cut 200 jobs").contested


def test_but_another_source_said_sets_them_against_each_other() -> None:
    body = (
        "The hospital said its 3 wards were fully staffed on Friday. "
        "But two nurses said 12 shifts had gone unfilled."
    )
    assert "conflicting_sources" in signal_kinds(claim_holding(body, "fully staffed"))
    assert "conflicting_sources" in signal_kinds(claim_holding(body, "12 shifts"))


def test_opposite_states_from_different_voices() -> None:
    body = (
        "The builder pushed back the opening of its $2 billion stadium in Harwick by a year.\n\n"
        "The city's mayor, Ana Ruiz, said the Harwick project was on track."
    )
    assert "conflicting_sources" in signal_kinds(claim_holding(body, "on track"))
    # the writer's own account stands
    assert not claim_holding(body, "pushed back").contested


def test_question_headline_doubts_the_reported_claims() -> None:
    body = (
        "Did the Navy Sink the Ferry?\n\n"
        "A fisherman said a navy patrol boat sank the ferry on Tuesday.\n\n"
        "The ferry carried 80 passengers, the port authority said."
    )
    assert "hedge" in signal_kinds(claim_holding(body, "patrol boat sank"))
    assert not claim_holding(body, "80 passengers").contested


def test_party_to_fighting_claiming_success() -> None:
    body = "The rebel group said its fighters killed 40 soldiers near the dam."
    (c,) = detect_claims(body)
    assert "allegation" in signal_kinds(c)


def test_unattributed_also_continues_a_contested_account() -> None:
    body = (
        "The militia said 12 officers were killed in the raid. "
        "A senior commander was also killed during the fighting."
    )
    second = claim_holding(body, "senior commander")
    assert second.contested
    assert [a.source for a in second.detected_attributions] == ["The militia"]


def test_never_in_reported_speech_is_a_denial() -> None:
    (c,) = detect_claims('"We have never paid a bribe," the company said in a statement.')
    assert "denial" in signal_kinds(c)


def test_neither_confirm_nor_deny_is_a_hedge_not_a_denial() -> None:
    (c,) = detect_claims("The office would neither confirm nor deny that 2 agents were fired.")
    assert signal_kinds(c) == {"hedge"}


def test_two_sources_against_each_other_in_one_sentence() -> None:
    body = "The mayor said 40 homes were flooded, but residents said more than 100 were hit."
    (c,) = detect_claims(body)
    assert ("conflicting_sources", "but") in {(s.kind, s.cue) for s in c.contest_signals}
    (same,) = detect_claims("The minister said 40 homes flooded and added that 3 bridges shut.")
    assert not same.contested


def test_a_hedged_statement_is_a_claim_even_without_names_or_numbers() -> None:
    (c,) = detect_claims("The video appears to show soldiers firing on protesters.")
    assert "contested_statement" in c.checkable_reasons
    (d,) = detect_claims("Officials have not confirmed the death toll of 40.")
    assert ("hedge", "have not confirmed") in {(s.kind, s.cue) for s in d.contest_signals}


@pytest.mark.parametrize(
    "body",
    [
        "Aid workers say the death toll is likely to be 3 times higher.",
        "Shopkeepers in the district said flour had sold out 4 times this month.",
        "Hundreds of commuters have reported delays of 2 hours since the line reopened.",
        "Several analysts said the merger would cost 900 jobs.",
    ],
)
def test_bare_plural_groups_are_vague_sources(body: str) -> None:
    (c,) = detect_claims(body)
    assert "vague_source" in signal_kinds(c)


@pytest.mark.parametrize(
    "body",
    [
        "Workers at Brandolin Freight said 30 lorries were stuck at the border.",
        "The analysts at the bank said inflation fell to 3 percent in May.",
        "Prosecutors said the defendant wired $80,000 to an offshore account.",
    ],
)
def test_a_named_or_definite_group_is_not_vague(body: str) -> None:
    (c,) = detect_claims(body)
    assert "vague_source" not in signal_kinds(c)


def test_never_having_seen_so_many_is_no_denial() -> None:
    (c,) = detect_claims(
        '"We have never seen so many sick calves in 20 years," the vet Ona Marsh said.'
    )
    assert "denial" not in signal_kinds(c)
    (d,) = detect_claims('"We never received any warning about the 3 closures," Ona Marsh said.')
    assert "denial" in signal_kinds(d)
