"""Sentence segmentation (pysbd) and word tokens carrying body offsets.

Sentences never cross a line break: news bodies keep one paragraph per line, and a
heading or caption stands on its own line, so each non-blank line is segmented alone.
pysbd decides every boundary; its sentences are mapped back onto the body with a forward
cursor (pysbd's own char_span searches the whole text for each sentence, which is
quadratic), and long paragraphs go through it in windows. Cost stays linear.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import pysbd

_SEGMENTER = pysbd.Segmenter(language="en", clean=False)

# Sentence-final marks (with closing quotes/brackets) that a body sentence ends with;
# a whole line without one is a headline, section title or caption.
_TERMINAL = frozenset(".!?…\"'”’)]")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One segment of the body: offsets, its paragraph and its place there."""

    index: int
    start: int
    end: int
    paragraph: int
    first_in_paragraph: bool
    whole_line: bool  # the segment is an entire line (headline, caption or one-sentence para)


def is_heading(body: str, sentence: Sentence) -> bool:
    """A whole line that does not end like a sentence is a heading or caption."""
    return sentence.whole_line and body[sentence.end - 1] not in _TERMINAL


def _lines(body: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for raw in body.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            yield pos + lead, pos + lead + len(stripped)
        pos += len(raw)


def _align(line: str, piece: str, cursor: int) -> tuple[int, int] | None:
    """Find pysbd's piece in the line at or after cursor, tolerating changed whitespace."""
    idx = line.find(piece, cursor)
    if idx >= 0:
        return idx, idx + len(piece)
    chars = [c for c in piece if not c.isspace()]
    i = cursor
    while i < len(line) and line[i].isspace():
        i += 1
    first = i
    for c in chars:
        while i < len(line) and line[i].isspace():
            i += 1
        if i >= len(line) or line[i] != c:
            return None
        i += 1
    return first, i


# pysbd's cost grows with the square of a paragraph's length (it rewrites the whole text
# for each abbreviation), so long lines go through it in windows: every window's sentences
# but the last are kept, and the next window starts where that last one began.
_WINDOW = 1500
# A line with no sentence-ending mark before its last word cannot be split: skip pysbd.
_INNER_STOP = re.compile(r"[.!?…](?=.*\w)")


def _pysbd_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = 0
    for raw_piece in _SEGMENTER.processor(text).process():
        piece = str(raw_piece).strip()
        if not piece:
            continue
        found = _align(text, piece, cursor)
        if found is None:
            continue
        start, end = found
        # text pysbd skipped (should not happen) still becomes a segment of its own
        gap = text[cursor:start]
        if gap.strip():
            g0 = cursor + len(gap) - len(gap.lstrip())
            spans.append((g0, g0 + len(gap.strip())))
        spans.append((start, end))
        cursor = end
    rest = text[cursor:]
    if rest.strip():
        r0 = cursor + len(rest) - len(rest.lstrip())
        spans.append((r0, r0 + len(rest.strip())))
    return spans


@lru_cache(maxsize=8192)
def _segment_line(line: str) -> tuple[tuple[int, int], ...]:
    """Sentence spans inside one line (cached: the same lines come back in revisions)."""
    if not _INNER_STOP.search(line):
        return ((0, len(line)),)
    out: list[tuple[int, int]] = []
    pos = 0
    window = _WINDOW
    while pos < len(line):
        end = min(len(line), pos + window)
        while end < len(line) and not line[end].isspace():
            end += 1
        spans = _pysbd_spans(line[pos:end])
        if end < len(line) and len(spans) <= 1:
            window *= 2  # one sentence longer than the window: widen and retry
            continue
        if end >= len(line):
            out.extend((pos + s, pos + e) for s, e in spans)
            break
        out.extend((pos + s, pos + e) for s, e in spans[:-1])
        pos += spans[-1][0]
        window = _WINDOW
    return tuple(out)


def segment(body: str) -> list[Sentence]:
    """All segments of the body with their paragraph bookkeeping."""
    out: list[Sentence] = []
    for para, (l0, l1) in enumerate(_lines(body)):
        spans = _segment_line(body[l0:l1])
        for k, (s, e) in enumerate(spans):
            out.append(
                Sentence(
                    index=len(out),
                    start=l0 + s,
                    end=l0 + e,
                    paragraph=para,
                    first_in_paragraph=k == 0,
                    whole_line=len(spans) == 1,
                )
            )
    return out


def split_sentences(body: str) -> list[tuple[int, int]]:
    """Spans of the body's sentences; headings and one-line captions are their own segments."""
    return [(s.start, s.end) for s in segment(body)]


@dataclass(frozen=True, slots=True)
class Token:
    """A word or symbol with its absolute offsets; the flags are computed once."""

    text: str
    start: int
    end: int
    lower: str
    is_cap: bool = False  # starts with a capital ("Court", "#Breaking")
    is_word: bool = False  # a word or number, not punctuation


def make_token(text: str, start: int, end: int, lower: str | None = None) -> Token:
    first = text[:1]
    return Token(
        text,
        start,
        end,
        text.lower() if lower is None else lower,
        first.isupper() or (first in "#@" and text[1:2].isupper()),
        first.isalnum() or first in "#@$£€",
    )


_TOKEN_RE = re.compile(
    # titles keep their full stop so "Dr. Smith" stays one name
    r"(?:Dr|Mr|Mrs|Ms|Prof|Gen|Lt|Col|Sgt|Capt|Cmdr|Maj|Brig|Adm|Rep|Sen|Gov|Rev|Hon|St|Jr|Sr)\."
    # numbers, money, percentages, scores, ages: $6, 4,500, 14%, 2-1, 27-year-old, 1990s
    r"|[$£€]?\d+(?:[.,:/]\d+)*(?:%|st|nd|rd|th|s)?(?:-[A-Za-z0-9]+)*"
    # initialisms written with stops: U.K., E.U.
    r"|(?:[A-Za-z]\.){2,}"
    # words, hyphenated names (Metro-TV24), possessives (workers')
    r"|[#@]?\w+(?:[-'’&]\w+)*(?:['’](?![A-Za-z]))?"
    # any other single symbol: punctuation, quotes, dashes
    r"|[^\w\s]"
)


def tokenize(body: str, start: int, end: int) -> list[Token]:
    """Tokens of body[start:end] with absolute offsets."""
    text = body[start:end]
    return [
        make_token(m.group(), start + m.start(), start + m.end()) for m in _TOKEN_RE.finditer(text)
    ]
