"""Both sides of a dispute: once the story sets two parties against each other, what
either party says about the disputed matter is contested, not only the sentence with
the denial in it.

A dispute (found by the other passes: a denial and what it answers, competing figures,
a rejected result, an expert's caveat on a finding, duelling accounts, an accusation
against a party that speaks in the story) has a core of claims and two sides,
each a set of identity words (parties.py). Around the core lies its stretch of the
story: the claims between cores of the same two parties, and the run of claims either
party makes next to it. A claim of one party there is contested when it is about the
matter: it shares a content word with the core or with the other side's claims there,
or it names the other party; before the core it needs two such signs (a lead often
states the event both sides agree on). It is contested as well when it is the reply
right after the other side's disputing words, the answer right after an outsider's
contested claim (a word only the two use), more of the account under dispute from the
same speaker, or the next sentence of a contested account of the same speaker. Further
on, a claim of one party is contested only when it names the other party and shares a
word with the core. Plans ("would hold a march on Saturday") and claims without a
source of their own stay as they are.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import chain

from .facts import Facts, add, is_plan
from .model import Signal
from .parties import BODY_WORDS, mentions, own_attributions, topic

_MERGE_GAP = 4  # claims apart: two disputes of the same parties this close are one stretch
_PARA_GAP = 3  # paragraphs: a run of a party's claims ends at a longer gap
_SKIP = 2  # claims of others that may stand between two claims of the parties


@dataclass
class Dispute:
    """Two parties at odds: a side that disputes (a) and a side disputed (b)."""

    kind: str  # "denial", "figures", "result", "caveat", "account" or "accusation"
    core: set[int]
    side_a: set[str]
    side_b: set[str]
    who_a: str
    who_b: str
    propagates: bool = True
    detail: str = field(default="")


def _side(ident: set[str] | None, d: Dispute) -> str | None:
    if not ident:
        return None
    in_a, in_b = bool(ident & d.side_a), bool(ident & d.side_b)
    if in_a == in_b:
        return None
    return "a" if in_a else "b"


class _Story:
    def __init__(
        self, body: str, facts: list[Facts], claims: list[int], ident: dict[int, set[str]]
    ):
        self.body = body
        self.facts = facts
        self.claims = claims
        self.ident = ident
        self.pos = {ci: n for n, ci in enumerate(claims)}
        self.topics = {ci: topic(facts[ci]) for ci in claims}
        self.df = Counter(chain.from_iterable(self.topics.values()))
        self.by_word: dict[str, list[int]] = {}  # identity word -> positions of its claims
        for n, ci in enumerate(claims):
            for w in ident.get(ci, ()):
                self.by_word.setdefault(w, []).append(n)
        self._plans: dict[int, bool] = {}
        self._mentions: dict[int, set[str]] = {}
        self._naming: dict[str, set[int]] | None = None
        self._answering: list[int] | None = None
        self._spans: dict[int, tuple[int, int]] = {}  # id of a dispute -> its core's span

    def plan(self, ci: int) -> bool:
        if ci not in self._plans:
            self._plans[ci] = is_plan(self.facts[ci])
        return self._plans[ci]

    def mentions(self, ci: int) -> set[str]:
        if ci not in self._mentions:
            self._mentions[ci] = mentions(self.facts[ci])
        return self._mentions[ci]

    def naming(self, words: set[str], parties: frozenset[str]) -> set[int]:
        """Positions of the claims with a speaker that name one of the words, another
        party than their own (indexed on first use, for the words of any dispute's
        parties: the claims far from a dispute count only when they name a party)."""
        if self._naming is None:
            self._naming = {}
            for n, ci in enumerate(self.claims):
                mine = self.ident.get(ci)
                if mine and not mine.isdisjoint(parties):  # only a party's claim is marked
                    for w in (self.mentions(ci) & parties) - mine:
                        self._naming.setdefault(w, set()).add(n)
        return set().union(*(self._naming.get(w, ()) for w in words))

    def settled(self, n: int) -> bool:
        """Whether the claim at n already carries the mark _mark would give it (its own
        first cue, once per sentence), so another dispute cannot change it. Such a claim
        leaves the naming index: far claims are not read again for every later dispute."""
        f = self.facts[self.claims[n]]
        at = own_attributions(f)[0]
        if not any(
            (s.kind, s.start, s.end) == ("conflicting_sources", at.cue_start, at.cue_end)
            for s in f.extra_signals
        ):
            return False
        if self._naming is not None:
            for w in self.mentions(self.claims[n]):
                self._naming.get(w, set()).discard(n)  # a word it did not index: no-op
        return True

    def answering(self) -> list[int]:
        """Positions of the claims that could answer the claim before them (_answers):
        after an attributed claim, sharing a word at most two claims use."""
        if self._answering is None:
            self._answering = [
                n
                for n in range(1, len(self.claims))
                if self.facts[self.claims[n - 1]].attributions
                and any(
                    self.df[w] <= 2
                    for w in self.topics[self.claims[n]] & self.topics[self.claims[n - 1]]
                )
            ]
        return self._answering

    def in_run(self, d: Dispute, rlo: int, rhi: int) -> set[int]:
        """Positions of the claims either party makes between rlo and rhi, found by
        halving each party word's list (a run may span most of a long story)."""
        out: set[int] = set()
        for w in d.side_a | d.side_b:
            ns = self.by_word.get(w, [])
            out.update(ns[bisect_left(ns, rlo) : bisect_right(ns, rhi)])
        return out

    def candidates(
        self, d: Dispute, lo: int, hi: int, run: set[int], parties: frozenset[str]
    ) -> list[int]:
        """Positions, in order, of the party claims propagate may mark: those in the run,
        right after the core, answering the claim before them past the start, or naming
        a party past the end. The rest of the story is not read for each dispute."""
        out = set(run)
        out.update(self.pos[c] + 1 for c in d.core)
        out.update(n for n in self.answering() if n > lo)
        out.update(n for n in self.naming(d.side_a | d.side_b, parties) if n > hi)
        return sorted(
            n
            for n in out
            if n < len(self.claims) and _side(self.ident.get(self.claims[n]), d) is not None
        )

    def para(self, n: int) -> int:
        return self.facts[self.claims[n]].sentence.paragraph

    def core_span(self, d: Dispute) -> tuple[int, int]:
        """Positions of the first and last claim of a dispute's core (read once)."""
        span = self._spans.get(id(d))
        if span is None:
            at = [self.pos[c] for c in d.core]
            span = self._spans[id(d)] = (min(at), max(at))
        return span

    def stretch(self, d: Dispute, all_disputes: list[Dispute]) -> tuple[int, int]:
        """Positions of the first and last claim between cores of the same parties."""
        lo, hi = self.core_span(d)
        same = [o for o in all_disputes if o is not d and _same_parties(d, o)]
        changed = True
        while changed:
            changed = False
            for o in same:
                olo, ohi = self.core_span(o)
                if olo - hi <= _MERGE_GAP and lo - ohi <= _MERGE_GAP and (olo < lo or ohi > hi):
                    lo, hi = min(lo, olo), max(hi, ohi)
                    changed = True
        return lo, hi

    def run(self, d: Dispute, lo: int, hi: int) -> tuple[int, int]:
        """Extend a stretch over the claims either party makes next to it; a claim or two
        of somebody else may stand between two of theirs."""
        new_lo, new_hi = lo, hi
        for step, edge in ((-1, lo), (1, hi)):
            n, last, skipped = edge + step, edge, 0
            while 0 <= n < len(self.claims) and abs(self.para(n) - self.para(last)) <= _PARA_GAP:
                if _side(self.ident.get(self.claims[n]), d) is not None:
                    last, skipped = n, 0
                elif skipped == _SKIP:
                    break
                else:
                    skipped += 1
                n += step
            if step < 0:
                new_lo = last
            else:
                new_hi = last
        return new_lo, new_hi


