"""Segmenting a long one-paragraph body looks at each character a bounded number of
times: the word before each candidate stop is read back from the stop, not searched for
from the line's start (which made the largest allowed body take minutes)."""

from __future__ import annotations

import re
import time
from itertools import pairwise
from typing import Any

import pytest

from verify.detection import segment as segment_module
from verify.detection.segment import segment


def one_paragraph(sentences: int) -> str:
    return " ".join(
        f"Official {i} told the council that repairs cost {i + 7} thousand euros."
        for i in range(sentences)
    )


class CountingPattern:
    """The word-character pattern, counting how often it is asked."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.calls = 0

    def match(self, text: str, *args: Any) -> re.Match[str] | None:
        self.calls += 1
        return self.pattern.match(text, *args)


@pytest.mark.parametrize("sentences", [100, 2000])
def test_segmenting_a_long_line_reads_each_character_a_bounded_number_of_times(
    sentences: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = one_paragraph(sentences)
    counting = CountingPattern(segment_module._WORD_CHAR)
    monkeypatch.setattr(segment_module, "_WORD_CHAR", counting)
    segment_module._segment_line.cache_clear()
    found = segment(body)
    assert len(found) == sentences
    # Each stop's word is read back from the stop (at least once per stop), and only it:
    # a few characters per sentence, not the line up to the stop.
    assert sentences <= counting.calls <= 20 * sentences


@pytest.mark.parametrize(
    ("line", "end", "word"),
    [
        ("Dr. Smith", 2, "Dr"),
        ("met Acme Inc. The", 12, "Inc"),
        ("at 10 a.m. Then", 9, "a.m"),
        ("Ben & Jerry's. Next", 13, "Jerry's"),
        ("well-known. Next", 10, "well-known"),
        ("(J. Doe", 2, "J"),
        (" . X", 1, ""),
        ("Zürich. Next", 6, "Zürich"),
    ],
)
def test_the_word_before_a_stop_is_the_one_the_anchored_search_finds(
    line: str, end: int, word: str
) -> None:
    assert segment_module._word_before(line, end) == word
    assert re.compile(r"[\w.&'-]*$").search(line, 0, end).group() == word  # type: ignore[union-attr]


# A reporter's body may be any text up to the limit: runs of marks and many quotations
# in one line were quadratic (a line of 200,000 full stops held a verify worker for
# minutes). Each of these lines took 15 seconds or more before; now a few milliseconds,
# so the bound leaves room for a busy machine without letting the old cost through.
@pytest.mark.parametrize(
    "line",
    [
        "." * 40_000,
        "!" * 40_000,
        "?…" * 20_000,
        'The "a" B. ' * 20_000,
    ],
    ids=["full stops", "exclamation marks", "mixed marks", "quotations"],
)
def test_a_long_line_of_marks_or_quotations_is_segmented_in_linear_time(line: str) -> None:
    segment_module._segment_line.cache_clear()
    started = time.perf_counter()
    segment(line)
    assert time.perf_counter() - started < 3.0


@pytest.mark.parametrize(
    "line",
    [
        "c… ! JThe",
        ".] ? ‘Mr “c“]a“?",
        "a. .. B",
        "word. (.. B",
        "Wait!!! Then. . . Now",
        '"Go. Now," he said. Then "x. Y" and. Z',
        "J]The.x’. ! '( ]Dr The]…’Inc\"“’    D",
    ],
)
def test_the_candidates_are_those_finditer_finds(line: str) -> None:
    expected = [m.span() + m.groups() for m in segment_module._CANDIDATE.finditer(line)]
    assert [m.span() + m.groups() for m in segment_module._candidates(line)] == expected


# A line with no stop at all is one "sentence" to the rules above, and several rules read
# a sentence's tokens against each other: 200 KB of "firms deny " took 8 s (compiled) and
# four times that at twice the length. A run longer than MAX_SENTENCE is cut into pieces,
# so each rule's work per sentence is bounded and a body's cost grows with its length.
@pytest.mark.parametrize(
    "line",
    [
        "firms deny " * 18_000,
        "Ana Ruiz, the club's lawyer, said " * 6_000,
        "a" * 50_000,
        "x" * 2_500 + " " + "y " * 3_000,
        ("word " * 399 + "end.") * 100,
    ],
    ids=["cue words", "appositions", "no spaces", "a long word first", "long sentences"],
)
def test_no_segment_is_longer_than_the_bound_and_the_pieces_keep_every_word(line: str) -> None:
    segment_module._segment_line.cache_clear()
    body = line.strip()
    found = segment(body)
    assert len(found) > 1
    assert all(0 < s.end - s.start <= segment_module.MAX_SENTENCE for s in found)
    assert found[0].start == 0
    assert found[-1].end == len(body)
    for before, after in pairwise(found):
        assert body[before.end : after.start].strip() == ""  # only the spaces between


def test_a_sentence_within_the_bound_is_left_whole() -> None:
    sentence = "The minister, " + "who spoke at length, " * 90 + "said the bridge was safe."
    assert len(sentence) <= segment_module.MAX_SENTENCE
    segment_module._segment_line.cache_clear()
    assert [(s.start, s.end) for s in segment(sentence)] == [(0, len(sentence))]
