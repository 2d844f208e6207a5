"""Attribution and dispute conventions of court reporting and of British, Irish, Indian
and African news copy that detection once missed (the sixth blind set's round).

Every sentence here was written for this test; none comes from a fixture story.
"""

from __future__ import annotations

import pytest

from tests.detection.support import body_claims, signal_kinds
from verify.detection import detect_headline

# --- lexicon.py and cues.py: court reporting and other news Englishes -------------------


@pytest.mark.parametrize(
    ("body", "source"),
    [
        ("The prosecution alleges that the driver was using his phone at 70mph.", "prosecution"),
        ("The defence contends that the contract was signed in good faith in 2021.", "defence"),
        ("The Crown says the accountant moved £90,000 into his own account.", "Crown"),
        ("Her camp said the singer had pulled out of the tour on medical advice.", "camp"),
    ],
)
def test_the_sides_of_a_trial_and_a_camp_are_sources(body: str, source: str) -> None:
    (c,) = body_claims(body)
    assert any(source in a.source for a in c.detected_attributions), c.detected_attributions


@pytest.mark.parametrize(
    "body",
    [
        "The airline rubbished the report within hours of its publication on Monday.",
        "The ministry rubbished the allegations as politically motivated on Tuesday.",
    ],
)
def test_rubbished_is_a_denial(body: str) -> None:
    (c,) = body_claims(body)
    assert "denial" in signal_kinds(c)


def test_whoever_rubbished_the_charge_in_an_aside_is_not_its_source() -> None:
    body = "The union said the depot had been sold at a loss, a charge the board rubbished."
    (c,) = body_claims(body)
    assert [a.source for a in c.detected_attributions] == ["The union"]


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (
            "It is learnt that the contractor was paid twice for the same work in 2023.",
            "anonymous_source",
        ),
        ("It is understood the club has agreed a fee of £4 million with the player.", "hedge"),
    ],
)
def test_it_is_learnt_or_understood_is_a_contested_claim(body: str, kind: str) -> None:
    (c,) = body_claims(body)
    assert kind in signal_kinds(c)


def test_a_fact_before_advice_is_still_a_claim() -> None:
    body = (
        "The regulator said it had seen the study but that the pill was not licensed for "
        "weight loss and doctors should not prescribe it."
    )
    assert len(body_claims(body)) == 1
    assert body_claims("The regulator said doctors should not prescribe the pill.") == []


@pytest.mark.parametrize(
    ("body", "contested"),
    [
        ("The nurse changed the dosage chart twice after the death, a jury has heard.", True),
        ("Jurors were told the van had been reported stolen two days before the raid.", True),
        ("The jury heard evidence from nine witnesses over three days.", False),
    ],
)
def test_what_a_jury_heard_is_an_allegation(body: str, contested: bool) -> None:
    (c,) = body_claims(body)
    assert ("allegation" in signal_kinds(c)) is contested


@pytest.mark.parametrize(
    ("headline", "source"),
    [
        ("Live: storm closes every road into the valley", None),
        ("Correction: the mayor did not sell the land", None),
        ("Police: three men held after raid on depot", "Police"),
    ],
)
def test_a_kicker_before_the_colon_is_no_source(headline: str, source: str | None) -> None:
    c = detect_headline(headline)
    assert c is not None
    assert [a.source for a in c.detected_attributions] == ([source] if source else [])


def test_jury_told_in_a_headline_is_an_allegation() -> None:
    c = detect_headline("Nurse changed dosage chart after death, jury told")
    assert c is not None
    assert "allegation" in signal_kinds(c)


@pytest.mark.parametrize(
    "body",
    [
        "Dev Mistry, 47, of Harrowgate Lane, denies three counts of arson at the depot.",
        "A farmer, 61, who keeps sheep near the quarry, said the dust had killed 30 ewes.",
    ],
)
def test_an_age_and_a_home_town_between_name_and_verb_are_stepped_over(body: str) -> None:
    (c,) = body_claims(body)
    assert [a.source for a in c.detected_attributions] in (["Dev Mistry"], ["A farmer"])


def test_a_name_after_a_quotation_keeps_its_role_aside() -> None:
    body = (
        '"Those figures are invented," Major Ilse Varga, a spokeswoman for the army, '
        "told reporters on Monday."
    )
    (c,) = body_claims(body)
    assert [a.source for a in c.detected_attributions] == ["Major Ilse Varga"]


@pytest.mark.parametrize(
    "body",
    [
        "Community members say the quarry has polluted the river since 2019.",
        "Rights groups said the camp held more than 2,000 people in March.",
    ],
)
def test_a_bare_plural_group_is_a_vague_source(body: str) -> None:
    (c,) = body_claims(body)
    assert "vague_source" in signal_kinds(c)


def test_citing_what_someone_described_gives_whoever_described_it() -> None:
    body = (
        "The hauliers' spokesman, Piet Oberg, called off the talks, citing what he described "
        "as broken promises on fuel duty. He said 40 firms had closed since January."
    )
    first, second = body_claims(body)
    assert [a.source for a in first.detected_attributions] == ["Piet Oberg"]
    assert [a.source for a in second.detected_attributions] == ["Piet Oberg"]


def test_a_name_with_where_the_person_works_after_a_role_is_the_source() -> None:
    body = (
        '"The vaccine cut admissions by a third," said the trial\'s chief investigator, '
        "Professor Anke Lund of the Westmere Institute."
    )
    (c,) = body_claims(body)
    (a,) = c.detected_attributions
    assert (a.source, a.role) == ("Professor Anke Lund", "the trial's chief investigator")


def test_whoever_expects_an_outcome_is_its_source() -> None:
    body = (
        "The water company said 9,000 homes had no supply on Monday. "
        "It expects most to be reconnected by Wednesday."
    )
    second = body_claims(body)[1]
    assert [a.source for a in second.detected_attributions] == ["The water company"]
    assert second.uncertain


def test_a_live_blog_relaying_reports_gives_a_contested_claim() -> None:
    (c,) = body_claims("11:05 We are hearing reports that the ferry terminal has been evacuated.")
    assert "vague_source" in signal_kinds(c)
    assert body_claims("11:05 We are trying to reach the ferry operator for comment.") == []
