"""What a denier says right after its denial is its side of the dispute.

News English denies in one sentence and gives the denier's account in the next: "The
firm rejected that account. It said ...", "The club disputed the figures. Spokesman X
said ...". The second
sentence has no denial word of its own, so the sentence-level cues miss it. It is
contested when it follows the denial in the same paragraph and its speaker is the
denier: a pronoun, a bare spokesperson or lawyer (who speaks for the body just
named), or a name whose role is the denier's own ("its chief executive, X"). The same
body by name is conflicts.py's (what a denier says next to its denial).
"""

from __future__ import annotations

from . import lexicon as lx
from .facts import Facts, add_own, is_plan
from .model import Signal

# Roles that speak for the body the sentence before named, when no other is given.
_VOICES = lx.word_set(
    "spokesman spokeswoman spokesperson spokespeople lawyer lawyers attorney attorneys "
    "counsel representative representatives statement"
)


def _speaks_for(source: str) -> bool:
    words = source.split()
    lowered = {w.lower().strip(",") for w in words}
    # "It said": unresolved, so it points at the sentence before; "Spokesman X said": no
    # other body named. The same body by name is conflicts.py's already.
    pronoun = len(words) == 1 and bool(lowered & set(lx.PRONOUNS))
    return pronoun or bool(lowered & _VOICES and not lowered & {"of", "for"})


def _own_role(role: str) -> bool:
    """'its chief executive, X', 'her campaign manager, X': a role the denier's own (the
    possessive points back at who was just named) speaks for it."""
    first = role.split()[0].lower() if role else ""
    return first in lx.POSSESSIVE_PRONOUNS


def denial_elaborations(facts: list[Facts]) -> None:
    for k in range(1, len(facts)):
        d, f = facts[k - 1], facts[k]
        if d.heading or f.heading or not f.is_claim or f.contested:
            continue
        if f.sentence.paragraph != d.sentence.paragraph or is_plan(f):
            continue
        s = d.sentence
        denial = next(
            (g for g in d.signals if g.kind == "denial" and s.start <= g.start < s.end), None
        )
        own = [a for a in f.attributions if f.sentence.start <= a.cue_start < f.sentence.end]
        if denial is None or not own or not d.attributions:
            continue
        # a pronoun resolved to the denier points back at the denial's own source
        deniers = {(a.start, a.end) for a in d.attributions}
        if any(
            _speaks_for(a.source) or _own_role(a.role) or (a.start, a.end) in deniers for a in own
        ):
            detail = f"the denier's own account, right after '{denial.cue}'"
            add_own(f, Signal("denial", denial.cue, denial.start, denial.end, detail))
