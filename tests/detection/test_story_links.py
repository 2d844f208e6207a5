"""Contest signals and story links added for held-out news styles: invented sentences,
each rule with a case it must leave alone."""

from __future__ import annotations

import pytest

from tests.detection.support import claim_holding
from verify.detection import detect_claims


def _kinds(body: str, fragment: str) -> set[str]:
    return {s.kind for s in claim_holding(body, fragment).contest_signals}


@pytest.mark.parametrize(
    ("body", "fragment", "kind"),
    [
        ("The general wrote on X that 40 fighters were killed.", "40 fighters", "hedge"),
        ("In a post on its channel, the militia said 3 drones were downed.", "3 drones", "hedge"),
        ("Three residents said the fire started at 2 a.m.", "fire started", "anonymous_source"),
        ("A nurse at the clinic said 6 beds were closed.", "6 beds", "anonymous_source"),
        (
            "A cyclist who crossed the bridge on Saturday said the 2 new lanes were wider.",
            "2 new lanes",
            "anonymous_source",
        ),
        ("The driver said he had not hit anyone at the 2 crossings.", "2 crossings", "denial"),
        (
            "Warmer winters may explain the 20 percent fall, said Dr Ike Oduya.",
            "20 percent",
            "hedge",
        ),
        ('The ministry called the figure of 12 arrests "simply wrong."', "12 arrests", "denial"),
        ("The union said the estimate of $9 million was wildly exaggerated.", "$9", "denial"),
        ("Dr Lena Rusk said the posts went well beyond what the data showed.", "posts", "denial"),
        ('"They are lying about the 2 patrols," Ada Lenz said.', "2 patrols", "denial"),
    ],
)
def test_new_cues_and_source_signals(body: str, fragment: str, kind: str) -> None:
    assert kind in _kinds(body, fragment)


@pytest.mark.parametrize(
    "body",
    [
        "Video verified by the Hill Gazette showed 3 tanks on the bridge.",
        "A spokesman for the council said 12 roads were closed on Monday.",
        "Officials said 12 roads were closed on Monday.",
        "The retailer said on Monday that it had posted a loss of $3 million.",
        "The board said all 14 postal ballots had been counted by Friday.",
        "The council said it had not received any complaints about the 4 boilers.",
        "In a post on its website, the builder said 200 workers had finished the job.",
    ],
)
def test_plain_statements_stay_uncontested(body: str) -> None:
    (c,) = detect_claims(body)
    assert not c.contested, c.contest_signals


def test_a_recent_claim_is_answered_by_the_denial_after_it() -> None:
    body = (
        "The opposition said 900 ballots were lost in the northern district.\n\n"
        "The election board denied that any ballots had gone missing."
    )
    assert "conflicting_sources" in _kinds(body, "900 ballots")


def test_a_denial_that_points_back_before_its_cue() -> None:
    body = (
        "Hackers said they had stolen 2 million records from Pell Bank.\n\n"
        "The bank said it was aware of the claims but had found no evidence of a breach."
    )
    assert "conflicting_sources" in _kinds(body, "2 million records")


def test_a_pointing_back_denial_does_not_also_link_by_shared_words() -> None:
    body = (
        "An audit from 2020 warned that 3 dams at the Kell reservoir were weak.\n\n"
        "Campaigners claimed the reservoir was unsafe.\n\n"
        "The water ministry dismissed the accusation as political and said the dams at "
        "the reservoir were inspected in 2022."
    )
    assert "conflicting_sources" in _kinds(body, "reservoir was unsafe")
    assert not claim_holding(body, "An audit").contested


def test_what_the_denier_says_next_to_its_denial_is_its_side() -> None:
    body = (
        "Vantor Chemicals said the leak had released only treated water.\n\n"
        "Vantor Chemicals also rejected suggestions that the leak lasted 3 days."
    )
    assert "conflicting_sources" in _kinds(body, "treated water")


def test_two_accounts_side_by_side_in_one_paragraph() -> None:
    body = (
        "Police said 8 people were detained after a bus was burnt. Organisers said the "
        "marchers were peaceful and that nobody knew who burnt the bus."
    )
    assert "conflicting_sources" in _kinds(body, "8 people")
    assert "conflicting_sources" in _kinds(body, "marchers were peaceful")


def test_competing_casualty_figures() -> None:
    body = (
        "Nine people were killed in the blast, the interior ministry said.\n\n"
        "The rebel-run health office put the death toll at 30."
    )
    assert "conflicting_sources" in _kinds(body, "Nine people")
    assert "conflicting_sources" in _kinds(body, "death toll")


def test_a_lower_bound_fits_a_higher_figure() -> None:
    body = (
        "At least 9 people were killed in the blast, the interior ministry said.\n\n"
        "The regional health office put the death toll at 30."
    )
    assert not claim_holding(body, "At least 9").contested


def test_different_counts_of_different_things_do_not_compete() -> None:
    body = (
        "Health officials said 23 patients had been infected since May.\n\n"
        "Three of the patients have died, the health board said."
    )
    assert not claim_holding(body, "23 patients").contested
    assert not claim_holding(body, "Three of the patients").contested


def test_went_ahead_as_scheduled_against_postponed() -> None:
    body = (
        "A nurse at the clinic wrote on Facebook that 30 surgeries had been postponed.\n\n"
        "The clinic's director, Ben Amos, said all surgeries had gone ahead as scheduled."
    )
    assert "conflicting_sources" in _kinds(body, "gone ahead")


def test_never_in_a_continued_quote_is_a_denial() -> None:
    body = '"We were there," Ada Lenz told reporters. "He never had a knife, not once."'
    assert "denial" in _kinds(body, "never had a knife")


def test_flat_no_ever_is_a_denial() -> None:
    body = "The owner said no shutdown order had ever been served on the 2 quarries."
    assert "denial" in _kinds(body, "shutdown order")


def test_a_denial_answers_a_recent_claim_about_the_denier() -> None:
    body = (
        "Inspectors told reporters the Kell quarry had been ordered to shut in May.\n\n"
        "The quarry's owner, Kell Stone Ltd, said no shutdown order had ever been served."
    )
    assert "conflicting_sources" in _kinds(body, "ordered to shut")


def test_unnamed_eyewitnesses_are_a_vague_source() -> None:
    body = "Residents said the water rose 2 metres overnight."
    assert "vague_source" in _kinds(body, "water rose")


def test_an_unnamed_document_is_not_an_unnamed_witness() -> None:
    body = "According to a confidential company presentation, 900 jobs would go by 2030."
    assert "anonymous_source" not in _kinds(body, "900 jobs")


def test_a_framed_count_competes_with_another_sources_count() -> None:
    body = (
        "The dockers' union said 2,400 members had joined the strike.\n\n"
        "The operator, Tarn Ports, put the number of striking workers at about 1,500."
    )
    assert "conflicting_sources" in _kinds(body, "2,400")
    assert "conflicting_sources" in _kinds(body, "1,500")


def test_the_claimant_is_who_speaks_not_a_word_in_a_document_name() -> None:
    body = (
        "The union denied that pay was the issue, calling the company's account a distraction."
        "\n\nA company presentation seen by the Quay Courier shows 900 jobs would go."
    )
    assert not claim_holding(body, "900 jobs").contested


def test_superlative_record_is_a_claim_but_not_contested() -> None:
    (c,) = detect_claims("It was the worst flood in the region in 50 years.")
    assert "record" in c.checkable_reasons
    assert not c.contested
