"""Sentence segmentation and word tokens carrying body offsets.

Sentences never cross a line break: news bodies keep one paragraph per line, and a
heading or caption stands on its own line, so each non-blank line is segmented alone.
Inside a line one regular expression finds every candidate boundary (a stop, with its
closing quotes, then a capital, a digit or an opening quote) and a few rules keep the
ones that are not: a title or month before a name or number ("Dr. X", "Jan. 5"), an
initial ("J. X"), a company suffix or dotted initialism not followed by a word that
opens sentences ("Acme Inc. fell" but "Acme Inc. The firm"), and a stop inside a closed
quotation ('"Go. Now," he said' stays one sentence with its attribution, as news reads
it). Decimals need no rule (no space after the stop). This replaced pysbd, which gave
the same sentences on the labelled stories at a tenth of the cost or less.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, count
from operator import itemgetter
from typing import Final, NamedTuple

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


# List and clause marks of other scripts, read as the Latin mark they stand for: copy
# written beside Arabic-script, Chinese or Japanese text keeps them by names and quoted
# phrases ("said نسیم همدرد، a teacher"), and the rules know only the Latin ones. One
# character for one, so every offset stays the body's.
_OTHER_MARKS: Final = {
    "\u060c": ",",  # Arabic comma
    "\u061b": ";",  # Arabic semicolon
    "\u061f": "?",  # Arabic question mark
    "\u06d4": ".",  # Arabic full stop (Urdu)
    "\u2e41": ",",  # reversed comma (Sindhi, Arabic script)
    "\u3001": ",",  # ideographic comma
    "\u3002": ".",  # ideographic full stop
    "\uff64": ",",  # halfwidth ideographic comma
    "\uff61": ".",  # halfwidth ideographic full stop
    "\uff0c": ",",  # fullwidth comma
    "\uff1b": ";",  # fullwidth semicolon
    "\uff1a": ":",  # fullwidth colon
    "\uff1f": "?",  # fullwidth question mark
    "\uff01": "!",  # fullwidth exclamation mark
    "\uff0e": ".",  # fullwidth full stop
    "\ufe50": ",",  # small comma
    "\ufe51": ",",  # small ideographic comma
    "\ufe52": ".",  # small full stop
    "\ufe54": ";",  # small semicolon
    "\ufe55": ":",  # small colon
    "\ufe56": "?",  # small question mark
    "\ufe57": "!",  # small exclamation mark
    "\u055d": ",",  # Armenian comma
    "\u0589": ".",  # Armenian full stop
    "\u1362": ".",  # Ethiopic full stop
    "\u1363": ",",  # Ethiopic comma
    "\u1364": ";",  # Ethiopic semicolon
    "\u1365": ":",  # Ethiopic colon
    "\u1367": "?",  # Ethiopic question mark
    "\u0964": ".",  # Devanagari danda (a full stop)
    "\u1802": ",",  # Mongolian comma
    "\u1803": ".",  # Mongolian full stop
    "\u07f8": ",",  # N'Ko comma
    "\ua60d": ",",  # Vai comma
    "\ua60e": ".",  # Vai full stop
}
_OTHER_MARK: Final = re.compile("[" + "".join(_OTHER_MARKS) + "]")
_TO_LATIN: Final = str.maketrans(_OTHER_MARKS)


def plain_punctuation(text: str) -> str:
    """The text with other scripts' list and clause marks as Latin ones, the same length;
    the text itself (the same object) when it has none, as almost every story."""
    if _OTHER_MARK.search(text) is None:
        return text
    return text.translate(_TO_LATIN)


def _lines(body: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for raw in body.splitlines(keepends=True):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            yield pos + lead, pos + lead + len(stripped)
        pos += len(raw)


# Abbreviations after which a full stop never ends a sentence: titles before a name,
# "No. 5", "Jan. 5", "vs.", "e.g.".
_NEVER_END = frozenset(
    str.split(
        "mr mrs ms dr prof sen sens rep reps gov gen lt col sgt capt cmdr maj brig adm rev hon "
        "st mt ft fr supt insp det cpl pvt no nos vs v e.g i.e cf approx est dept univ "
        "jan feb mar apr jun jul aug sep sept oct nov dec ave blvd rd fig figs vol pp"
    )
)
# Abbreviations that can end a sentence ("... works for Acme Inc."): they end one only
# when a word that typically opens a sentence follows.
_MAY_END = frozenset(str.split("inc corp co ltd plc llc jr sr etc bros"))
_OPENERS = frozenset(
    str.split(
        "the a an he she it they we i but and in on at after before this that these those "
        "there his her its their police officials however meanwhile yet when while if as "
        "some many one two three no"
    )
)
_CANDIDATE = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\s+)([\"'“‘(\[]*)(\S)")
_MARKS = re.compile(r"[.!?…]+")
_WORD_CHAR = re.compile(r"[\w.&'-]")
_NEXT_WORD = re.compile(r"[\w'’-]+")
_QUOTED = re.compile(r'"[^"]*"|“[^“”]*”')
_INITIAL_BEFORE = frozenset(" (\"“'‘")
# The longest segment detection reads as one sentence, in characters: a claim a reporter
# declares may be 2,000, and the longest sentence of the labelled stories is 324. Rules
# read a sentence's tokens against each other (a source against the speech verbs before
# it, each cue against the others), so a line with no stop at all (200 KB of "firms deny
# ...") cost seconds per story and grew with the square of the line; a longer run is cut
# into pieces of at most this, at the last space, so a body's cost grows with its length.
MAX_SENTENCE: Final = 2000


def _word_before(line: str, end: int) -> str:
    """The run of word characters (and ``.&'-``) that ends at ``end``. Walked back from
    ``end``: a search for it anchored at ``end`` tries every start from the line's
    beginning, quadratic in a long one-paragraph body (minutes for the largest allowed)."""
    at = end
    while at > 0 and _WORD_CHAR.match(line, at - 1):
        at -= 1
    return line[at:end]


def _not_a_boundary(line: str, m: re.Match[str]) -> bool:
    if m.group(1) != ".":
        return False
    before = _word_before(line, m.start()).lower()
    core = before.rstrip(".")
    if not core:
        return False
    if core in _NEVER_END:
        return True
    at = m.start() - len(before)
    if len(core) == 1 and core.isalpha() and not m.group(2):
        return at == 0 or line[at - 1] in _INITIAL_BEFORE  # an initial: "J. X"
    if core in _MAY_END or "." in core:  # "Acme Inc.", dotted initialisms, "10 a.m."
        nxt = _NEXT_WORD.match(line, m.start(5))
        return nxt is None or nxt.group().lower() not in _OPENERS
    return False


def _candidates(line: str) -> Iterator[re.Match[str]]:
    """What ``_CANDIDATE.finditer(line)`` finds, in time linear in the line. finditer
    tries the pattern at every mark of a run of marks, and each try takes the rest of the
    run and gives it back one mark at a time: quadratic, minutes of a verify worker for a
    line of 200,000 full stops. A try can only succeed with the whole rest of the run (a
    mark is not a closing quote or a space), so when the try at the first mark fails,
    every later one in that run fails too: skip to the run's end."""
    at = 0
    while (run := _MARKS.search(line, at)) is not None:
        found = _CANDIDATE.match(line, run.start())
        if found is None:
            at = run.end()
            continue
        yield found
        at = found.end()


# 1,024 lines: a revision's paragraphs seen again soon after. 8,192 held a burst's
# paragraphs, almost all seen once, and were most of a pool worker's growth to 90 MB.
@lru_cache(maxsize=1024)
def _segment_line(line: str) -> tuple[tuple[int, int], ...]:
    """Sentence spans inside one line (cached: the same lines come back in revisions)."""
    spans: list[tuple[int, int]] = []
    start = 0
    quoted = list(_QUOTED.finditer(line)) if '"' in line or "“" in line else []
    # The quotations do not overlap and come in order: only the last one opened before a
    # candidate can hold it (a scan of all of them per candidate was quadratic).
    opened = [q.start() for q in quoted]
    for m in _candidates(line):
        first = m.group(5)
        if not (first.isupper() or first.isdigit() or m.group(4)):
            continue  # '"Why?" he asked': a lower-case word goes on with the sentence
        last = bisect_left(opened, m.start()) - 1
        if last >= 0 and m.end(2) < quoted[last].end():
            continue  # inside a closed quotation
        if _not_a_boundary(line, m):
            continue
        _append_bounded(spans, line, start, m.end(2))
        start = m.start(4)
    _append_bounded(spans, line, start, len(line))
    return tuple(spans)


def _append_bounded(spans: list[tuple[int, int]], line: str, start: int, end: int) -> None:
    """The span line[start:end], in pieces of at most MAX_SENTENCE characters: each cut at
    the last space or tab of its piece (at the limit itself when there is none), the
    spaces between two pieces belonging to neither. Each character is looked at once."""
    while end - start > MAX_SENTENCE:
        limit = start + MAX_SENTENCE
        cut = max(line.rfind(" ", start + 1, limit + 1), line.rfind("\t", start + 1, limit + 1))
        if cut <= start:
            cut = limit
        piece_end = cut
        while piece_end > start and line[piece_end - 1] in " \t":
            piece_end -= 1
        spans.append((start, piece_end))
        start = cut
        while start < end and line[start] in " \t":
            start += 1
    if end > start:
        spans.append((start, end))


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


class Token(NamedTuple):
    """A word or symbol with its absolute offsets; the flags are computed once.

    A named tuple, not a dataclass: a story makes thousands and they cost less to build.
    """

    text: str
    start: int
    end: int
    lower: str
    is_cap: bool = False  # starts with a capital ("Court", "#Breaking")
    is_word: bool = False  # a word or number, not punctuation


# Token fields as functions that map(), bisect and compress call in C: a pass that
# tests one field of every token runs without a Python loop.
TEXT = itemgetter(0)
START = itemgetter(1)
END = itemgetter(2)
LOWER = itemgetter(3)
IS_CAP = itemgetter(4)
IS_WORD = itemgetter(5)


def indices_of(tokens: list[Token], words: frozenset[str]) -> Iterator[int]:
    """Indices of the tokens whose lower case is one of words, in order. The test runs
    in C: a pass that acts on a few cue words visits only those, not every token."""
    return compress(count(), map(words.__contains__, map(LOWER, tokens)))


def word_flags(text: str) -> tuple[str, bool, bool]:
    """A token text's lower case, is_cap and is_word (cached by text)."""
    return _word(text)[1:]


# Words _word remembers before it starts again (news vocabulary's head comes back within
# a few stories). A dict, not lru_cache: every token asks, and the compiled build reads
# a dict without a call through lru_cache's wrapper and its recency list.
_WORDS_KEPT: Final = 16384
_WORDS: Final[dict[str, tuple[str, str, bool, bool]]] = {}


def _word(text: str) -> tuple[str, str, bool, bool]:
    """The text as first seen, then word_flags. A token takes that first text: every
    later cache keyed by the word then finds its key by identity, without comparing
    the characters."""
    got = _WORDS.get(text)
    if got is None:
        if len(_WORDS) >= _WORDS_KEPT:
            _WORDS.clear()
        got = _WORDS[text] = _word_of(text)
    return got


def _uncased_letter(first: str) -> bool:
    """A letter of a script without capitals (Arabic, Hebrew...): in an English story
    a word in such a script is a name or a quoted phrase, as a capitalised word is, so
    a name in Arabic script after "said" is its source as a capitalised one is."""
    return first >= "\u0590" and first.isalpha() and not first.islower()


# Arabic and Persian names in news English joined by a particle in lower case to a
# capitalised part (al-X, el-X, ul-X, ud-X, ash-X, bin-X, ibn-X, abd-X, abu-X): the word
# is that name's, as a capitalised one is.
_PARTICLE_NAME = re.compile(r"(?:a[lnrsdtz]|ash|e[ln]|u[ld]|bin|ibn|abd|abu)-[A-Z]")


def _word_of(text: str) -> tuple[str, str, bool, bool]:
    first = text[:1]
    return (
        text,
        text.lower(),
        first.isupper()
        or (first in "#@" and text[1:2].isupper())
        or _uncased_letter(first)
        or (first in "abeiu" and _PARTICLE_NAME.match(text) is not None),
        first.isalnum() or first in "#@$£€",
    )


def make_token(text: str, start: int, end: int, lower: str | None = None) -> Token:
    same, low, cap, word = _word(text)
    return Token(same, start, end, low if lower is None else lower, cap, word)


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


# A token with the whitespace before it: findall builds the pairs in C, and the offsets
# follow from their lengths (every character but whitespace belongs to a token), which
# costs less than a match object's span per token.
_SPACED_TOKEN_RE = re.compile(r"(\s*)(" + _TOKEN_RE.pattern + ")")


def tokenize(body: str, start: int, end: int) -> list[Token]:
    """Tokens of body[start:end] with absolute offsets."""
    out: list[Token] = []
    append = out.append
    new = tuple.__new__  # a named tuple built without its keyword-handling __new__
    pos = start
    for space, text in _SPACED_TOKEN_RE.findall(body, start, end):
        pos += len(space)
        token_end = pos + len(text)
        same, low, cap, word = _word(text)
        append(new(Token, (same, pos, token_end, low, cap, word)))
        pos = token_end
    return out
