"""Story-level contest signals: claims that other sentences of the same story dispute.

- a denial answers the claims it names ("denied X's claim of ...", shared content words)
  or, when it only points back ("denied the allegations"), the claims just before it;
- "But/However, Y said" right after "X said" sets two sources against each other;
- opposite states of the same thing ("on track" / "delayed") from different voices;
- a headline put as a question doubts the reported claims it is about;
- an unattributed "also" sentence continues the contested account before it.
Content words are indexed once, so linking is not quadratic in the number of sentences.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from . import lexicon as lx
from .lexicon import word_set
from .model import DetectedAttribution, Signal
from .segment import Sentence, Token

_ANAPHORIC = re.compile(
    r"^\W*\w+(?:\s+\w+)?\s+(?:the|this|that|these|those|such|its|their|his|her)\s+"
    r"(?:[\w-]+\s+)?(?:claims?|allegations?|accusations?|reports?|suggestions?|account|"
    r"charges?|development|story|rumou?rs?|criticism|idea|assertions?|version|figures?|"
    r"numbers?|estimates?|findings|conclusions?|them|it)\b"
    r"(?!\s+(?:of|that)\b)",
    re.IGNORECASE,
)
_CLAIM_NOUN_WORDS = word_set(
    "claim claims allegation allegations accusation accusations explanation account version "
    "story assertion statement suggestion report reports"
)


@dataclass
class Facts:
    """What the detector knows about one sentence before the story-level passes."""

    sentence: Sentence
    tokens: list[Token]
    heading: bool
    reasons: tuple[str, ...]
    attributions: list[DetectedAttribution]
    signals: list[Signal]
    stems: frozenset[str] = frozenset()
    extra_signals: list[Signal] = field(default_factory=list)
    inherited: list[DetectedAttribution] = field(default_factory=list)

    @property
    def is_claim(self) -> bool:
        return bool(self.reasons)

    @property
    def contested(self) -> bool:
        return bool(self.signals or self.extra_signals)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    w = word.lower().strip("'’\"“”")
    for pos in ("'s", "’s"):
        w = w.removesuffix(pos)
    if w in lx.EVENT_SYNONYMS:
        return lx.EVENT_SYNONYMS[w]
    for suf in ("ing", "ed", "es", "s"):
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            w = w[: -len(suf)]
            break
    return lx.EVENT_SYNONYMS.get(w, w)


def content_stems(tokens: list[Token]) -> frozenset[str]:
    return frozenset(
        stem(t.text)
        for t in tokens
        if t.is_word and len(t.text) > 2 and t.lower.strip("'’") not in lx.STOPWORDS
    )


def _source_words(f: Facts) -> set[str]:
    words: set[str] = set()
    for a in f.attributions:
        words |= {stem(w) for w in a.source.split()} - {"the", "a", "an"}
    return words


def _sources_key(f: Facts) -> frozenset[str]:
    return frozenset(a.source.lower().removeprefix("the ") for a in f.attributions)


def _add(f: Facts, sig: Signal) -> None:
    if all((s.kind, s.start, s.end) != (sig.kind, sig.start, sig.end) for s in f.extra_signals):
        f.extra_signals.append(sig)


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
            return words
    return set()


def _link_denials(body: str, facts: list[Facts], claims: list[int]) -> None:
    df: dict[str, int] = defaultdict(int)
    index: dict[str, list[int]] = defaultdict(list)  # content word -> claims holding it
    by_source: dict[str, list[int]] = defaultdict(list)  # source word -> claims it speaks in
    for i in claims:
        for s in facts[i].stems:
            df[s] += 1
            index[s].append(i)
        for w in _source_words(facts[i]):
            by_source[w].append(i)
    position = {ci: n for n, ci in enumerate(claims)}
    rare = 2  # a word in at most two claims marks one event
    for di in claims:
        d = facts[di]
        denials = [s for s in d.signals if s.kind == "denial"]
        if not denials:
            continue
        cue = denials[0]
        denier = _source_words(d)
        speaker = _speaker(d, cue)
        sig = Signal(
            "conflicting_sources",
            cue.cue,
            cue.start,
            cue.end,
            f"disputed by {speaker}: '{cue.cue}'",
        )
        claimant = _claimant(body, d)
        after = [t for t in d.tokens if t.start >= cue.start]
        obj = content_stems(after) - denier - {"lie", "propaganda", "baseless", "false"}
        anaphoric = bool(_ANAPHORIC.match(body[cue.start : d.sentence.end])) and not claimant
        targets: set[int] = set()
        if anaphoric:
            targets |= _antecedents(facts, claims, position[di], denier)
        candidates: set[int] = set()
        for s in obj:
            if df[s] <= rare:  # only a rare shared word can tie two sentences to one event
                candidates.update(index[s])
        for w in claimant:
            candidates.update(by_source.get(w, ()))
        for ci in candidates:
            c = facts[ci]
            if ci == di or any(s.kind == "denial" for s in c.signals):
                continue
            if denier and denier <= _source_words(c):
                continue  # a source does not dispute itself
            shared = (obj & c.stems) - claimant
            # the denial names the claimant of c, and c is near or shares a word with it
            names_claimant = bool(claimant & _source_words(c)) and (
                bool(shared) or abs(ci - di) <= 3
            )
            # or c and the denial share two content words, one of them rare in the story
            same_event = len(shared) >= 2 and any(df[s] <= rare for s in shared)
            if names_claimant or same_event:
                targets.add(ci)
        targets |= _same_evidence(facts, claims, targets, denier, di)
        for ci in targets:
            _add(facts[ci], sig)


def _same_evidence(
    facts: list[Facts], claims: list[int], targets: set[int], denier: set[str], di: int
) -> set[int]:
    """A denial disputes the evidence too: other claims resting on the same document or
    outlet as a disputed claim ('the emails show ...') are disputed with it."""
    evidence: set[str] = set()
    for ci in targets:
        for a in facts[ci].attributions:
            if a.source_kind in {"document", "media", "social_post"}:
                evidence |= {stem(w) for w in a.source.split()} - lx.STOPWORDS - {"the"}
    if not evidence:
        return set()
    out: set[int] = set()
    for ci in claims:
        f = facts[ci]
        if ci == di or ci in targets or any(s.kind == "denial" for s in f.signals):
            continue
        if denier and denier <= _source_words(f):
            continue
        for a in f.attributions:
            words = {stem(w) for w in a.source.split()} - lx.STOPWORDS - {"the"}
            if a.source_kind in {"document", "media", "social_post"} and words & evidence:
                out.add(ci)
    return out


def _speaker(d: Facts, cue: Signal) -> str:
    """The source whose words the denial cue is: the attribution nearest before the cue."""
    before = [a for a in d.attributions if a.cue_start <= cue.start or a.start <= cue.start]
    chosen = before[-1] if before else (d.attributions[0] if d.attributions else None)
    return chosen.source if chosen is not None else "another source"


def _antecedents(facts: list[Facts], claims: list[int], n: int, denier: set[str]) -> set[int]:
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
        if denier and denier <= _source_words(f):
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
                _add(f, Signal("conflicting_sources", word.text, word.start, word.end, detail))
                break


def _contrasts(facts: list[Facts], claims: list[int]) -> None:
    _contrast_inside(facts, claims)
    for a, b in pairwise(claims):
        fb = facts[b]
        first = next((t for t in fb.tokens if t.is_word), None)
        if first is None or first.lower not in lx.CONTRAST_OPENERS:
            continue
        fa = facts[a]
        if not fa.attributions or not fb.attributions or b - a > 2:
            continue
        if _sources_key(fa) & _sources_key(fb):
            continue
        _add(
            fa,
            Signal(
                "conflicting_sources",
                first.text,
                first.start,
                first.end,
                f"contradicted by {fb.attributions[0].source}",
            ),
        )
        _add(
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


def _opposites(body: str, facts: list[Facts], claims: list[int]) -> None:
    for side_a, side_b in lx.OPPOSITES:
        sides: list[list[tuple[int, int, int]]] = [[], []]
        for i in claims:
            f = facts[i]
            low = body[f.sentence.start : f.sentence.end].lower()
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
                if _sources_key(fa) == _sources_key(fb):
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
                    _add(f, Signal("conflicting_sources", cue, at + s0, at + s1, detail))


def _question_headline(body: str, facts: list[Facts], claims: list[int]) -> None:
    for q in facts:
        if not q.sentence.whole_line:
            continue
        text = body[q.sentence.start : q.sentence.end]
        if not text.rstrip().endswith("?"):
            continue
        for i in claims:
            f = facts[i]
            if i > q.sentence.index and f.attributions and len(q.stems & f.stems) >= 2:
                _add(
                    f,
                    Signal(
                        "hedge",
                        text,
                        q.sentence.start,
                        q.sentence.end,
                        "the headline asks whether this happened",
                    ),
                )


def _continuations(facts: list[Facts], claims: list[int]) -> None:
    for a, b in pairwise(claims):
        fa, fb = facts[a], facts[b]
        if b != a + 1 or fb.attributions or fa.sentence.paragraph != fb.sentence.paragraph:
            continue
        if not fa.contested or not fa.attributions:
            continue
        also = next((t for t in fb.tokens if t.lower in {"also", "too"}), None)
        if also is None:
            continue
        base = (fa.signals + fa.extra_signals)[0]
        _add(
            fb,
            Signal(
                base.kind,
                also.text,
                also.start,
                also.end,
                f"continues the contested account of {fa.attributions[0].source}",
            ),
        )
        fb.inherited.extend(fa.attributions)


def link_story(body: str, facts: list[Facts]) -> None:
    """Run the story-level passes, adding extra signals and inherited attributions."""
    claims = [i for i, f in enumerate(facts) if f.is_claim]
    for f in facts:
        f.stems = content_stems(f.tokens)
    _link_denials(body, facts, claims)
    _contrasts(facts, claims)
    _opposites(body, facts, claims)
    _question_headline(body, facts, claims)
    _continuations(facts, claims)
