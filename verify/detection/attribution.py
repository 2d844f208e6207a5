"""Attribution: who a sentence says its statement comes from, with offsets.

Covers reporting verbs in both orders ("X said", "said X"), "X told Y", "according to X",
"citing X", evidence verbs of documents ("records show"), report arrivals ("reports came
of"), appositives and parentheticals ("X, speaking anonymously, said"),
possessive documents ("X's tweet") and pronoun subjects, which the detector resolves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import lexicon as lx
from .lexicon import word_set
from .phrases import (
    ANON_MARK,
    classify,
    head_of,
    is_parenthetical,
    is_punct,
    np_left,
    np_right,
    skip_between,
    valid_head,
)
from .segment import Token, make_token

_QUOTES = frozenset("\"'“”‘’")
_SOCIAL_VIA = re.compile(
    r"\bin\s+an?\s+(?:\w+\s+)?(?:post|tweet|video|message|livestream)\b|\b(?:tweeted|posted)\b",
    re.IGNORECASE,
)
_PREP_FIRST = frozenset(p[0] for p in lx.SOURCE_PREPOSITIONS)
_SAY = frozenset({"say", "says", "said", "told", "tell", "tells"})
_MODALS = frozenset({"would", "could", "might", "may", "should", "will", "can", "must"})
_NOT_ADDRESSEES = word_set(
    "me us him her them reporters journalists the court jury judge lawmakers committee "
    "hearing panel inquiry parliament congress senate"
)


@dataclass(frozen=True)
class RawAttribution:
    """An attribution before pronouns are resolved; offsets are absolute."""

    start: int
    end: int
    kind: str
    cue: str
    cue_start: int
    cue_end: int
    pronoun: str | None = None  # he/she/it/they/we/its/their: resolve to an antecedent
    definite: bool = False  # a bare "the group": also resolve to the named one before


def _make(
    tokens: list[Token],
    i: int,
    j: int,
    cue: Token,
    surnames: frozenset[str],
    *,
    loose: bool = False,
) -> RawAttribution | None:
    """Build a raw attribution from a noun phrase, splitting possessive documents.

    loose: the verb is "said"/"told", whose subject is a source whatever its noun
    ("a fisherman said"), as long as it opens with a determiner.
    """
    if i >= j:
        return None
    h = head_of(tokens, i, j)
    head = tokens[h]
    any_noun = (
        loose
        and tokens[i].lower in lx.DETERMINERS
        and head.text.isalpha()
        and head.lower not in lx.STOPWORDS
    )
    if not (valid_head(head) or any_noun):
        return None
    kind = classify(tokens, i, j, surnames)
    # "X's tweet", "the panel's written decision", "its website": the owner is the source
    if tokens[h].lower in lx.DOCUMENT_HEADS | lx.SOCIAL_HEADS | lx.MEDIA_HEADS:
        doc_kind = classify(tokens, h, h + 1, surnames)
        for k in range(i, h):
            t = tokens[k]
            if k == i and t.lower in {"its", "their"}:
                return RawAttribution(
                    t.start, t.end, doc_kind, cue.text, cue.start, cue.end, pronoun=t.lower
                )
            if t.lower.endswith(("'s", "’s", "s'", "s’")):
                cut = 2 if t.lower.endswith(("'s", "’s")) else 1
                return RawAttribution(
                    tokens[i].start, t.end - cut, doc_kind, cue.text, cue.start, cue.end
                )
    # "a report in the X": the outlet is the source
    if (
        tokens[h].lower in {"report", "article", "story", "interview", "broadcast"}
        and h + 2 < j
        and tokens[h + 1].lower in {"in", "by", "from", "on"}
    ):
        inner = h + 2
        kind = "media" if tokens[h + 1].lower == "in" else classify(tokens, inner, j, surnames)
        return RawAttribution(
            tokens[inner].start, tokens[j - 1].end, kind, cue.text, cue.start, cue.end
        )
    w = tokens[h].lower
    pronoun = w if (j - i == 1 and w in lx.PRONOUNS) else None
    definite = j - i == 2 and tokens[i].lower == "the" and w in lx.GENERIC_ORG_HEADS
    return RawAttribution(
        tokens[i].start, tokens[j - 1].end, kind, cue.text, cue.start, cue.end, pronoun, definite
    )


def _noun_use(tokens: list[Token], v: int) -> bool:
    """'the claim', 'the group's claim': a noun, not a reporting verb."""
    if tokens[v].lower not in lx.NOUN_OR_VERB or v == 0:
        return False
    w = tokens[v].lower
    prev = tokens[v - 1].lower
    nxt = tokens[v + 1].lower if v + 1 < len(tokens) else ""
    return (
        prev in lx.NOUN_MAKERS
        or prev.endswith(("'s", "’s", "s'"))
        or (w in lx.SOURCE_HEADS and prev in lx.SOURCE_HEADS)  # "media reports"
        or nxt in lx.REPORTING_VERBS  # "reports say"
        or nxt in lx.AUXILIARIES
        or nxt in lx.ADVERB_STOPS
    )


