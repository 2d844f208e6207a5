"""What the detector knows about each sentence, and the word and source sets the
story-level passes compare sentences by."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from . import lexicon as lx
from .cues import plan_clause
from .model import DetectedAttribution, Signal
from .segment import TEXT, Sentence, Token, word_flags


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
    topic_words: frozenset[str] | None = None  # parties.topic, computed once
    hedges: tuple[Signal, ...] = ()  # uncertainty markers (hedges.py)
    source_stems: frozenset[str] | None = None  # source_words, computed once

    @property
    def is_claim(self) -> bool:
        return bool(self.reasons)

    @property
    def contested(self) -> bool:
        return bool(self.signals or self.extra_signals)


# The word caches hold 16,384 words each: news vocabulary's head stays in them (hit rates
# 0.93-0.97 on 5,000 bench stories, as with 65,536), and a detection worker stays near
# 45 MB instead of 90 MB (the tail is numbers and names, seen once).
@lru_cache(maxsize=16384)
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


@lru_cache(maxsize=16384)
def content_stem(text: str) -> str | None:
    """The stem of a content word, None for a stopword, a symbol or a word of two
    letters. Keyed by a token's text alone: its lower and is_word are the text's
    (segment.word_flags), as every token the segmenter makes has them."""
    lower, _, is_word = word_flags(text)
    if is_word and len(text) > 2 and lower.strip("'’") not in lx.STOPWORDS:
        return stem(text)
    return None


def content_stems(tokens: list[Token]) -> frozenset[str]:
    out = set(map(content_stem, map(TEXT, tokens)))  # mapped in C: one call per word
    out.discard(None)
    return frozenset(out)  # type: ignore[arg-type]  # None is discarded


def source_words(f: Facts) -> frozenset[str]:
    """Stems of the words of a sentence's own sources (computed once: the attributions
    are settled before the story-level passes ask)."""
    if f.source_stems is None:
        words: set[str] = set()
        for a in f.attributions:
            # the role beside the name says whom it speaks for ("the depot manager, X")
            words |= {stem(w) for w in f"{a.source} {a.role}".split()} - {"the", "a", "an"}
        f.source_stems = frozenset(words)
    return f.source_stems


def sources_key(f: Facts) -> frozenset[str]:
    return frozenset(a.source.lower().removeprefix("the ") for a in f.attributions)


def add(f: Facts, sig: Signal) -> None:
    """Add a story-level signal. A sentence that nobody says (no source of its own or
    carried on) is the story's plain report ("shares fell 18 percent"): another
    sentence's dispute does not make it contested; only its own words can."""
    if f.attributions or f.inherited:
        add_own(f, sig)


def add_own(f: Facts, sig: Signal) -> None:
    """Add a signal found in the sentence's own words by a story-level pass."""
    if all((s.kind, s.start, s.end) != (sig.kind, sig.start, sig.end) for s in f.extra_signals):
        f.extra_signals.append(sig)


def is_plan(f: Facts) -> bool:
    """'X said it would hold another march on Saturday': a plan, not a disputed account."""
    own = [a for a in f.attributions if f.sentence.start <= a.cue_start < f.sentence.end]
    if not own:
        return False
    after = " ".join(t.text for t in f.tokens if t.start >= own[0].cue_end)
    before = " ".join(t.text for t in f.tokens if t.end <= min(own[0].cue_start, own[0].start))
    return plan_clause(after) or plan_clause(before)  # "X plans to ..., Y said" too