def _same_parties(d: Dispute, o: Dispute) -> bool:
    straight = bool(d.side_a & o.side_a) and bool(d.side_b & o.side_b)
    crossed = bool(d.side_a & o.side_b) and bool(d.side_b & o.side_a)
    return straight or crossed


def _mark(st: _Story, ci: int, d: Dispute) -> None:
    f = st.facts[ci]
    at = own_attributions(f)[0]
    side = _side(st.ident.get(ci), d)
    me, other = (d.who_a, d.who_b) if side == "a" else (d.who_b, d.who_a)
    detail = d.detail or f"disputed: {d.who_a} disputes what {d.who_b} says"
    detail += f" ({me}'s side against {other})"
    add(f, Signal("conflicting_sources", at.cue, at.cue_start, at.cue_end, detail))


def propagate(
    body: str,
    facts: list[Facts],
    claims: list[int],
    ident: dict[int, set[str]],
    disputes: list[Dispute],
) -> None:
    """Mark what each party of each dispute says about the disputed matter."""
    if not disputes:
        return
    st = _Story(body, facts, claims, ident)
    all_parties = frozenset(chain.from_iterable(d.side_a | d.side_b for d in disputes))
    for d in disputes:
        if not d.propagates or not d.side_a or not d.side_b:
            continue
        lo, hi = st.stretch(d, disputes)
        rlo, rhi = st.run(d, lo, hi)
        parties = d.side_a | d.side_b
        core_topic = set().union(*(st.topics[c] for c in d.core)) - parties
        spoken: dict[str, set[str]] = {"a": set(), "b": set()}  # what each side says in the run
        run = st.in_run(d, rlo, rhi)
        for c in (claims[n] for n in run):
            side_c = _side(ident.get(c), d)
            if side_c is not None:
                spoken[side_c] |= st.topics[c]
        core_names_b = _core_names(st, d, "b")
        marked: list[int] = []
        for n in st.candidates(d, lo, hi, run, all_parties):
            ci = claims[n]
            side = _side(ident.get(ci), d)
            if side is None or ci in d.core or st.plan(ci):
                continue
            if n > rhi and st.settled(n):
                continue  # past the run a hit only marks it (no chain), and it has the mark
            other = d.side_b if side == "a" else d.side_a
            mine = ident.get(ci, set())
            names_other = bool((st.mentions(ci) & other) - mine)
            theirs = spoken["b" if side == "a" else "a"]
            own_words = st.topics[ci] - parties
            # its words in the core's or the other side's, without joining those two
            # (the other side's words in a long run are most of the story's)
            shared = (own_words & core_topic) | (own_words & theirs)
            if (
                (n > lo and _answers(st, n, d))
                or _replies(st, n, d, side)
                or (rlo <= n <= rhi and side == "b" and _continues(st, ci, core_names_b))
            ):
                hit = True
            elif lo <= n <= rhi:
                hit = bool(shared) or names_other
            elif rlo <= n < lo:
                hit = len(shared) + names_other >= 2
            else:
                hit = n > hi and names_other and bool(st.topics[ci] & core_topic)
            if hit:
                marked.append(ci)
        _chain(st, d, marked, rlo, rhi)
        for ci in marked:
            _mark(st, ci, d)


