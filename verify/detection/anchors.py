"""Which literal words a regular expression needs, and where in a story they occur: a
pattern need only run where one of its words is (most sentences hold none).

``anchors_of`` reads the literals from the pattern's parse; ``Prefiltered`` tests them
before a pattern runs on one text; ``AnchorSet`` finds the sentences of a story that
hold each, for many patterns at once.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from typing import Any

# The standard library's own pattern parser, to read the literals a pattern needs.
_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")


def _literals(op: Any, av: Any) -> set[str] | None:
    """The strings an item matches when they are a small finite set ('den', '(?:y|ies)')."""
    if op is _c.LITERAL:
        return {chr(av)}
    if op is _c.SUBPATTERN:
        return _literal_seq(av[-1])
    if op is _c.BRANCH:
        parts = [_literal_seq(b) for b in av[1]]
        if any(p is None for p in parts):
            return None
        return set().union(*parts)  # type: ignore[arg-type]
    if op is _c.IN and all(o is _c.LITERAL for o, _ in av):
        return {chr(v) for _, v in av}
    return None


def _literal_seq(items: Any) -> set[str] | None:
    out = {""}
    for op, av in items:
        got = _literals(op, av)
        if got is None or len(out) * len(got) > 64:
            return None
        out = {a + b for a in out for b in got}
    return out


def _necessary(items: Any) -> set[str] | None:
    """Literal strings one of which every match of a parsed pattern contains, the set
    whose shortest string is longest; None when there is no such set. Runs of items
    that match a small set of strings are multiplied out ('m' + 'ay|ight' -> may, might)."""
    found: list[set[str]] = []
    run: set[str] = {""}
    for op, av in [*items, (None, None)]:
        lits = _literals(op, av) if op is not None else None
        if lits is not None and len(run) * len(lits) <= 64:
            run = {a + b for a in run for b in lits}
            continue
        if run != {""}:
            found.append(run)
        run = {""}
        if lits is not None:
            run = lits
            continue
        got: set[str] | None = None
        if op is _c.SUBPATTERN:
            got = _necessary(av[-1])
        elif op is _c.BRANCH:
            parts = [_necessary(b) for b in av[1]]
            got = None if any(p is None for p in parts) else set().union(*parts)  # type: ignore[arg-type]
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
            got = _necessary(av[2])
        if got:
            found.append(got)
    return max(found, key=lambda c: min(len(x) for x in c), default=None)


def anchors_of(pattern: re.Pattern[str]) -> tuple[str, ...]:
    """Lower-case literals one of which every match holds; () if none can be found."""
    return tuple(sorted({a.lower() for a in _necessary(_parser.parse(pattern.pattern)) or ()}))


class Prefiltered:
    """A compiled pattern that first checks its anchors with a substring test: most
    sentences hold none of them, and the test costs far less than the regex scan."""

    def __init__(self, pattern: re.Pattern[str]):
        self.pattern = pattern
        self.anchors = anchors_of(pattern)

    def search(self, text: str) -> re.Match[str] | None:
        if self.anchors:
            low = text.lower()
            if not any(map(low.__contains__, self.anchors)):  # each test in C
                return None
        return self.pattern.search(text)


# A run of ASCII letters: every anchor is one (AnchorSet checks), so an anchor found in
# a sentence lies inside one of the sentence's runs.
_LETTERS = re.compile(r"[a-z]+")
# Distinct words an AnchorSet remembers before it starts again (news vocabulary's head
# comes back within a few stories; the tail is names and numbers seen once).
_WORDS_KEPT = 16384


class AnchorSet:
    """Which sentences of a story hold which of a fixed set of anchors (lower-case
    letters), found word by word.

    A pattern need only be run over the sentences holding one of its anchors. Searching
    the whole story once per anchor cost a tenth of detection (some 200 anchors, most
    in no sentence); here each sentence's letters are split into words once, and each
    distinct word is matched against the anchors once and then remembered.
    """

    def __init__(self, anchors: Iterable[str]):
        self.anchors = tuple(sorted(set(anchors)))
        odd = [a for a in self.anchors if len(a) < 2 or not _LETTERS.fullmatch(a)]
        if odd:
            raise ValueError(f"anchors must be two or more lower-case ASCII letters: {odd}")
        # the anchors by their first two letters: a new word is read once, two letters
        # at a time, instead of being searched for every anchor
        self._by_start: dict[str, tuple[str, ...]] = {}
        for a in self.anchors:
            self._by_start[a[:2]] = (*self._by_start.get(a[:2], ()), a)
        self._known: dict[str, tuple[str, ...]] = {}

    def _in_word(self, word: str) -> tuple[str, ...]:
        got = self._known.get(word)
        if got is None:
            if len(self._known) >= _WORDS_KEPT:
                self._known.clear()
            found: set[str] = set()
            for i in range(len(word) - 1):
                for a in self._by_start.get(word[i : i + 2], ()):
                    if word.startswith(a, i):
                        found.add(a)
            got = self._known[word] = tuple(found)
        return got

    def find(self, body: str, spans: list[tuple[int, int]]) -> Occurrences:
        """The sentences (indices of spans) each anchor occurs in, in order. Each
        sentence is lower-cased alone, so a letter that lengthens when lower-cased
        shifts nothing."""
        where: dict[str, list[int]] = {}
        for k, (start, end) in enumerate(spans):
            for word in _LETTERS.findall(body[start:end].lower()):
                for a in self._in_word(word):
                    ks = where.get(a)
                    if ks is None:
                        where[a] = [k]
                    elif ks[-1] != k:
                        ks.append(k)
        return Occurrences(where, len(spans))


class Occurrences:
    """AnchorSet.find's answer for one story."""

    def __init__(self, where: dict[str, list[int]], sentences: int):
        self._where = where
        self._sentences = sentences

    def holding(self, anchors: tuple[str, ...]) -> list[int]:
        """Indices of the sentences holding one of the anchors (all when none given)."""
        if not anchors:
            return list(range(self._sentences))
        if len(anchors) == 1:
            return self._where.get(anchors[0], [])
        found: set[int] = set()
        for a in anchors:
            found.update(self._where.get(a, ()))
        return sorted(found)


def necessary_literals(pattern: str) -> set[str]:
    """Literal strings (as written) one of which every match of the pattern holds; empty
    when none can be found."""
    return _necessary(_parser.parse(pattern)) or set()
