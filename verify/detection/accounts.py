"""Duelling accounts and accusations: two parties set against each other without a
denial word.

- One party's claim names another party, and that party, speaking soon after, says it
  was not so about the same thing: both accounts are contested.
- "X accused Y of ...": when Y speaks in the story, what Y said just before, or about the
  same rare thing, is the account the accusation answers.
Each gives a Dispute for disputes.propagate, which carries it to the rest of what the
two parties say about the matter.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter

from .disputes import Dispute
from .facts import Facts, add, is_plan
from .model import Signal
from .parties import named, norm, own_attributions, phrase_identity, topic
from .phrases import np_right
from .segment import LOWER, START, Token

# Words by which a party's account says the other's is not so.
_COUNTER = frozenset(
    {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "only", "instead"}
)
_NEAR_ACCOUNTS = 3  # claims apart: an answer comes soon after the account it answers


def counter_accounts(
    body: str, facts: list[Facts], claims: list[int], ident: dict[int, set[str]]
) -> list[Dispute]:
    """Duelling accounts without a denial word: one party's claim names another party,
    and that party, speaking soon after, says it was not so ('Police said the Acme
    Union had blocked the gate. The Acme Union said none of its members were there.')."""
    out: list[Dispute] = []
    for n, a in enumerate(claims):
        fa = facts[a]
        speaker_a = ident.get(a)
        if not speaker_a or not fa.attributions:
            continue
        others: set[str] | None = None  # whom a names: read once a speaker could be one
        for b in claims[n + 1 : n + 1 + _NEAR_ACCOUNTS]:
            fb = facts[b]
            speaker_b = ident.get(b)
            if not speaker_b or speaker_b & speaker_a:
                continue
            if others is None:
                others = named(fa) - speaker_a
            if not speaker_b & others:
                continue
            if fb.sentence.paragraph - fa.sentence.paragraph > 2:
                break
            counter = _counter(fb, topic(fa))
            restated = counter is None
            if restated:
                counter = _restated(fb, fa)
            if counter is None:
                continue
            who_a, who_b = fb.attributions[0].source, fa.attributions[0].source
            detail = f"disputed: {who_a} says it was not as {who_b} says"
            sig = Signal("conflicting_sources", counter.text, counter.start, counter.end, detail)
            add(fa, sig)
            add(fb, sig)
            sides = (set(speaker_b), set(speaker_a))
            # another description of the same act contests the pair only: weaker than a
            # "not", it is not carried to the rest of what the two parties say
            out.append(
                Dispute(
                    "account", {a, b}, *sides, who_a, who_b, propagates=not restated, detail=detail
                )
            )
            break
    return out


def _counter(fb: Facts, against: frozenset[str]) -> Token | None:
    """The 'not' of fb's reported words, when the clause it opens is about what the
    other account says ('none of its fighters had been there' answers 'fighters')."""
    own = [x for x in fb.attributions if fb.sentence.start <= x.cue_start]
    if not own:
        return None
    toks = fb.tokens
    for k, t in enumerate(toks):
        if t.start <= own[0].cue_end or t.lower not in _COUNTER:
            continue
        clause: list[Token] = []
        for x in toks[k + 1 :]:
            if x.text in {",", ";"} or x.lower in {"and", "but", "because"}:
                break
            clause.append(x)
        if {norm(x.text) for x in clause if x.is_word} & against:
            return t
    return None


_POINTING = frozenset({"the", "that", "this", "those", "these"})
_COPULAS = frozenset({"was", "were", "is", "are", "had", "has"})


def _restated(fb: Facts, fa: Facts) -> Token | None:
    """The named party's own account of the same act under another description: 'X
    transferred $410,000 to an offshore account' / X: 'the transfer was repayment of a
    loan'. Its reported clause opens with a pointing-back noun for a word of fa (same
    first five letters: transferred / transfer) and a copula: what the act 'was'."""
    own = [x for x in fb.attributions if fb.sentence.start <= x.cue_start]
    if not own:
        return None
    toks = [t for t in fb.tokens if t.start >= own[0].cue_end]
    # "told the jury that ...": the clause opens after "that" when it comes soon
    k = next((m + 1 for m, t in enumerate(toks[:6]) if t.lower == "that"), 0)
    while k < len(toks) and not toks[k].is_word:
        k += 1
    if k + 2 >= len(toks) or toks[k].lower not in _POINTING:
        return None
    head = k + 1
    if toks[head + 1].lower not in _COPULAS:
        head += 1  # one modifier: "the 2019 transfer was"
        if head + 1 >= len(toks) or toks[head + 1].lower not in _COPULAS:
            return None
    noun = toks[head].lower
    if len(noun) < 5:
        return None
    prefix = noun[:5]
    own_words = {t.lower for t in fa.tokens if t.is_word and len(t.lower) >= 5}
    return toks[head] if any(w.startswith(prefix) for w in own_words) else None


_ACCUSE = frozenset({"accused", "accuses", "accusing", "accuse", "blamed", "blames", "blaming"})


def accusations(
    facts: list[Facts], claims: list[int], ident: dict[int, set[str]], names: frozenset[str]
) -> list[Dispute]:
    """'X accused the government of hiding the cost': X against a party that speaks in
    the story; what that party said just before, or about the same rare thing, is the
    account the accusation answers."""
    df: Counter[str] | None = None  # built on the first accusation: most stories have none
    out: list[Dispute] = []
    for n, a in enumerate(claims):
        fa = facts[a]
        accuser = ident.get(a)
        if not accuser:
            continue
        if _ACCUSE.isdisjoint(map(LOWER, fa.tokens)):
            continue  # most claims accuse nobody: one set test in C before the word search
        k = next(k for k, t in enumerate(fa.tokens) if t.lower in _ACCUSE)
        i, j = np_right(fa.tokens, k + 1)
        accused = phrase_identity(fa.tokens[i:j], names) - accuser
        if not accused:
            continue
        about = topic(fa)
        if df is None:
            df = Counter(w for c in claims for w in topic(facts[c]))
        core = {
            c
            for m, c in enumerate(claims[max(0, n - 4) : n + 5], start=max(0, n - 4))
            if c != a
            and accused & ident.get(c, set())
            and not is_plan(facts[c])
            and (m == n - 1 or any(df[w] <= 2 for w in about & topic(facts[c])))
        }
        if core:
            who_b = facts[min(core)].attributions[0].source
            who_a = fa.attributions[0].source
            detail = f"disputed: {who_a} accuses {who_b}"
            for c in core:
                at = own_attributions(facts[c])[0]
                sig = Signal("conflicting_sources", at.cue, at.cue_start, at.cue_end, detail)
                add(facts[c], sig)
            sides = (set(accuser), accused)
            out.append(Dispute("accusation", {a} | core, *sides, who_a, who_b, detail=detail))
    return out


def side_by_side(
    facts: list[Facts], pairs: list[tuple[int, int]], ident: dict[int, set[str]]
) -> list[Dispute]:
    """Two accounts set side by side (contrasts.juxtaposed): a dispute of their parties."""
    out: list[Dispute] = []
    for a, b in pairs:
        ia, ib = ident.get(a, set()), ident.get(b, set())
        if not ia or not ib or ia & ib:
            continue
        who_a, who_b = facts[b].attributions[0].source, facts[a].attributions[0].source
        detail = f"disputed: {who_a} gives another account than {who_b}"
        out.append(Dispute("account", {a, b}, set(ib), set(ia), who_a, who_b, detail=detail))
    return out


# Reporting verbs that say the words answer somebody: "the ministry countered that ...".
_REPLY_CUES = frozenset(
    {"countered", "counters", "countering", "retorted", "retorts", "rebutted", "rebuts"}
)
# Verbs that hold a position against another: "the lawyer insisted", "she maintained".
_HOLD_CUES = frozenset({"insisted", "insists", "insisting", "maintained", "maintains"})
_REPLY_BACK = 3  # claims back: what a reply answers was said just before
# A plain report whose clause says something is not so ("the council said the meetings
# did not need to be advertised") answers another party's claim about the same thing.
_PLAIN_CUES = frozenset({"said", "says", "told", "stated", "added", "responded", "replied"})
_NEGATIONS = frozenset({"not", "no", "never", "nothing", "none", "n't", "neither", "nor"})
_NEGATED_REACH = 12  # words of the reported clause a negation may stand in
_MODALS = frozenset({"will", "would", "shall", "should", "could", "can", "may", "might", "must"})


def _reply_cue(f: Facts) -> tuple[str, Signal] | None:
    """('reply' or 'hold', a signal on the cue) when the sentence's own reporting verb
    answers somebody; 'maintained' only with a clause or quote ('maintained that ...',
    '"...," she maintained'), not 'maintained the roads'."""
    for at in own_attributions(f):
        if not f.sentence.start <= at.cue_start < f.sentence.end:
            continue
        cue = at.cue.lower()
        if cue in _REPLY_CUES:
            kind = "reply"
        elif cue in _HOLD_CUES:
            kind = "hold"
        elif cue in _PLAIN_CUES:
            kind = "negated"
        else:
            continue
        # the cue's token, found by halving: the tokens are in order, one per start
        k = bisect_left(f.tokens, at.cue_start, key=START)
        if k == len(f.tokens) or f.tokens[k].start != at.cue_start:
            continue
        if kind == "negated":
            reported = f.tokens[k + 1 : k + 1 + _NEGATED_REACH] if at.start < at.cue_start else []
            negs = [
                j
                for j, t in enumerate(reported)
                if t.lower in _NEGATIONS or t.lower.endswith(("n't", "n’t"))
            ]
            # "would not intervene", "will never sell": a stance on what is to come
            negs = [j for j in negs if not (j and reported[j - 1].lower in _MODALS)]
            if not negs:
                continue
            neg = reported[negs[0]]
            return kind, Signal("conflicting_sources", neg.text, neg.start, neg.end, "")
        nxt = f.tokens[k + 1].lower if k + 1 < len(f.tokens) else "."
        prev = f.tokens[k - 1].text if k > 0 else ""
        clause = nxt in {"that", ",", ".", "in", "on", "to"} or at.start > at.cue_start
        if kind == "hold" and not clause and prev not in {",", '"', "”"}:
            continue
        return kind, Signal("conflicting_sources", at.cue, at.cue_start, at.cue_end, "")
    return None


def replies(facts: list[Facts], claims: list[int], ident: dict[int, set[str]]) -> list[Dispute]:
    """'The ministry countered that ...', 'the lawyer insisted': the words answer what
    another party said just before. A reply answers the nearest claim of another party
    (a claim or two back, the paragraph before at most two away); an insistence the
    nearest one about the same thing (a shared word)."""
    out: list[Dispute] = []
    topics: dict[int, frozenset[str]] = {}

    def top(c: int) -> frozenset[str]:
        if c not in topics:
            topics[c] = topic(facts[c])
        return topics[c]

    for n, b in enumerate(claims):
        fb = facts[b]
        found = _reply_cue(fb)
        me = ident.get(b, set())
        if found is None or not me:
            continue
        kind, cue = found
        for a in reversed(claims[max(0, n - _REPLY_BACK) : n]):
            fa = facts[a]
            if fb.sentence.paragraph - fa.sentence.paragraph > 2:
                break
            them = ident.get(a, set())
            if not fa.attributions or not them or them & me or is_plan(fa):
                continue
            if kind == "hold" and not (top(a) & top(b)):
                continue
            # a negated plain report answers only a claim about the same thing close by
            if kind == "negated" and (
                not (top(a) & top(b)) or fb.sentence.paragraph - fa.sentence.paragraph > 1
            ):
                continue
            who_a, who_b = fb.attributions[0].source, fa.attributions[0].source
            detail = f"disputed: {who_a} answers {who_b} ('{cue.cue}')"
            sig = Signal(cue.kind, cue.cue, cue.start, cue.end, detail)
            add(fa, sig)
            add(fb, sig)
            if kind == "negated":
                break  # the pair only: a plain "not" is too weak to carry to the rest
            out.append(Dispute("account", {a, b}, set(me), set(them), who_a, who_b, detail=detail))
            break
    return out
