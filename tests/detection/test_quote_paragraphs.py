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
