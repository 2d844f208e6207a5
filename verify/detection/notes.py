"""The newsroom's note that it could not check what a source says, standing as its own
sentence: "The figures could not be independently verified.", "Reuters could not
independently verify the toll.", "Neither account could be confirmed."

Inside a claim's sentence the note is a contest cue (cues.py). As a sentence of its own
it is no claim (hedges.states_possibility), and it hedges the claims it points back to:
those that hold a word it names ("the reports of shelling"), else, for "the figures",
the claims with a number among the last few; for another plural ("the claims", "they"),
the claims of its paragraph before it; for a singular ("the claim", "it"), the claim
just before it in its paragraph. Each gets a `hedge` signal: the text passes it on without vouching.
"""

from __future__ import annotations

import re

from . import lexicon as lx
from .facts import Facts, add, content_stems
from .model import Signal
from .segment import Token

_CHECK = r"(?:verif(?:y|ied)|confirm(?:ed)?|corroborat(?:e|ed))"
# "X could not (independently) verify Y", "Y could not be verified", "Y has not been
# independently confirmed", "X was unable to verify Y"
_NOTE = re.compile(
    r"\b(?:(?:could|can|has|have|had|was|were)\s*(?:\s+not|n['’]t)|cannot|was\s+unable\s+to|"
    r"were\s+unable\s+to)\s+(?:yet\s+|immediately\s+)?(?:be\s+|been\s+)?"
    r"(?:independently\s+)?" + _CHECK + r"\b",
    re.IGNORECASE,
)
_BACK = 3  # claims back: a note answers what was said just before it
# Words that name what the note is about without naming its matter.
_GENERIC = lx.word_set(
    "claim claims figure figures number numbers toll tolls account accounts report reports "
    "statement statements allegation allegations detail details information video videos "
    "footage image images photo photos photograph photographs picture pictures death "
    "casualty casualties independently neither either both these those this that they "
    "them its their the reuters press associated agency newsroom outlet"
)
_FIGURES = lx.word_set("figures numbers tolls statistics counts tallies totals data estimates")
_PLURAL = lx.word_set(
    "claims accounts reports allegations statements details videos images photos "
    "photographs pictures they them these those neither both"
)
_OBJECT_ENDS = frozenset({"or", "and", ",", ";", ":", "because", "but", "as", "although"})
_COUNTS = lx.word_set("dozens hundreds thousands scores millions")


def _has_figure(f: Facts) -> bool:
    return any(
        t.text[:1].isdigit() or t.lower in lx.NUMBER_WORDS or t.lower in _COUNTS for t in f.tokens
    )


def _phrase(tokens: list[Token], start: int, end: int) -> list[Token]:
    """The words of what the note is about: its subject when passive ("The figures could
    not be verified"), its object when active ("could not verify the toll")."""
    before = [t for t in tokens if t.end <= start and t.is_word]
    after: list[Token] = []
    for t in (t for t in tokens if t.start >= end):
        if t.lower in _OBJECT_ENDS:
            break  # "verify the video or establish who ...": the object is the video
        if t.is_word:
            after.append(t)
    passive = any(t.lower in {"be", "been"} for t in tokens if start <= t.start < end)
    return before if passive or not after else after


def unverified_notes(facts: list[Facts], claims: list[int]) -> None:
    """Hedge the claims a stand-alone 'could not be verified' note points back to."""
    position = {ci: n for n, ci in enumerate(claims)}
    for k, f in enumerate(facts):
        if f.heading or f.is_claim:
            continue  # a note inside a claim's sentence is that sentence's own cue
        if not any(s.kind == "hedge" for s in f.signals):
            continue  # the note is a contest cue (cues.py): most sentences hold none
        cue = next((s for s in f.signals if s.kind == "hedge" and _NOTE.search(s.cue)), None)
        if cue is None:
            continue
        words = _phrase(f.tokens, cue.start, cue.end)
        lowers = {t.lower for t in words}
        named = content_stems([t for t in words if t.lower not in _GENERIC])
        before = [ci for ci in claims if ci < k]
        recent = [
            ci
            for ci in before[-_BACK:]
            if f.sentence.paragraph - facts[ci].sentence.paragraph <= 1 and not facts[ci].heading
        ]
        if not recent:
            continue
        same_para = [ci for ci in recent if facts[ci].sentence.paragraph == f.sentence.paragraph]
        targets = [ci for ci in recent if named & facts[ci].stems]
        if not targets and lowers & _FIGURES:
            targets = [ci for ci in recent if _has_figure(facts[ci])]
        # with nothing named, a note answers what its own paragraph says: one that opens
        # a paragraph and names no word of the claims before is about something else
        if not targets and lowers & _PLURAL:
            targets = same_para
        if not targets:
            targets = same_para[-1:]
        sig = Signal(
            "hedge",
            cue.cue,
            cue.start,
            cue.end,
            f"hedged with '{cue.cue}' (the newsroom says it could not check it)",
        )
        for ci in targets:
            if ci in position:
                add(facts[ci], sig)
