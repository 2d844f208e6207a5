"""A claim read as the assertion it makes: its content terms in order, and the facets two
statements must share to be one claim (numbers, dates, names, negation, hedging, the
direction of what happened). Who says it is not part of it: detection's attribution
spans ("the fire service said", "according to official figures") are cut out first.

Pure: text in, :class:`Statement` out; a statement round-trips through ``to_doc``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import snowballstemmer

from services.text import same_reading
from verify.detection import DetectedClaim, analyse_span
from verify.detection import lexicon as lx
from verify.memory import words as w

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’][^\W\d_]+)?|%")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_BE = lx.word_set("is are was were be been being")
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_REFERS_BACK = lx.word_set("he she his her him himself herself")


@dataclass(frozen=True)
class Statement:
    """What a claim asserts, in comparable form (see :func:`read`)."""

    terms: tuple[str, ...]  # content terms in order: stems, "#41" numbers, "@sunday" dates
    names: frozenset[str]  # terms written with a capital: places, parties, people
    verbs: frozenset[str]  # terms used as verbs (a different verb is a rewording)
    polarity: frozenset[str]  # "axis:sign" of the direction words (rose / fell)
    negated: bool
    hedged: bool  # stated as possible, expected or alleged rather than as fact
    passive: bool  # the actor may follow the verb ("was approved by the council")

    def to_doc(self) -> dict[str, Any]:
        return {
            "terms": list(self.terms),
            "names": sorted(self.names),
            "verbs": sorted(self.verbs),
            "polarity": sorted(self.polarity),
            "negated": self.negated,
            "hedged": self.hedged,
            "passive": self.passive,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Statement:
        return cls(
            terms=tuple(doc["terms"]),
            names=frozenset(doc["names"]),
            verbs=frozenset(doc["verbs"]),
            polarity=frozenset(doc["polarity"]),
            negated=bool(doc["negated"]),
            hedged=bool(doc["hedged"]),
            passive=bool(doc["passive"]),
        )

    @property
    def numbers(self) -> frozenset[str]:
        return frozenset(t for t in self.terms if t.startswith("#"))

    @property
    def dates(self) -> frozenset[str]:
        return frozenset(t for t in self.terms if t.startswith("@"))


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    # Snowball's English stemmer: "hospitals" and "hospital" are one term.
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    # The pure-Python stemmer costs a fraction of a millisecond a word; news words repeat.
    return str(_stemmer().stemWord(word))


def read(text: str) -> Statement:
    """The statement a claim's text makes, without who says it."""
    text = same_reading(text).translate(_QUOTES).strip()
    if not text:
        return Statement((), frozenset(), frozenset(), frozenset(), False, False, False)
    detected = analyse_span(text, 0, len(text))
    stripped, denials, cues = _without_attribution(text, detected)
    statement = _statement(stripped, denied=denials % 2 == 1, hedged=_hedged(detected))
    directions = {_direction(cue) for cue in cues} - {None}
    if not directions:
        return statement
    return replace(statement, polarity=statement.polarity | frozenset(d for d in directions if d))


def _direction(word: str) -> str | None:
    sign = w.POLARITY.get(w.SYNONYMS.get(word, word))
    return None if sign is None else f"{sign[0]}:{sign[1]}"


def read_plain(text: str) -> Statement:
    """The statement of a text known to carry no attribution clause and no hedge: no
    detection is run (the bench's background claims)."""
    text = same_reading(text).translate(_QUOTES).strip()
    return _statement(text, denied=False, hedged=False)


def _hedged(claim: DetectedClaim) -> bool:
    """Hedged, as detection sees it; "would" after an attribution is reported speech
    ("said the government would raise"), not a hedge."""
    reported = bool(claim.detected_attributions)
    cues = [s for s in claim.hedges if s.kind in {"hedge", "conditional"}] + [
        s for s in claim.contest_signals if s.kind in {"hedge", "conditional"}
    ]
    return any(not (reported and s.cue.lower().startswith("would")) for s in cues)


