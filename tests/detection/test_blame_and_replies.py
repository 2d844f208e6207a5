"""Disputes news English states without a denial word: a cause put on another party,
a complaint of being misled, a figure said to be too low, and a plain report whose
clause says the other side's claim is not so. Written for this test."""

from __future__ import annotations

import pytest

from tests.detection.support import body_claims


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        # cues.py: "blame" puts a cause on another party
        ("Fishermen blame a new sewage outlet for the loss of 3,000 oysters.", "allegation"),
        (
            "The airline blamed the delays on a shortage of 40 air traffic controllers.",
            "allegation",
        ),
        # cues.py: "say they were misled"
        ("Investors say they were misled about the fund's losses in 2023.", "allegation"),
        # cues.py: a figure somebody says is too low or too high
        (
            "The company put the spill at 500 litres, a figure residents say is far too low.",
            "denial",
        ),
    ],
)
def test_a_dispute_without_a_denial_word_is_contested(body: str, kind: str) -> None:
    (c,) = body_claims(body)
    assert c.contested
    assert kind in {s.kind for s in c.contest_signals}


@pytest.mark.parametrize(
    "body",
    [
        "Nobody was to blame for the crash on the A9 on Monday, the inquest found.",
        "The minister took the blame for the 2019 budget shortfall.",
        "The figure rose to 4,000 on Tuesday, the ministry said.",
    ],
)
def test_blame_and_figures_that_dispute_nothing_are_plain(body: str) -> None:
    (c,) = body_claims(body)
    assert not c.contested, c.contest_signals


REPLY = (
    "Union leader Ada Marsh said the vote had been held without notice to 400 members. "
    '"It was done in the dark," she said.\n\n'
    "The company said the vote did not need notice because it was advisory."
)


def test_a_negated_report_answers_the_claim_before_it() -> None:
    # accounts.replies: a plain "said" whose clause says "not" answers another party's
    # claim about the same thing close by; both sides become contested
    first, _, reply = body_claims(REPLY)
    assert reply.contested
    assert first.contested
    assert any("answers" in s.detail for s in first.contest_signals)


def test_a_negated_report_about_something_else_answers_nothing() -> None:
    body = (
        "Union leader Ada Marsh said 400 members had voted on Monday.\n\n"
        "The company said its profits had not changed in 2024."
    )
    assert [c.contested for c in body_claims(body)] == [False, False]


@pytest.mark.parametrize(
    "body",
    [
        # elaborations.py: a pronoun or a bare spokesperson right after
        # the denial gives the denier's side
        "The brewer denied the allegations on Monday. It said every one of its 12 tanks "
        "had passed inspection in March.",
        "The club rejected the report. Spokeswoman Lena Ode said the 40 players had all "
        "been paid in full.",
    ],
)
def test_the_account_right_after_a_denial_is_the_deniers_side(body: str) -> None:
    denial, account = body_claims(body)
    assert denial.contested
    assert account.contested
    assert any("denier" in s.detail for s in account.contest_signals)


@pytest.mark.parametrize(
    "body",
    [
        # another party speaks next, or the next paragraph moves on
        "The brewer denied the allegations on Monday. Inspectors said 12 tanks had passed "
        "inspection in March.",
        "The brewer denied the allegations on Monday.\n\nIt said sales rose 4 percent in 2023.",
    ],
)
def test_another_voice_or_paragraph_after_a_denial_is_not_its_side(body: str) -> None:
    _, account = body_claims(body)
    assert not account.contested, account.contest_signals


def test_however_after_the_subject_sets_two_voices_against_each_other() -> None:
    # contrasts._second_place: "The union, however, said" answers the claim before it
    body = (
        "The ministry said 40 schools had closed in March. "
        "The union, however, said 65 schools had closed."
    )
    first, second = body_claims(body)
    assert first.contested
    assert second.contested
    assert any(s.cue == "however" for s in second.contest_signals)