def _replies(st: _Story, n: int, d: Dispute, side: str) -> bool:
    """The claim right after the other side's disputing words is the answer to them."""
    if n == 0 or st.claims[n - 1] not in d.core:
        return False
    prev = st.claims[n - 1]
    other = _side(st.ident.get(prev), d)
    return other is not None and other != side and st.para(n) - st.para(n - 1) <= 1


def _core_names(st: _Story, d: Dispute, side: str) -> set[str]:
    """The speakers' names (no bodies) of the core claims on one side, gathered once per
    dispute for _continues."""
    names: set[str] = set()
    for c in d.core:
        if _side(st.ident.get(c), d) == side:
            names |= st.ident.get(c, set()) - BODY_WORDS
    return names


def _continues(st: _Story, ci: int, core_names: set[str]) -> bool:
    """A speaker whose account the dispute is about, speaking again nearby, goes on with
    that account ('Ms X said she had raised her concerns in a letter')."""
    return bool((st.ident.get(ci, set()) - BODY_WORDS) & core_names)


def _answers(st: _Story, n: int, d: Dispute) -> bool:
    """A party's claim right after a contested claim of somebody outside the dispute,
    sharing a word only those two use, is its answer ('Workers said the line stopped
    for hours. The firm said the line was back within minutes.')."""
    if n == 0:
        return False
    prev, ci = st.claims[n - 1], st.claims[n]
    f = st.facts[prev]
    if not f.contested or not f.attributions or _side(st.ident.get(prev), d) is not None:
        return False
    if st.para(n) - st.para(n - 1) > 1:
        return False
    parties = d.side_a | d.side_b
    return any(st.df[w] <= 2 for w in (st.topics[ci] & st.topics[prev]) - parties)


def _chain(st: _Story, d: Dispute, marked: list[int], rlo: int, rhi: int) -> None:
    """The next claim of the same speaker, in the same or the next paragraph, carries
    on the account a marked claim began ('X said ... . "We told the nurses," she said')."""
    seeds = sorted(set(marked) | d.core, key=lambda c: st.pos[c])
    for ci in seeds:
        if _side(st.ident.get(ci), d) is None:
            # a core claim whose speaker is neither side (the commission that published
            # the result a candidate rejects, not the winner) carries no side's account
            continue
        n = st.pos[ci]
        while rlo <= n + 1 <= rhi:
            step = 1
            # one sentence of the writer's own with no source ("He died two days later.")
            # between two of the speaker's, in the speaker's paragraph, is stepped over
            if n + 2 <= rhi and not st.ident.get(st.claims[n + 1]) and st.para(n + 1) == st.para(n):
                step = 2
            nxt = st.claims[n + step]
            mine, theirs = st.ident.get(ci, set()), st.ident.get(nxt, set())
            close = st.para(n + step) - st.para(n) <= 1
            if not (mine & theirs) or not close or nxt in marked or nxt in d.core:
                break
            if st.plan(nxt):
                break
            marked.append(nxt)
            ci, n = nxt, n + step