def _without_attribution(text: str, claim: DetectedClaim) -> tuple[str, int, list[str]]:
    """The text with each attribution clause (source and cue) blanked out, how many of
    those cues were denials, and the cue words (their direction still counts: "accused")."""
    chars = list(text)
    denials = 0
    cues: list[str] = []
    for a in claim.detected_attributions:
        lo, hi = min(a.start, a.cue_start), max(a.end, a.cue_end)
        if hi - lo > len(a.source) + len(a.cue) + 12:
            continue  # source and cue far apart: more than an attribution clause
        rest = (text[:lo] + " " + text[hi:]).lower().split()
        if any(word.strip(",.") in _REFERS_BACK for word in rest):
            lo, hi = a.cue_start, a.cue_end  # "X denied that she ...": X is in the claim
        chars[lo:hi] = " " * (hi - lo)
        said = a.cue.lower().split()
        if any(word in w.DENIAL_CUES for word in said):
            denials += 1
        else:
            cues += said
    return "".join(chars), denials, cues


def _value(token: str) -> float | None:
    low = token.lower()
    if low in w.NUMBER_WORDS:
        return float(w.NUMBER_WORDS[low])
    if token[:1].isdigit():
        digits = token.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", token) else token
        try:
            return float(digits.replace(",", "."))
        except ValueError:
            return None
    return None


def _number(value: float) -> str:
    return "#" + (str(int(value)) if value == int(value) else repr(value))


def _participle(low: str) -> bool:
    return low.endswith(("ed", "ing")) or low in w.VERB_FORMS


def _phrases(text: str) -> str:
    low = f" {text.lower()} "
    for phrase, term in w.PHRASES:
        low = low.replace(f" {phrase} ", f" {term} ")
    return low


def _statement(text: str, *, denied: bool, hedged: bool) -> Statement:
    raw = _TOKEN.findall(text)
    lowered = _TOKEN.findall(_phrases(text))
    # Phrases only lower-case and shorten; capitals come from the raw tokens by word.
    capital = {tok.lower() for i, tok in enumerate(raw) if tok[0].isupper()}
    terms: list[str] = []
    names: set[str] = set()
    verbs: set[str] = set()
    polarity: set[str] = set()
    negations = int(denied)
    passive = False
    previous = ""
    for i, low in enumerate(lowered):
        if low.endswith("n't"):
            negations += 1
            low = low[:-3]
        passive = passive or low in w.PASSIVE_MARKERS or (previous in _BE and _participle(low))
        previous = low
        value = _value(low)
        following = lowered[i + 1] if i + 1 < len(lowered) else ""
        if low in w.RELATIVE_DATES and following in w.DATE_UNITS:
            terms.append(f"@{low}-{following}")
            lowered[i + 1] = ""  # taken with its relative word
        elif low in w.RELATIVE_DAYS or (value is not None and _YEAR.fullmatch(low)):
            terms.append("@" + low)
        elif value is not None:
            terms.append(_number(value * w.SCALES.get(following, 1)))
        elif low in w.DATE_WORDS:
            terms.append("@" + low)
        elif low in w.NEGATIONS:
            negations += 1
        elif low == "%":
            terms.append("percent")
        elif low and low not in w.FUNCTION_WORDS and low not in w.SCALES:
            canon = w.SYNONYMS.get(low, low)
            sign = w.POLARITY.get(canon) or w.POLARITY.get(low)
            if sign is not None:
                polarity.add(f"{sign[0]}:{sign[1]}")
            term = _stem(canon.removesuffix("'s"))
            terms.append(term)
            if low in capital:
                names.add(term)
            if low in w.VERB_FORMS or canon in w.VERB_SYNONYMS or _participle(low):
                verbs.add(term)
    return Statement(
        terms=tuple(terms),
        names=frozenset(names),
        verbs=frozenset(verbs),
        polarity=frozenset(polarity),
        negated=negations % 2 == 1,
        hedged=hedged,
        passive=passive,
    )