def _passive(tokens: list[Token], v: int) -> bool:
    """'is said to', 'was found dead', 'were told': no source in subject position."""
    k = v - 1
    while k >= 0 and tokens[k].lower in {"also", "widely", "not", "already", "previously"}:
        k -= 1
    return k >= 0 and tokens[k].lower in {"is", "are", "was", "were", "be", "been", "being"}


def _subject(tokens: list[Token], v: int) -> tuple[int, int, bool]:
    """Subject phrase of the verb at v; the flag says a parenthetical was jumped over."""
    e = skip_between(tokens, v)
    jumped_anon = False
    for _ in range(3):
        if e == 0:
            return 0, 0, jumped_anon
        if tokens[e - 1].text == ",":
            c = e - 2
            while c >= 0 and tokens[c].text != ",":
                c -= 1
            if c >= 0 and is_parenthetical(tokens, c + 1, e - 1):
                chunk = " ".join(t.lower for t in tokens[c + 1 : e - 1])
                jumped_anon = jumped_anon or bool(ANON_MARK.search(chunk))
                e = skip_between(tokens, c)
                continue
            i, j = np_left(tokens, e - 1)
            return i, j, jumped_anon
        i, j = np_left(tokens, e)
        # "Name, governor of Province told": the bare role is an appositive of the name
        if (
            i < j
            and not tokens[i].is_cap
            and tokens[i].lower not in lx.DETERMINERS
            and i >= 2
            and tokens[i - 1].text == ","
            and tokens[i - 2].is_cap
        ):
            return (*np_left(tokens, i - 1), jumped_anon)
        return i, j, jumped_anon
    return 0, 0, jumped_anon


def _role_kind(tokens: list[Token], i: int) -> str | None:
    """'The paving firm, Acme Paving, said': the role before the name tells its kind."""
    if i < 2 or tokens[i - 1].text != ",":
        return None
    role = tokens[i - 2].lower
    if role in lx.ORG_HEADS and role not in lx.PERSON_HEADS:
        return "organisation"
    if role in lx.PERSON_HEADS:
        return "person"
    return None


def _inverted_start(tokens: list[Token], v: int) -> int | None:
    """'..., said X' / '"...," said X': index where X starts, else None.

    The phrase after the verb is its subject only when nothing verbal follows it;
    in ', said the administration had ...' it opens the reported clause instead.
    """
    if v == 0 or v + 1 >= len(tokens):
        return None
    prev = tokens[v - 1].text
    if prev != "," and prev not in _QUOTES:
        return None
    k = v + 1
    t = tokens[k]
    if t.lower in lx.PRONOUNS or t.lower in {"that", "it", "in", "on"}:
        return None
    if not (t.is_cap or t.lower in lx.DETERMINERS):
        return None
    i, j = np_right(tokens, k)
    if i >= j:
        return None
    if j < len(tokens):
        after = tokens[j]
        if not (
            is_punct(after) or after.lower in {"in", "on", "at", "during", "last", "this", "who"}
        ):
            return None
    return k


