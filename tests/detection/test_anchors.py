"""Which sentences hold a pattern's words (anchors.AnchorSet): a contest cue or an
uncertainty marker is looked for only in those sentences, so the index must name every
sentence a substring search of the sentence would, and no other.
"""

from __future__ import annotations

import random

import pytest

from verify.detection import detect_claims
from verify.detection.anchors import AnchorSet

ANCHORS = ("alleg", "den", "if", "report", "reported", "reportedly", "seem")
WORDS = (
    "Reportedly",
    "the",
    "hidden",
    "DENIED",
    "alleged",
    "if",
    "Iffy",
    "seemingly",
    "report's",
    "unreported",
    "x",
    "İstanbul",  # lengthens when lower-cased: the positions after it shift
    "café",
    "12",
    "—",
)


def _sentences(rng: random.Random) -> tuple[str, list[tuple[int, int]]]:
    body = ""
    spans: list[tuple[int, int]] = []
    for _ in range(rng.randint(1, 8)):
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 9))) + "."
        start = len(body)
        body += sentence
        spans.append((start, len(body)))
        body += rng.choice((" ", "\n\n", " İ "))  # text between sentences belongs to none
    return body, spans


@pytest.mark.parametrize("seed", range(40))
def test_the_index_names_exactly_the_sentences_a_substring_search_finds(seed: int) -> None:
    rng = random.Random(seed)
    index = AnchorSet(ANCHORS)
    body, spans = _sentences(rng)
    holding = index.find(body, spans)
    for size in (1, 2, 3):
        anchors = tuple(sorted(rng.sample(ANCHORS, size)))
        expected = [
            k
            for k, (start, end) in enumerate(spans)
            if any(a in body[start:end].lower() for a in anchors)
        ]
        assert holding.holding(anchors) == expected, (body, anchors)
    assert holding.holding(()) == list(range(len(spans)))


def test_an_anchor_it_cannot_find_word_by_word_is_refused() -> None:
    for odd in ("said to", "x", "Report", "naïve"):
        with pytest.raises(ValueError, match="lower-case ASCII letters"):
            AnchorSet(("said", odd))


def test_a_marker_is_found_after_a_letter_that_lengthens_when_lower_cased() -> None:
    # "İ" lower-cases to two characters; the story's hedges are still looked for where
    # they are (they were looked for in the body as written, where "If" is not "if")
    body = (
        "The İzmir ferry left port on Monday. If the storm holds, the crossing will "
        "be cancelled, the operator said."
    )
    found = detect_claims(body)
    hedged = [c for c in found if c.uncertain]
    assert hedged, found
    assert any(s.cue == "If" for c in hedged for s in c.hedges), hedged


def test_a_contest_cue_is_found_where_it_is_after_a_letter_that_lengthens() -> None:
    # lower-cased, the story is longer than as written: cues are matched in the body
    body = "The İzmir mayor allegedly took bribes, prosecutors said on Monday."
    [claim] = detect_claims(body)
    hedge = next(s for s in claim.contest_signals if s.kind == "hedge")
    assert body[hedge.start : hedge.end] == hedge.cue == "allegedly"
