"""Story-level passes that set two voices against each other without a denial cue:
"X said ..., but Y said ...", two accounts side by side in a paragraph, opposite states
of the same thing, a headline put as a question, and an "also" sentence that continues a
contested account."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from functools import lru_cache
from itertools import chain, pairwise

from . import lexicon as lx
from .anchors import Prefiltered
from .facts import Facts, add, is_plan, source_words, sources_key
from .model import Signal
from .segment import Token

_CONTRAST_INSIDE = frozenset({"but", "though", "although", "whereas", "while", "however"})


def _contrast_inside(facts: list[Facts], claims: list[int]) -> None:
    """'X said ..., but Y said ...' in one sentence: two sources against each other."""
    for i in claims:
        f = facts[i]
        own = [a for a in f.attributions if f.sentence.start <= a.cue_start < f.sentence.end]
        for a, b in pairwise(own):
            if a.source.lower() == b.source.lower():
                continue
            lo, hi = sorted((a.cue_end, b.cue_start))
            word = next(
                (t for t in f.tokens if lo <= t.start < hi and t.lower in _CONTRAST_INSIDE), None
            )
            if word is not None:
                detail = f"{a.source} and {b.source} say different things"
                add(f, Signal("conflicting_sources", word.text, word.start, word.end, detail))
                break


_SECOND_PLACE = frozenset({"however", "though"})


def _second_place(tokens: list[Token]) -> Token | None:
    """'The union, however, said': a contrast word set off by commas after the subject."""
    for k in range(1, min(len(tokens), 10) - 1):
        t = tokens[k]
        if t.lower in _SECOND_PLACE and tokens[k - 1].text == "," and tokens[k + 1].text == ",":
            return t
    return None


def contrasts(facts: list[Facts], claims: list[int]) -> None:
    _contrast_inside(facts, claims)
    for a, b in pairwise(claims):
        fb = facts[b]
        first = next((t for t in fb.tokens if t.is_word), None)
        if first is not None and first.lower not in lx.CONTRAST_OPENERS:
            first = _second_place(fb.tokens)
        if first is None:
            continue
        fa = facts[a]
        if not fa.attributions or not fb.attributions or b - a > 2:
            continue
        if sources_key(fa) & sources_key(fb):
            continue
        add(
            fa,
            Signal(
                "conflicting_sources",
                first.text,
                first.start,
                first.end,
                f"contradicted by {fb.attributions[0].source}",
            ),
        )
        add(
            fb,
            Signal(
                "conflicting_sources",
                first.text,
                first.start,
                first.end,
                f"contradicts {fa.attributions[0].source}",
            ),
        )


@lru_cache(maxsize=64)
def _phrase_re(phrases: frozenset[str]) -> re.Pattern[str]:
    alts = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
    return re.compile(r"\b(?:" + alts + r")\b")


def _phrase_hits(text: str, phrases: frozenset[str]) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _phrase_re(phrases).finditer(text)]


_ANY_OPPOSITE = _phrase_re(frozenset(p for pair in lx.OPPOSITES for side in pair for p in side))


def opposites(body: str, facts: list[Facts], claims: list[int]) -> None:
    # one scan finds the sentences that hold any of the phrases; only they are compared
    lows = {
        i: low
        for i in claims
        if _ANY_OPPOSITE.search(
            low := body[facts[i].sentence.start : facts[i].sentence.end].lower()
        )
    }
    for side_a, side_b in lx.OPPOSITES:
        sides: list[list[tuple[int, int, int]]] = [[], []]
        for i, low in lows.items():
            ha = _phrase_hits(low, side_a)
            hb = [
                h
                for h in _phrase_hits(low, side_b)
                if not any(a0 <= h[0] and h[1] <= a1 for a0, a1 in ha)
            ]
            if ha and not hb:
                sides[0].append((i, *ha[0]))
            elif hb and not ha:
                sides[1].append((i, *hb[0]))
        for ia, a0, a1 in sides[0]:
            for ib, b0, b1 in sides[1]:
                fa, fb = facts[ia], facts[ib]
                if sources_key(fa) == sources_key(fb):
                    continue
                if not (fa.stems & fb.stems) and abs(ia - ib) > 2:
                    continue
                for f, other, s0, s1, o0, o1 in (
                    (fa, fb, a0, a1, b0, b1),
                    (fb, fa, b0, b1, a0, a1),
                ):
                    if not f.attributions:
                        continue  # the writer's own voice stands; the quoted side is contested
                    at = f.sentence.start
                    cue = body[at + s0 : at + s1]
                    said = body[other.sentence.start + o0 : other.sentence.start + o1]
                    who = other.attributions[0].source if other.attributions else "the story"
                    detail = f"'{cue}' is contradicted by {who}: '{said}'"
                    add(f, Signal("conflicting_sources", cue, at + s0, at + s1, detail))


def question_headline(body: str, facts: list[Facts], claims: list[int]) -> None:
    for q in facts:
        if not q.sentence.whole_line:
            continue
        text = body[q.sentence.start : q.sentence.end]
        if not text.rstrip().endswith("?"):
            continue
        for i in claims:
            f = facts[i]
            if i > q.sentence.index and f.attributions and len(q.stems & f.stems) >= 2:
                add(
                    f,
                    Signal(
                        "hedge",
                        text,
                        q.sentence.start,
                        q.sentence.end,
                        "the headline asks whether this happened",
                    ),
                )


def continuations(facts: list[Facts], claims: list[int]) -> None:
    for a, b in pairwise(claims):
        fa, fb = facts[a], facts[b]
        if b != a + 1 or fb.attributions or fa.sentence.paragraph != fb.sentence.paragraph:
            continue
        if not fa.contested or not fa.attributions or is_plan(fb):
            continue
        also = next((t for t in fb.tokens if t.lower in {"also", "too"}), None)
        if also is None:
            continue
        base = (fa.signals + fa.extra_signals)[0]
        fb.inherited.extend(fa.attributions)
        add(
            fb,
            Signal(
                base.kind,
                also.text,
                also.start,
                also.end,
                f"continues the contested account of {fa.attributions[0].source}",
            ),
        )


# Words by which a second account pushes back on the first it sits next to.
_COUNTER = lx.word_set("not no never nobody nothing none neither instead rather only though")


def _counter_word(f: Facts) -> Token | None:
    """A word pushing back in what the sentence's own source says (after its cue)."""
    own = [x for x in f.attributions if x.cue_start >= f.sentence.start]
    if not own:
        return None
    return next((t for t in f.tokens if t.start > own[0].cue_end and t.lower in _COUNTER), None)


