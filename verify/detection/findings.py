"""Results and findings that another party questions.

- A result a party rejects ("we did not lose this election", "refused to accept the
  outcome", "the vote was rigged") contests the vote-share results the story reports,
  and the rejecting party and the winner become the two sides of a dispute.
- An outside expert's caveat on a finding ("could be biased", "too small to draw firm
  conclusions", "has not been peer reviewed") contests the finding it answers, which may
  be several sentences earlier, and the findings its party gave beside it.
"""

from __future__ import annotations

import re

from . import lexicon as lx
from .anchors import Prefiltered
from .disputes import Dispute
from .facts import Facts, add, add_own, stem
from .lexicon import word_set
from .model import Signal
from .parties import own_attributions
from .segment import LOWER

_REJECTS = Prefiltered(
    re.compile(
        r"\b(?:did\s+not|didn't|never)\s+(?:lose|win)\b|\bwere\s+robbed\b|"
        r"\b(?:rigged|stolen)\s+(?:election|vote|ballot|count|poll)s?\b|"
        r"\b(?:election|vote|ballot|count|poll)s?\s+(?:was|were|had\s+been)\s+(?:rigged|stolen)\b|"
        r"\b(?:reject\w*|refus\w*\s+to\s+(?:accept|recogni[sz]e)|(?:will|would|does|do)\s+not\s+"
        r"(?:accept|recogni[sz]e))\s+(?:the\s+|these\s+|this\s+)?(?:[\w-]+\s+)?"
        r"(?:results?|outcome|victory|win)\b",
        re.IGNORECASE,
    )
)
_WIN = word_set("won win wins winning re-election re-elected elected victory")
_SHARE = word_set("percent % per")

_CAVEATS = Prefiltered(
    re.compile(
        r"\b(?:could|may|might|would|can)\s+(?:well\s+|also\s+)?bias\b|\bbiased\b|"
        r"\btoo\s+(?:small|short|few|limited|early|brief)\b|"
        r"\bnot\s+(?:yet\s+)?(?:been\s+)?peer[-\s]reviewed\b|"
        r"\b(?:draw|reach)\s+(?:any\s+|firm\s+|definitive\s+|strong\s+|such\s+|broad\s+)?"
        r"conclusions?\b|\bnot\s+(?:yet\s+)?(?:been\s+)?replicated\b|\bsmall\s+sample\b|"
        r"\bflawed\b|\bmethodolog\w*\s+(?:flaws?|problems?|weakness\w*|limitations?)\b|"
        r"\bno\s+control\s+group\b",
        re.IGNORECASE,
    )
)
_FINDING_NOUNS = word_set(
    "study studies trial trials results findings data research preprint paper survey "
    "analysis experiment report poll"
)
_FINDING_VERBS = word_set(
    "found showed shows reduced reduces cut cuts lowered raised increased improved linked "
    "associated halved doubled"
)
_OWN_AUTHORS = word_set("authors researchers author researcher scientists team")
_BACK = 8  # claims before a caveat that it can answer

_NOT_NAMES = lx.PERSON_HEADS | lx.DETERMINERS | lx.LEADING_FILLERS


def _text(body: str, f: Facts) -> str:
    return body[f.sentence.start : f.sentence.end]


def _speaker(f: Facts) -> str:
    own = own_attributions(f)
    return own[0].source if own else "the story"


def _winner(f: Facts) -> set[str]:
    """Names before the word that says who won: 'Incumbent mayor X Y won ...'."""
    toks = f.tokens
    k = next((k for k, t in enumerate(toks) if t.lower in _WIN), 0)
    # the sentence's first word only when a name goes on after it ("Quentavia Brack won")
    first = 0 if (k > 1 and toks[1].is_cap) or k == 1 else 1
    return {stem(t.text) for t in toks[first:k] if t.is_cap and t.lower not in _NOT_NAMES}


