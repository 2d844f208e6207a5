"""Whether two statements make one assertion: close enough in content, and agreeing on
everything that would make them say different things.

Rewording, reordering, shortening and another attribution clause are allowed: the terms
of the shorter statement must mostly be in the longer one. Refused, whatever the
overlap: other numbers or dates (one may drop some, neither may change one), another
named party or place on each side, one negated and the other not, one hedged and the
other asserted, opposite directions ("rose" / "fell", "denied" / "confirmed"), one
noun or adjective put in another's place ("nurses" / "doctors"), and roles swapped
("Corton beat Redbridge").
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from verify.memory.statement import Statement

# The share of the shorter statement's terms the longer must hold (shortening is allowed;
# rewording changes a term or two), and how many terms at least.
MIN_CONTAINMENT = 0.7
MIN_SHARED = 3
_ROLE_WINDOW = 4  # terms each side of a shared verb that stand for its subject and object

DIFFERENCES = ("number", "date", "name", "negation", "hedge", "polarity", "term", "roles")


@dataclass(frozen=True)
class Comparison:
    same: bool
    score: float  # how close the content is, 0..1 (containment and Jaccard, averaged)
    differs: str | None = None  # why not the same: one of DIFFERENCES, or "content"


def compare(a: Statement, b: Statement) -> Comparison:
    sa, sb = set(a.terms), set(b.terms)
    if not sa or not sb:
        return Comparison(False, 0.0, "content")
    shared = sa & sb
    containment = len(shared) / min(len(sa), len(sb))
    score = round((containment + len(shared) / len(sa | sb)) / 2, 3)
    if len(shared) < min(MIN_SHARED, len(sa), len(sb)) or containment < MIN_CONTAINMENT:
        return Comparison(False, score, "content")
    differs = _difference(a, b, sa, sb)
    return Comparison(differs is None, score, differs)


def _difference(a: Statement, b: Statement, sa: set[str], sb: set[str]) -> str | None:
    if not _nested(a.numbers, b.numbers):
        return "number"
    if not _nested(a.dates, b.dates):
        return "date"
    if a.negated != b.negated:
        return "negation"
    if a.hedged != b.hedged:
        return "hedge"
    if _opposed(a.polarity, b.polarity):
        return "polarity"
    if a.names - sb and b.names - sa:
        return "name"
    if _substituted(a, b):
        return "term"
    if not (a.passive or b.passive) and _swapped(a, b):
        return "roles"
    return None


def _nested(x: frozenset[str], y: frozenset[str]) -> bool:
    """One may leave some out (a shortened claim); neither may say another."""
    return x <= y or y <= x


def _opposed(x: frozenset[str], y: frozenset[str]) -> bool:
    signs_x: dict[str, set[str]] = {}
    signs_y: dict[str, set[str]] = {}
    for found, into in ((x, signs_x), (y, signs_y)):
        for entry in found:
            axis, sign = entry.split(":")
            into.setdefault(axis, set()).add(sign)
    return any(axis in signs_y and signs_y[axis] != s for axis, s in signs_x.items())


def _plain(term: str) -> bool:
    return not term.startswith(("#", "@"))


def _substituted(a: Statement, b: Statement) -> bool:
    """A noun or adjective put in another's place, the terms around it the same."""
    ops = SequenceMatcher(None, a.terms, b.terms, autojunk=False).get_opcodes()
    for k, (op, i1, i2, j1, j2) in enumerate(ops):
        if op != "replace" or i2 - i1 > 2 or j2 - j1 > 2:
            continue
        before = k > 0 and ops[k - 1][0] == "equal"
        after = k + 1 < len(ops) and ops[k + 1][0] == "equal"
        if not (before or after):
            continue
        left, right = a.terms[i1:i2], b.terms[j1:j2]
        if any(t in a.verbs for t in left) or any(t in b.verbs for t in right):
            continue  # another verb: a rewording
        if all(_plain(t) for t in left + right) and not set(left) & set(b.terms):
            return True
    return False


def _swapped(a: Statement, b: Statement) -> bool:
    """The same verb with subject and object exchanged, a name among them (written with
    a capital in both: a capital only because it opens the sentence is no name)."""
    names = a.names & b.names
    for verb in a.verbs & b.verbs:
        if a.terms.count(verb) != 1 or b.terms.count(verb) != 1:
            continue
        before_a, after_a = _sides(a.terms, a.terms.index(verb))
        before_b, after_b = _sides(b.terms, b.terms.index(verb))
        moved = (before_a & after_b, after_a & before_b)
        if all(moved) and (moved[0] | moved[1]) & names:
            return True
    return False


def _sides(terms: tuple[str, ...], at: int) -> tuple[set[str], set[str]]:
    before = {t for t in terms[max(0, at - _ROLE_WINDOW) : at] if _plain(t)}
    after = {t for t in terms[at + 1 : at + 1 + _ROLE_WINDOW] if _plain(t)}
    return before, after