_MODALS = lx.word_set("would will could can should might may must")


def _after_modal(f: Facts, counter: Token) -> bool:
    """'would not intervene': a stance on what is to come, not an account of what was."""
    k = next((k for k, t in enumerate(f.tokens) if t.start == counter.start), 0)
    return k > 0 and f.tokens[k - 1].lower in _MODALS


def _own_doubt(f: Facts) -> bool:
    """Contested by its own words or source (a vague or unnamed source, a hedge)."""
    return any(s.kind in {"vague_source", "anonymous_source", "hedge"} for s in f.signals)


def juxtaposed(
    facts: list[Facts], claims: list[int], parties: dict[int, set[str]] | None = None
) -> list[tuple[int, int]]:
    """Two sources side by side about the same rare thing, the second pushing back
    ('Police said 12 were held after a car was burnt. Organisers said those held were
    peaceful and nobody knew who burnt the car.'). In one paragraph, or in two next to
    each other (one sentence a paragraph is common in news); across paragraphs the push
    back may be the first account's ('Residents said the alert came only after the
    flames. The office said its alert went out two hours before.') when that account is
    doubtful by itself. Gives the pairs (first, second) it set against each other."""
    df = Counter(chain.from_iterable(facts[i].stems for i in claims))
    parties = parties or {}
    out: list[tuple[int, int]] = []
    for a, b in pairwise(claims):
        fa, fb = facts[a], facts[b]
        gap = fb.sentence.paragraph - fa.sentence.paragraph
        if b != a + 1 or gap > 1:
            continue
        own_b = [x for x in fb.attributions if x.cue_start >= fb.sentence.start]
        if not fa.attributions or not own_b:
            continue
        if sources_key(fa) & sources_key(fb) or source_words(fa) & source_words(fb):
            continue
        shared = (fa.stems & fb.stems) - source_words(fa) - source_words(fb)
        if gap:
            shared -= parties.get(a, set()) | parties.get(b, set())  # "the government" is no event
        if not any(df[w] <= 2 for w in shared):
            continue
        counter = _counter_word(fb)
        if counter is None and gap == 1 and _own_doubt(fa):
            counter = _counter_word(fa)
        if counter is None or (
            gap and _after_modal(fa if counter.start < fb.sentence.start else fb, counter)
        ):
            continue
        out.append((a, b))
        for f, other in ((fa, fb), (fb, fa)):
            if is_plan(f):
                continue
            detail = f"{other.attributions[0].source} gives another account next to it"
            add(f, Signal("conflicting_sources", counter.text, counter.start, counter.end, detail))
    return out


