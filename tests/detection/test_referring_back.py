"""News English that disputes or sources a claim in the sentence after it (backrefs.py):
a short rebuttal pointing back, an unnamed source named again by its noun.

Every sentence here was written for this test; none comes from a fixture story.
"""

from __future__ import annotations

import pytest

from tests.detection.support import body_claims, signal_kinds

# --- backrefs.py: a short rebuttal that points back ------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "The mayor said the sea wall held back the tide on Sunday. Shop owners dispute that.",
        "The coach said the striker had asked to leave in March. The player denied it on Friday.",
        "The agency said the pay rise had been agreed in June. The union rejected that account.",
        'A minister said the mine would reopen by May. "That is simply not true," a local MP said.',
        # a correction notice: the error, then a paragraph opening with the verdict
        "A report on 3 May said the mayor had received £5,000 from a builder.\n\n"
        "This was incorrect. The money was paid to his brother.",
    ],
)
def test_a_rebuttal_pointing_back_contests_the_claim_before_it(body: str) -> None:
    first = body_claims(body)[0]
    assert "denial" in signal_kinds(first), first.contest_signals


@pytest.mark.parametrize(
    "body",
    [
        # "denied that ..." reports a clause of its own; it points at nothing before
        "The mayor said the sea wall held back the tide. "
        "Shop owners denied that the wall was built.",
        # "rejected it" may be an offer or a bid
        "The club made an offer of £2 million for the striker in March. The player rejected it.",
        # a judgement on a deed, not a verdict on the claim
        "The council closed the library on Monday after a vote. "
        "It was wrong to close it, residents said.",
        # a party's denial opening the next paragraph answers that paragraph as a whole
        "The mayor said the sea wall held back the tide on Sunday.\n\nShop owners dispute that.",
    ],
)
def test_no_rebuttal_points_back(body: str) -> None:
    first = body_claims(body)[0]
    assert "denial" not in signal_kinds(first), first.contest_signals


def test_the_unnamed_source_named_again_by_its_noun_is_still_unnamed() -> None:
    body = (
        "A senior diplomat, who asked not to be named, said the talks had stalled on Friday. "
        "The diplomat said the two sides would meet again in March."
    )
    second = body_claims(body)[1]
    assert "anonymous_source" in signal_kinds(second)
    named = (
        "Ambassador Ilse Varga said the talks had stalled on Friday. "
        "The diplomat said the two sides would meet again in March."
    )
    assert "anonymous_source" not in signal_kinds(body_claims(named)[1])


def test_the_deniers_own_officer_gives_its_side_after_the_denial() -> None:
    body = (
        "The union said the depot had been sold at a loss in May. The board rejected that "
        "account. Its finance director, Ruth Okafor, said the sale had raised £4 million."
    )
    third = body_claims(body)[-1]
    assert "denial" in signal_kinds(third), third.contest_signals
