"""Story-level contest signals: claims that other sentences of the same story dispute.

- a denial answers the claims it names ("denied X's claim of ...", shared content words);
  when it only points back ("denied the allegations", "aware of the claims but ..."), it
  answers the claims just before it and nothing else;
- a denial also answers a recent claim of another source (the last few claims) that
  shares a fairly rare word with what is denied, and the claims resting on the same
  document or outlet as a disputed one;
- what the denying body says right next to its denial is its side of the dispute;
- the other passes (contrasts, opposite states, competing figures, a question headline,
  "also" continuations) live in contrasts.py and figures.py; duelling accounts and
  accusations in accounts.py, rejected results and caveats on findings in findings.py;
- every pass that sets two parties against each other gives a Dispute, and
  disputes.py then contests what either party says about the disputed matter.
Content words are indexed once, so linking is not quadratic in the number of sentences.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import chain

from . import lexicon as lx
from .accounts import accusations, counter_accounts, replies, side_by_side
from .amounts import competing_amounts
from .anchors import Prefiltered
from .contrasts import (
    announced_difference,
    continuations,
    contrasts,
    juxtaposed,
    opposites,
    question_headline,
)
from .disputes import Dispute, propagate
from .facts import Facts, add, content_stems, is_plan, source_words, stem
from .figures import competing_figures
from .findings import caveats, rejected_results
from .lexicon import word_set
from .model import Signal
from .notes import unverified_notes
from .parties import BODY_WORDS, identities, story_names

_ANAPHORIC = re.compile(
    r"^\W*\w+(?:\s+\w+)?\s+(?:the|this|that|these|those|such|its|their|his|her)\s+"
    r"(?:[\w'’-]+\s+)?(?:claims?|allegations?|accusations?|reports?|suggestions?|accounts?|"
    r"charges?|development|story|rumou?rs?|criticism|idea|assertions?|versions?|figures?|"
    r"numbers?|estimates?|findings|conclusions?|them|it)\b"
    r"(?!\s+(?:of|that)\b)"
    # a flat rebuttal opens with what it points back to: "the figure was false", "That
    # is simply wrong" (cues.py): it answers the claims just before it
    r"|^\W*(?:(?:the|this|that|these|those|such|its|their|his|her|[\w-]+['’]s)\s+"
    r"(?:[\w'’-]+\s+)?(?:claims?|allegations?|accounts?|reports?|figures?|numbers?|"
    r"estimates?|statistics?|data|tally|count|totals?|toll|story|version)|that|this|it)\s+"
    r"(?:is|was|are|were)\b|^\W*(?:that|this|it)['’]s\b",
    re.IGNORECASE,
)
# "aware of the claims but found no evidence": a pointing-back object before the cue
_POINTS_BACK = Prefiltered(
    re.compile(
        r"\b(?:the|these|those|such)\s+(?:[\w-]+\s+)?(?:claims?|allegations?|accusations?|"
        r"reports?|suggestions?|assertions?)\b(?!\s+(?:of|that|by|in)\b)",
        re.IGNORECASE,
    )
)
_RECENT = 3  # a denial answers what was said in the last few claims before it
_CLAIM_NOUN_WORDS = word_set(
    "claim claims allegation allegations accusation accusations explanation account version "
    "story assertion statement suggestion report reports"
)


def _denies(f: Facts) -> bool:
    return any(s.kind == "denial" for s in f.signals)


def _claimant(body: str, d: Facts) -> set[str]:
    """Words of X in "X's claim/explanation/account" inside a denial sentence."""
    toks = d.tokens
    for k in range(len(toks) - 1):
        t = toks[k]
        if t.lower.endswith(("'s", "’s")) and toks[k + 1].lower in _CLAIM_NOUN_WORDS:
            words = {stem(t.text)}
            j = k - 1
            while j >= 0 and toks[j].is_cap:
                words.add(stem(toks[j].text))
                j -= 1
            return words - {"the", "a", "an"}  # "The senator's numbers": no name in "The"
    return set()


def _link_denials(
    body: str, facts: list[Facts], claims: list[int], ident: dict[int, set[str]]
) -> list[Dispute]:
    disputes: list[Dispute] = []
    if not any(s.kind == "denial" for i in claims for s in facts[i].signals):
        return disputes  # most stories deny nothing: no index to build
    # how many claims hold each content word; the claims holding a word are looked up
    # only for the rare words a denial names, not indexed for every word of the story
    df = Counter(chain.from_iterable(facts[i].stems for i in claims))
    position = {ci: n for n, ci in enumerate(claims)}
    rare = 2  # a word in at most two claims marks one event
    # the claims holding each rare word of a denial (what it denies is among its words)
    wanted = {s for i in claims if _denies(facts[i]) for s in facts[i].stems if df[s] <= rare}
    holding_rare: dict[str, list[int]] = {}
    for i in claims:
        for s in facts[i].stems & wanted:
            holding_rare.setdefault(s, []).append(i)
    evidence = _EvidenceIndex(facts, claims)
    for di in claims:
        d = facts[di]
        denials = [s for s in d.signals if s.kind == "denial"]
        if not denials:
            continue
        cue = denials[0]
        denier = source_words(d)
        speaker = _speaker(d, cue)
        sig = Signal(
            "conflicting_sources",
            cue.cue,
            cue.start,
            cue.end,
            f"disputed by {speaker}: '{cue.cue}'",
        )
        claimant = _claimant(body, d)
        # ", a figure the authority disputes": what is denied is the sentence's own
        # claim, and the words of the cue name who denies it, not another claim
        object_first = (
            cue.cue.lstrip()[:1] in {",", "—", "–", "-"} or cue.cue[:5].lower() == "which"
        )
        after = [t for t in d.tokens if t.start >= (cue.end if object_first else cue.start)]
        obj = content_stems(after) - denier - {"lie", "propaganda", "baseless", "false"}
        anaphoric = not claimant and (
            bool(_ANAPHORIC.match(body[cue.start : d.sentence.end]))
            or bool(_POINTS_BACK.search(body[d.sentence.start : cue.start]))
        )
        targets: set[int] = set()
        if anaphoric:
            targets |= _antecedents(facts, claims, position[di], denier)
        candidates: set[int] = set()
        for s in obj if not targets else ():  # a pointing-back denial names its object
            if df[s] <= rare:  # only a rare shared word can tie two sentences to one event
                candidates.update(holding_rare[s])
        for w in claimant:  # the claims the named claimant speaks in (few denials name one)
            candidates.update([i for i in claims if w in source_words(facts[i])])
        for ci in candidates:
            c = facts[ci]
            if ci == di or any(s.kind == "denial" for s in c.signals):
                continue
            if denier and denier <= source_words(c):
                continue  # a source does not dispute itself
            shared = (obj & c.stems) - claimant
            # the denial names the claimant of c, and c is near or shares a word with it
            names_claimant = bool(claimant & _who(c)) and (bool(shared) or abs(ci - di) <= 3)
            # or c and the denial share two content words, one of them rare in the story
            same_event = len(shared) >= 2 and any(df[s] <= rare for s in shared)
            if names_claimant or same_event:
                targets.add(ci)
        if not anaphoric:
            about = _speaker_words(d)
            targets |= _recent(facts, claims, position[di], denier, obj, df, about)
        targets |= _same_evidence(facts, evidence, targets, denier, di)
        for ci in targets:
            add(facts[ci], sig)
        spoken = [facts[t].attributions[0].source for t in sorted(targets) if facts[t].attributions]
        who_b = spoken[0] if spoken else "another source"
        sides = _rebuttal(facts, claims, position[di], speaker, ident, who_b)
        accused = set().union(*(ident.get(t, set()) for t in targets)) if targets else set()
        if targets and ident.get(di):
            disputes.append(
                Dispute(
                    "denial",
                    {di} | targets | sides,
                    set(ident[di]),
                    accused - ident[di],
                    speaker,
                    who_b,
                    detail=f"disputed: {speaker} denies what {who_b} says",
                )
            )
    return disputes


def _recent(
    facts: list[Facts],
    claims: list[int],
    n: int,
    denier: frozenset[str],
    obj: frozenset[str],
    df: Counter[str],
    about: frozenset[str] = frozenset(),
) -> set[int]:
    """A denial answers the claims just before it: one of the last few claims of other
    sources that shares a word of what is denied, a word few claims of the story use,
    or that is about the denier itself (it names the body that denies) and shares any."""
    out: set[int] = set()
    para = facts[claims[n]].sentence.paragraph
    for m in range(n - 1, max(-1, n - 1 - _RECENT), -1):
        c = facts[claims[m]]
        if para - c.sentence.paragraph > 2:
            break
        if any(s.kind == "denial" for s in c.signals) or not c.attributions:
            continue
        if denier and denier & source_words(c):
            continue
        shared = obj & c.stems
        if any(df[w] <= 3 for w in shared) or (shared and about & c.stems):
            out.add(claims[m])
    return out


def _speaker_words(d: Facts) -> frozenset[str]:
    """Content words of the phrase that names who denies ('The mine's operator, X
    Mining'), without the generic heads ('operator', 'spokesman') any body could have."""
    own = [a.cue_start for a in d.attributions if a.cue_start >= d.sentence.start]
    if not own:
        return frozenset()
    head = [t for t in d.tokens if t.end <= min(own)]
    return frozenset(w for w in content_stems(head) if w not in lx.SOURCE_HEADS)


def _names(f: Facts) -> set[str]:
    """Capitalised words of a claim's sources: the names that say who is speaking."""
    words = {w.lower() for a in f.attributions for w in a.source.split() if w[:1].isupper()}
    return words - {"the", "a", "an"}


def _rebuttal(
    facts: list[Facts],
    claims: list[int],
    n: int,
    speaker: str,
    ident: dict[int, set[str]],
    who_b: str = "another source",
) -> set[int]:
    """What the denying body says next to its denial is its side of the dispute:
    'X said its valve released only water. X also rejected suggestions that ...'; also
    when it speaks as 'the company' ('X denied it. "...," the company said.')."""
    d = facts[claims[n]]
    names = _names(d)
    mine = ident.get(claims[n], set()) - BODY_WORDS
    out: set[int] = set()
    if not names and not mine:
        return out
    for m in (n - 1, n + 1):
        if not 0 <= m < len(claims):
            continue
        c = facts[claims[m]]
        same = bool(names & _names(c)) or bool(mine & ident.get(claims[m], set()))
        if abs(c.sentence.paragraph - d.sentence.paragraph) > 1 or not same:
            continue
        if is_plan(c):
            continue  # "... and said it would appeal": what it will do, not its account
        out.add(claims[m])
        add(
            c,
            Signal(
                "conflicting_sources",
                c.attributions[0].cue,
                c.attributions[0].cue_start,
                c.attributions[0].cue_end,
                f"part of {speaker}'s side of a dispute it denies (against {who_b})",
            ),
        )
    return out


def _who(f: Facts) -> set[str]:
    """Who the sources are: their names and head words, not their modifiers ('a company
    presentation' is a presentation, not the company)."""
    out: set[str] = set()
    for a in f.attributions:
        words = a.source.split()
        out |= {stem(w) for w in words if w[:1].isupper()} | {stem(words[-1])}
        role = a.role.split()  # "the depot manager, X": X speaks for the depot
        out |= {stem(role[-1])} if role else set()
    return out - {"the", "a", "an"}


_EVIDENCE_KINDS = {"document", "media", "social_post"}


def _evidence_words(source: str) -> set[str]:
    return {stem(w) for w in source.split()} - lx.STOPWORDS - {"the"}


class _EvidenceIndex:
    """The claims resting on a document or outlet, by the words naming it: each denial
    looks up the few claims sharing its evidence instead of reading every claim. Built
    on the first look-up: most denials answer no claim that rests on evidence."""

    def __init__(self, facts: list[Facts], claims: list[int]) -> None:
        self.facts = facts
        self.claims = claims
        self.by_word: dict[str, set[int]] | None = None

    def resting_on(self, words: set[str]) -> set[int]:
        if self.by_word is None:
            self.by_word = {}
            for ci in self.claims:
                for a in self.facts[ci].attributions:
                    if a.source_kind in _EVIDENCE_KINDS:
                        for w in _evidence_words(a.source):
                            self.by_word.setdefault(w, set()).add(ci)
        return set().union(*(self.by_word.get(w, ()) for w in words))


def _same_evidence(
    facts: list[Facts],
    index: _EvidenceIndex,
    targets: set[int],
    denier: frozenset[str],
    di: int,
) -> set[int]:
    """A denial disputes the evidence too: other claims resting on the same document or
    outlet as a disputed claim ('the emails show ...') are disputed with it."""
    evidence: set[str] = set()
    for ci in targets:
        for a in facts[ci].attributions:
            if a.source_kind in _EVIDENCE_KINDS:
                evidence |= _evidence_words(a.source)
    if not evidence:
        return set()
    out: set[int] = set()
    for ci in index.resting_on(evidence):
        f = facts[ci]
        if ci == di or ci in targets or any(s.kind == "denial" for s in f.signals):
            continue
        if denier and denier <= source_words(f):
            continue
        out.add(ci)
    return out


def _speaker(d: Facts, cue: Signal) -> str:
    """The source whose words the denial cue is: the attribution nearest before the cue."""
    before = [a for a in d.attributions if a.cue_start <= cue.start or a.start <= cue.start]
    chosen = before[-1] if before else (d.attributions[0] if d.attributions else None)
    return chosen.source if chosen is not None else "another source"


def _antecedents(facts: list[Facts], claims: list[int], n: int, denier: frozenset[str]) -> set[int]:
    """Claims a pointing-back denial answers: the nearest ones before it in its paragraph,
    else those of the paragraph before. Walks back a few claims only."""
    para = facts[claims[n]].sentence.paragraph
    out: list[int] = []
    target_para: int | None = None
    for m in range(n - 1, max(-1, n - 8), -1):
        i = claims[m]
        f = facts[i]
        if any(s.kind == "denial" for s in f.signals):
            continue
        if denier and denier <= source_words(f):
            continue
        p = f.sentence.paragraph
        if target_para is None:
            target_para = p
        if p != target_para:
            break
        out.append(i)
        if p == para and len(out) >= 3:
            break
    return set(out)


def link_story(body: str, facts: list[Facts]) -> None:
    """Run the story-level passes, adding extra signals and inherited attributions."""
    claims = [i for i, f in enumerate(facts) if f.is_claim and not f.heading]
    for f in facts:
        f.stems = content_stems(f.tokens)
    names = story_names(facts)
    ident = identities(body, facts, claims, names)
    disputes = _link_denials(body, facts, claims, ident)
    contrasts(facts, claims)
    disputes += competing_figures(facts, claims, ident)
    disputes += competing_amounts(facts, claims, ident)
    opposites(body, facts, claims)
    question_headline(body, facts, claims)
    announced_difference(body, facts, claims)
    disputes += side_by_side(facts, juxtaposed(facts, claims, ident), ident)
    disputes += counter_accounts(body, facts, claims, ident)
    disputes += replies(facts, claims, ident)
    disputes += accusations(facts, claims, ident, names)
    disputes += rejected_results(body, facts, claims, ident)
    disputes += caveats(body, facts, claims, ident)
    propagate(body, facts, claims, ident, disputes)
    continuations(facts, claims)
    unverified_notes(facts, claims)
