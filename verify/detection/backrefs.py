"""What a sentence says about the one before it, by pointing back to it.

Two conventions of news English put a claim's dispute or its sourcing in the next
sentence, where the sentence-level cues cannot see the claim:

- a short rebuttal that points back with "that", "this" or "that claim" ("Residents
  dispute that.", "The club rejected that account on Monday.", "This was incorrect.")
  disputes the claim right before it, in the same paragraph or at the end of the one
  before (a correction notice states the error, then opens a paragraph with "This was
  incorrect.");
- an unnamed source referred back to by its head noun alone ("A diplomat, who asked not
  to be named, said ... The diplomat said ...") is still unnamed.
"""

from __future__ import annotations

import re

from . import lexicon as lx
from .facts import Facts, add_own
from .model import Signal

_POINTER_NOUNS = (
    r"(?:claims?|accounts?|allegations?|suggestions?|characteri[sz]ations?|version|"
    r"assertions?|reports?|figures?)"
)
# the pointer ends the clause: "denied that." / "denied that on Monday", never "denied
# that the ..." (a reported clause follows that "that")
_CLAUSE_END = (
    r"(?=\s*(?:[.,;:!\"”]|$)|\s+(?:on|in|at|outright|flatly|strongly|entirely|"
    r"categorically|yesterday|today|last|within|when|as|and|but|through)\b)"
)
# Verbs whose object can only be a statement take a bare pointer ("denied it");
# "rejected it", "dismissed it", "contested it" may be an offer, a case or a seat, so
# those need the claim's noun ("rejected that account").
_REBUTTAL = re.compile(
    r"\b(?:(?:den(?:y|ies|ied)|disput(?:e|es|ed)|refut(?:e|es|ed)|rubbish(?:es|ed))\s+"
    r"(?:that|this|it|these|those)|(?:den(?:y|ies|ied)|disput(?:e|es|ed)|refut(?:e|es|ed)|"
    r"rubbish(?:es|ed)|reject(?:s|ed)?|contest(?:s|ed)|dismiss(?:es|ed))\s+(?:that|this|the|"
    r"these|those|such)\s+"
    + _POINTER_NOUNS
    + r")"
    + _CLAUSE_END
    + r"|(?P<verdict>^[\"“'‘]?\s*(?:this|that|it)\s+(?:is|was)\s+"
    r"(?:simply\s+|completely\s+|also\s+)?(?:not\s+true|untrue|incorrect|false|wrong|inaccurate|not\s+the\s+case)\b"
    # "it was wrong to close ...", "wrong for the council to ...": a judgement on a deed
    r"(?!\s+(?:to|for)\b))"
)
_NEGATED = re.compile(r"\b(?:not|never|n['’]t)\s+(?:\w+\s+)?$")
_MAX_WORDS = 16  # a rebuttal that points back is short; a longer sentence says more

_DETERMINERS = frozenset({"the", "that", "this"})
_UNNAMED_HEADS = lx.PERSON_HEADS | lx.ANON_HEADS


def _rebuttal(body: str, f: Facts) -> re.Match[str] | None:
    if f.heading or sum(t.is_word for t in f.tokens) > _MAX_WORDS:
        return None
    low = body[f.sentence.start : f.sentence.end].lower()
    m = _REBUTTAL.search(low)
    if m is None or _NEGATED.search(low[: m.start()]):
        return None
    return m


def _points_back(body: str, facts: list[Facts]) -> None:
    for k in range(1, len(facts)):
        f, before = facts[k], facts[k - 1]
        if before.heading or not before.is_claim:
            continue
        same = f.sentence.paragraph == before.sentence.paragraph
        adjacent = f.sentence.first_in_paragraph and f.sentence.paragraph == (
            before.sentence.paragraph + 1
        )
        if not (same or adjacent):
            continue
        m = _rebuttal(body, f)
        # across a paragraph break only the writer's own verdict ("This was incorrect.")
        # points back to the last sentence; a party's "X denied that" there answers the
        # paragraph before as a whole, which the story-level passes weigh
        if m is None or (not same and m.group("verdict") is None):
            continue
        start, end = f.sentence.start + m.start(), f.sentence.start + m.end()
        cue = body[start:end]
        add_own(
            before,
            Signal("denial", cue, start, end, f"disputed by the next sentence: '{cue}'"),
        )


def _unnamed_again(facts: list[Facts]) -> None:
    unnamed: dict[str, int] = {}  # head noun of an unnamed source -> its paragraph
    for f in facts:
        if f.heading:
            continue
        para = f.sentence.paragraph
        own = [a for a in f.attributions if f.sentence.start <= a.cue_start < f.sentence.end]
        anonymous = any(s.kind == "anonymous_source" for s in f.signals)
        for a in own:
            words = a.source.split()
            head = words[-1].lower() if words else ""
            if anonymous and head in _UNNAMED_HEADS:
                unnamed[head] = para
                continue
            bare = (
                len(words) in {2, 3}
                and words[0].lower() in _DETERMINERS
                and not any(w[:1].isupper() for w in words[1:])
            )
            seen = unnamed.get(head)
            if anonymous or not bare or seen is None or para - seen > 1:
                continue
            add_own(
                f,
                Signal(
                    "anonymous_source",
                    a.source,
                    a.start,
                    a.end,
                    f"unnamed source '{a.source}': the one the story did not name before",
                ),
            )


def refer_back(body: str, facts: list[Facts]) -> None:
    _points_back(body, facts)
    _unnamed_again(facts)
