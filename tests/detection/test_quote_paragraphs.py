"""Who speaks a quotation that runs on into the next paragraph, and a subject that names
nobody ("Nobody at the firm would comment.") as the speaker a later pronoun stands for.
Every sentence was written for this test (none from a fixture); the rows marked "fails
without" fail without the rule named above their table."""

from __future__ import annotations

import pytest

from verify.detection import DetectedClaim, detect_claims


def _claim(body: str, start: str) -> DetectedClaim:
    found = [c for c in detect_claims(body) if c.text.lstrip('"“').startswith(start)]
    assert len(found) == 1, [c.text for c in detect_claims(body)]
    return found[0]


def _sources(body: str, start: str) -> list[str]:
    return [a.source for a in _claim(body, start).detected_attributions]


# --- detector._continues_quote: a quotation carried into the next paragraph ----------
# News copy leaves the first paragraph's closing quote off and opens the next paragraph
# with a quote mark; the speaker of the first paragraph speaks both.


@pytest.mark.parametrize(
    ("body", "start", "source"),
    [
        # fails without: straight quotes, speaker after the first quote
        (
            '"The bridge was budgeted at £8 million," said Priya Nandakumar.'
            ' "The final bill came to £19 million.\n\n'
            '"Three contractors were paid twice for the same steel."',
            "Three contractors",
            "Priya Nandakumar",
        ),
        # fails without: curly quotes, speaker before the quote, nothing attributed in
        # the sentence that leaves the quote open
        (
            "Head coach Ellen Marsh said the squad had prepared for months. "
            "Marsh told reporters: “We trained for 11 weeks at altitude.\n\n"
            "“Two players still failed the fitness test on Friday.”",
            "Two players",
            "Marsh",
        ),
        # fails without: the quotation runs through three paragraphs
        (
            '"Our wells dried up in June," said Tomasz Wielgosz, a farmer.'
            ' "By August we were buying 6,000 litres of water a week.\n\n'
            '"The co-operative lent us 30,000 zloty for a new borehole.\n\n'
            '"That loan is still unpaid."',
            "That loan",
            "Tomasz Wielgosz",
        ),
    ],
)
def test_a_quote_carried_into_the_next_paragraph_keeps_its_speaker(
    body: str, start: str, source: str
) -> None:
    assert _sources(body, start) == [source]


@pytest.mark.parametrize(
    "body",
    [
        # the quote before closes: the new paragraph's quote is nobody's by this rule
        '"We hired 60 nurses last year," Director Ana Petrov said.\n\n'
        '"Beds stood empty on 14 wards in March."',
        # an apostrophe is no quote mark
        "The mayor's office said the depot's roof leaked.\n\n"
        '"Beds stood empty on 14 wards in March."',
    ],
)
def test_a_closed_quote_carries_nobody_into_the_next_paragraph(body: str) -> None:
    assert _sources(body, "Beds stood") == []


# --- detector._sentence_subject: a subject that names nobody is no speaker -----------
# "Nobody at the ministry would comment." says who did not speak; "she said" after it
# cannot stand for it (each row fails without the rule).


@pytest.mark.parametrize(
    ("opening", "quote"),
    [
        (
            "Nobody at the embassy answered calls on Monday.",
            '"The visas were never issued," he said.',
        ),
        ("No one at the agency answered questions.", '"The valve failed at 3 a.m.," she said.'),
        ("Few at the union were willing to talk.", '"Pay fell 7 percent in real terms," he said.'),
        (
            "None of the airlines replied to questions.",
            '"Fares will rise by 9 percent this winter," it said.',
        ),
        ("No spokesman for the ministry commented.", '"Two cranes were idle," she said.'),
    ],
)
def test_a_subject_that_names_nobody_is_no_source(opening: str, quote: str) -> None:
    body = f"{opening} {quote}"
    claim = _claim(body, quote[1:12])
    assert [a.source for a in claim.detected_attributions] == []


def test_the_pronoun_passes_over_the_subject_that_names_nobody() -> None:
    body = (
        '"Rents rose 14 percent in a year," said tenant organiser Dara Quinn. '
        "Nobody at the landlord's office would comment. "
        '"We were never consulted," she said.'
    )
    assert _sources(body, "We were never") == ["Dara Quinn"]