def _is_result(f: Facts) -> bool:
    # each test maps the tokens in C: most claims hold no word of _WIN, and stop there
    win = not _WIN.isdisjoint(map(LOWER, f.tokens))
    return win and not _SHARE.isdisjoint(map(LOWER, f.tokens))


def rejected_results(
    body: str, facts: list[Facts], claims: list[int], ident: dict[int, set[str]]
) -> list[Dispute]:
    results = [i for i in claims if _is_result(facts[i])]
    if not results:
        return []
    out: list[Dispute] = []
    for x in claims:
        f = facts[x]
        m = _REJECTS.search(_text(body, f))
        if m is None or not (f.attributions or x in results):
            continue
        s0 = f.sentence.start + m.start()
        s1 = f.sentence.start + m.end()
        cue = body[s0:s1]
        add_own(f, Signal("denial", cue, s0, s1, f"denial '{cue}' (rejects the result)"))
        who = _speaker(f)
        answered = [r for r in results if r != x and r <= x]
        for r in answered:
            detail = f"disputed: {who} rejects the result {_speaker(facts[r])} reports"
            add(facts[r], Signal("conflicting_sources", cue, s0, s1, detail))
        side_a = ident.get(x, set())
        side_b = set().union(*(_winner(facts[r]) for r in answered)) if answered else set()
        if answered and side_a and side_b:
            winner = " ".join(sorted(side_b))
            out.append(
                Dispute(
                    "result",
                    {x, *answered},
                    set(side_a),
                    side_b - side_a,
                    who,
                    winner,
                    detail=f"disputed: {who} rejects the result that {winner} won",
                )
            )
    return out


def _finding(f: Facts) -> bool:
    words = {t.lower for t in f.tokens}
    numbered = any(t.text[:1].isdigit() for t in f.tokens)
    return bool(words & _FINDING_NOUNS) or (bool(words & _FINDING_VERBS) and numbered)


def _study_voice(f: Facts) -> bool:
    """The study speaks for itself: 'according to the report', 'the researchers said'."""
    heads = {a.source.split()[-1].lower() for a in own_attributions(f) if a.source.split()}
    return bool(heads & (_FINDING_NOUNS | _OWN_AUTHORS))


def caveats(
    body: str, facts: list[Facts], claims: list[int], ident: dict[int, set[str]]
) -> list[Dispute]:
    out: list[Dispute] = []
    for n, s in enumerate(claims):
        f = facts[s]
        m = _CAVEATS.search(_text(body, f))
        if m is None:
            continue
        critic = ident.get(s, set())
        heads = {a.source.split()[-1].lower() for a in f.attributions if a.source.split()}
        if heads & _OWN_AUTHORS:
            continue  # the authors' own caution is not somebody else's doubt
        earlier = [
            c
            for c in reversed(claims[max(0, n - _BACK) : n])
            if facts[c].attributions
            and _finding(facts[c])
            and not (ident.get(c, set()) & critic)
            and not _CAVEATS.search(_text(body, facts[c]))
        ]
        if not earlier:
            continue
        first = earlier[0]
        party = ident.get(first, set())
        study = _study_voice(facts[first])
        found = {first} | {
            c
            for c in earlier
            if (party & ident.get(c, set()) or (study and _study_voice(facts[c])))
            and any(t.text[:1].isdigit() or t.lower in _FINDING_NOUNS for t in facts[c].tokens)
        }
        s0, s1 = f.sentence.start + m.start(), f.sentence.start + m.end()
        cue = body[s0:s1]
        who, whose = _speaker(f), _speaker(facts[first])
        detail = f"disputed: {who} questions the finding {whose} reports ('{cue}')"
        for c in found:
            add(facts[c], Signal("conflicting_sources", cue, s0, s1, detail))
        if f.attributions:
            add(f, Signal("conflicting_sources", cue, s0, s1, detail))
        if critic and party:
            out.append(Dispute("caveat", {s} | found, set(critic), set(party), who, whose))
    return out