def _verb_fits(tokens: list[Token], v: int, h: int) -> bool:
    """Arrival verbs need a report for subject ("reports came"); evidence verbs a document
    or a body ("records show", "the panel found"), unless a "that" clause follows."""
    w = tokens[v].lower
    head = tokens[h].lower
    if w in lx.ARRIVAL_VERBS:
        return head in {"reports", "report", "word", "news", "rumours", "rumors"}
    if w in lx.EVIDENCE_VERBS:
        return (
            head in lx.DOCUMENT_HEADS
            or head in lx.ORG_HEADS
            or head in lx.MEDIA_HEADS
            or head in lx.PRONOUNS
            or (v + 1 < len(tokens) and tokens[v + 1].lower == "that")
        )
    return True


def _addressee(tokens: list[Token], v: int, surnames: frozenset[str]) -> RawAttribution | None:
    """'X told Y that': Y is a source too when it is an outlet or an organisation."""
    k = v + 1
    if k < len(tokens) and tokens[k].lower == "the":
        k += 1
    if k >= len(tokens) or not tokens[k].is_cap or tokens[k].lower in _NOT_ADDRESSEES:
        return None
    i, j = np_right(tokens, v + 1)
    raw = _make(tokens, i, j, tokens[v], surnames)
    return raw if raw is not None and raw.kind in {"media", "organisation"} else None


def find_attributions(tokens: list[Token], surnames: frozenset[str]) -> list[RawAttribution]:
    """All attributions in one sentence's tokens, in text order, without duplicates."""
    found: list[RawAttribution] = []
    for v, t in enumerate(tokens):
        w = t.lower
        # "according to X", "citing X", "quoted by X"
        for prep in lx.SOURCE_PREPOSITIONS if w in _PREP_FIRST else ():
            if tuple(x.lower for x in tokens[v : v + len(prep)]) == prep:
                cue_end = tokens[v + len(prep) - 1]
                cue = make_token(
                    " ".join(x.text for x in tokens[v : v + len(prep)]), t.start, cue_end.end
                )
                i, j = np_right(tokens, v + len(prep))
                raw = _make(tokens, i, j, cue, surnames)
                if raw is not None:
                    found.append(raw)
        is_report = w in lx.REPORTING_VERBS and not w.endswith("ing")
        is_arrival = w in lx.ARRIVAL_VERBS
        if not (is_report or is_arrival) or (t.is_cap and v > 0):
            continue
        if w in {"cited", "quoted"} or _noun_use(tokens, v) or _passive(tokens, v):
            continue
        k = _inverted_start(tokens, v) if is_report else None
        if k is not None:
            i, j = np_right(tokens, k)
            raw = _make(tokens, i, j, t, surnames, loose=w in _SAY)
        else:
            i, j, anon = _subject(tokens, v)
            if any(x.text in _MODALS for x in tokens[j:v]):  # "May" the month is no modal
                continue  # "would show", "will say": not something a source said
            raw = _make(tokens, i, j, t, surnames, loose=w in _SAY)
            hint = _role_kind(tokens, i)
            if raw is not None and hint is not None and raw.kind in {"person", "organisation"}:
                raw = RawAttribution(raw.start, raw.end, hint, raw.cue, raw.cue_start, raw.cue_end)
            if raw is not None and anon:
                raw = RawAttribution(
                    raw.start, raw.end, "anonymous", raw.cue, raw.cue_start, raw.cue_end
                )
            if raw is not None and i < j and not _verb_fits(tokens, v, head_of(tokens, i, j)):
                raw = None
        if raw is None:
            continue
        found.append(raw)
        # "X told Y that": an outlet or organisation told is a source as well
        if w in {"told", "tell", "tells"}:
            addressee = _addressee(tokens, v, surnames)
            if addressee is not None:
                found.append(addressee)
    if tokens and _SOCIAL_VIA.search(" ".join(x.text for x in tokens)):
        found = [
            RawAttribution(
                a.start, a.end, "social_post", a.cue, a.cue_start, a.cue_end, a.pronoun, a.definite
            )
            if a.kind in {"person", "organisation", "unknown"}
            else a
            for a in found
        ]
    seen: set[tuple[int, int]] = set()
    out: list[RawAttribution] = []
    for a in sorted(found, key=lambda a: (a.cue_start, a.start)):
        if (a.start, a.end) not in seen:
            seen.add((a.start, a.end))
            out.append(a)
    return out