# "X gave a different picture", "the two sides describe it in very different terms",
# "Y's account differs sharply": the writer says the accounts around it are at odds.
_ANNOUNCED = Prefiltered(
    re.compile(
        r"\b(?:gave|give|gives|giving|offered|offers|painted|paints|presented|presents|had|has)"
        r"\s+(?:a|an)\s+(?:very\s+|starkly\s+|quite\s+|markedly\s+|sharply\s+)?"
        r"(?:different|contrasting|conflicting|opposing|rival|competing)\s+"
        r"(?:picture|account|version|story|view|description|assessment)\b"
        r"|\bin\s+(?:very\s+|starkly\s+|sharply\s+|quite\s+)?(?:different|contrasting|opposing)"
        r"\s+terms\b"
        r"|\b(?:accounts?|versions?)\s+(?:differ|differs|differed|diverge\w*)\b",
        re.IGNORECASE,
    )
)
_ANNOUNCED_BACK = 2  # claims before the announcement: the account it sets the next against


def announced_difference(body: str, facts: list[Facts], claims: list[int]) -> None:
    """A sentence in which the writer says two accounts differ contests the attributed
    claims it introduces (the rest of its paragraph, else the next one) and the last
    claims before it, of another speaker."""
    claim_set = set(claims)
    # the claims' paragraphs, in order (claims run in body order): the claims near an
    # announcement are found by halving, not by reading the story for each one
    paras = [facts[i].sentence.paragraph for i in claims]
    for k, f in enumerate(facts):
        if f.heading:
            continue
        m = _ANNOUNCED.search(body[f.sentence.start : f.sentence.end])
        if m is None:
            continue
        cue = m.group(0)
        at = f.sentence.start + m.start()
        sig = Signal(
            "conflicting_sources",
            cue,
            at,
            at + len(cue),
            f"the story sets two accounts against each other: '{cue}'",
        )
        p = f.sentence.paragraph
        nxt = bisect_right(claims, k)  # the first claim after it
        after = claims[nxt : bisect_right(paras, p, lo=nxt)]  # the rest of its paragraph
        if not after:
            after = claims[bisect_left(paras, p + 1) : bisect_right(paras, p + 1)]
        after = [i for i in after if facts[i].attributions and not is_plan(facts[i])][:3]
        if not after:
            continue
        if k in claim_set and f.attributions:
            add(f, sig)
        for i in after:
            add(facts[i], sig)
        theirs = {sources_key(facts[i]) for i in after}
        before = [
            i
            for i in claims[bisect_left(paras, p - 2) : bisect_left(claims, k)]  # two paragraphs
            if facts[i].attributions
            and sources_key(facts[i]) not in theirs
            and not is_plan(facts[i])
        ]
        for i in before[-_ANNOUNCED_BACK:]:
            add(facts[i], sig)
