"""Competing figures: two sources that put different numbers on the same count
("14 were killed, the governor said" / "the health authority put the toll at 22")."""

from __future__ import annotations

from functools import lru_cache
from itertools import compress, count, repeat
from operator import is_not
from typing import cast

from .disputes import Dispute
from .facts import Facts, add, source_words, sources_key, stem
from .lexicon import word_set
from .model import Signal
from .segment import IS_WORD, LOWER, TEXT, Token

# Counts that sides of a dispute give their own numbers for: casualties, arrests, the
# displaced (stems after EVENT_SYNONYMS: killed/dead/toll -> kill, wounded -> injure).
_MEASURES = frozenset({"kill", "injure", "arrest", "missing", "evacuate"})
_NUMBER_NAMES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty"
)
_SMALL = {w: n for n, w in enumerate(_NUMBER_NAMES.split())}
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80}
_LOWER_BOUND = word_set("least over more than")  # "at least 14", "more than 20"
_NEAR = 4  # claims apart: figures further apart are about different moments
_WINDOW = 4  # words either side of a number that say what it counts


def _value(t: Token) -> float | None:
    return _word_value(t.lower)


@lru_cache(maxsize=16384)
def _word_value(w: str) -> float | None:
    """The number a lower-case word gives, if any (cached by word: figures asks it of
    every word of every attributed claim, and most are not numbers)."""
    if w in _SMALL:
        return float(_SMALL[w])
    if w in _TENS:
        return float(_TENS[w])
    digits = w.replace(",", "")
    if not digits.replace(".", "", 1).isdigit():
        return None
    v = float(digits)
    if "," not in w and 1900 <= v <= 2100:
        return None  # a year
    return v


# How many took part, whatever the noun: "protesters", "people had taken part", "joined".
_TURNOUT = word_set(
    "protesters demonstrators marchers participants strikers attendees turnout crowd crowds "
    "joined attended marched rallied"
)
_TAKE = word_set("take takes took taken taking")
_TURNOUT_MEASURE = frozenset({"turnout"})
# "confirmed 19 deaths": a count the source checked itself, so at least that many
_CHECKED = word_set("confirmed documented verified recorded counted identified")

Figure = tuple[float, bool, bool]  # value, lower bound, percent


def _turnout(window: list[Token]) -> bool:
    lowers = list(map(LOWER, window))
    if not _TURNOUT.isdisjoint(lowers):
        return True
    return "part" in lowers and any(
        w == "part" and k > 0 and lowers[k - 1] in _TAKE for k, w in enumerate(lowers)
    )


def figures(tokens: list[Token]) -> dict[str, list[Figure]]:
    """Numbers next to a count word, by measure: value, whether it is a lower bound and
    whether it is a share; shares only for turnout ("38 percent of teachers joined")."""
    out: dict[str, list[Figure]] = {}
    lowers = list(map(LOWER, tokens))
    values = list(map(_word_value, lowers))
    if values.count(None) == len(values):
        return out
    # a number counts something only with a count word in its window: a sentence with
    # none anywhere ("In round 3, ...") is not read number by number
    if (
        _MEASURES.isdisjoint(map(stem, map(TEXT, filter(IS_WORD, tokens))))
        and _TURNOUT.isdisjoint(lowers)
        and "part" not in lowers
    ):
        return out
    for k in compress(count(), map(is_not, values, repeat(None))):  # most words are none
        v = cast(float, values[k])  # not None: compress kept only the numbers
        nxt = tokens[k + 1].lower if k + 1 < len(tokens) else ""
        cent = k + 2 < len(tokens) and tokens[k + 2].lower == "cent"
        share = nxt in {"%", "percent"} or (nxt == "per" and cent)
        window = tokens[max(0, k - _WINDOW) : k + _WINDOW + 1]
        measures = _MEASURES.intersection(map(stem, map(TEXT, filter(IS_WORD, window))))
        if not measures and _turnout(tokens[max(0, k - _WINDOW) : k + 2 * _WINDOW]):
            measures = _TURNOUT_MEASURE
        if share:
            measures &= _TURNOUT_MEASURE
        bound = k > 0 and tokens[k - 1].lower in _LOWER_BOUND
        bound = bound or not _CHECKED.isdisjoint(map(LOWER, tokens[max(0, k - 4) : k]))
        for m in measures:
            out.setdefault(m, []).append((v, bound, share))
    return out


def _disagree(a: list[Figure], b: list[Figure]) -> bool:
    """No figure of one side fits a figure of the other ('at least 14' fits 22); a
    count against a share is two sides choosing different measures of one thing."""

    def fits(x: Figure, y: Figure) -> bool:
        if x[2] != y[2]:
            return False
        return x[0] == y[0] or (x[1] and y[0] >= x[0]) or (y[1] and x[0] >= y[0])

    return not any(fits(x, y) for x in a for y in b)


_FRAME_VERBS = word_set("put puts putting placed places estimated estimates")
_FRAME_NOUNS = word_set("number total figure tally count")
_APPROX = word_set("about around roughly some nearly almost over")


def _plain(word: str) -> str:
    """A stem without event synonyms: a labour 'strike' is not an attack here."""
    w = word.lower().removesuffix("'s").removesuffix("’s")
    for suf in ("ing", "ed", "es", "s"):
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            w = w[: -len(suf)]
            break
    return w[:-1] if w.endswith("e") and len(w) >= 5 else w


def _frame(tokens: list[Token]) -> tuple[frozenset[str], float] | None:
    """'put the number of marchers at about 900': what is counted, and how many."""
    if _FRAME_VERBS.isdisjoint(map(LOWER, tokens)):
        return None  # most claims put no number anywhere: one set test in C
    for v, t in enumerate(tokens):
        if t.lower not in _FRAME_VERBS:
            continue
        k = v + 1
        while k < len(tokens) and k <= v + 3 and tokens[k].lower not in _FRAME_NOUNS:
            k += 1
        if k >= len(tokens) or tokens[k].lower not in _FRAME_NOUNS:
            continue
        words: list[str] = []
        m = k + 1
        while m < len(tokens) and tokens[m].lower != "at" and m <= k + 5:
            if tokens[m].is_word and tokens[m].lower != "of":
                words.append(_plain(tokens[m].text))
            m += 1
        m += 1
        while m < len(tokens) and tokens[m].lower in _APPROX:
            m += 1
        value = _value(tokens[m]) if m < len(tokens) else None
        # "put the number at 15,000" names nothing it counts: an empty measure, the
        # count of the claim just before (_framed_figures)
        bare = k + 1 < len(tokens) and tokens[k + 1].lower == "at"
        if value is not None and (words or bare):
            return frozenset(words), value
    return None


def _framed_figures(facts: list[Facts], claims: list[int]) -> list[tuple[int, int]]:
    """A source that 'puts the number of X at N' answers another's figure for X nearby."""
    pairs: list[tuple[int, int]] = []
    for n, i in enumerate(claims):
        f = facts[i]
        frame = _frame(f.tokens) if f.attributions else None
        if frame is None:
            continue
        measure, value = frame
        if not measure:
            # a bare "the number": it answers the count of a claim just before it
            pair = _bare_frame(facts, claims, n, value)
            if pair is not None:
                pairs.append(pair)
            continue
        for m in range(max(0, n - 2), min(len(claims), n + 3)):
            o = facts[claims[m]]
            if m == n or not o.attributions or source_words(o) & source_words(f):
                continue
            for k, t in enumerate(o.tokens):
                v = _value(t)
                # an explicit frame names what it counts: look at the other's whole clause
                window = o.tokens[max(0, k - 2 * _WINDOW) : k + 2 * _WINDOW + 1]
                if v is None or v == value or not {_plain(w.text) for w in window} & measure:
                    continue
                _mark(f, o, value, v)
                pairs.append((i, claims[m]))
                break
    return pairs


def _bare_frame(
    facts: list[Facts], claims: list[int], n: int, value: float
) -> tuple[int, int] | None:
    """'Organisers put the number at 15,000' after 'Police said 2,000 people took part':
    the number is that of the nearest claim before, of another source, in the same or
    the paragraph before, that counts something (figures) and gives another value."""
    f = facts[claims[n]]
    for m in range(n - 1, max(-1, n - 3), -1):
        o = facts[claims[m]]
        if not o.attributions or source_words(o) & source_words(f) or not _next_to(f, o):
            continue
        counted = [x for xs in figures(o.tokens).values() for x in xs]
        if not counted:
            continue
        if all(x[0] != value for x in counted):
            _mark(f, o, value, counted[0][0])
            return claims[n], claims[m]
        return None
    return None


def competing_figures(
    facts: list[Facts], claims: list[int], ident: dict[int, set[str]]
) -> list[Dispute]:
    """Claims of different sources close together that count the same thing differently.
    Only claims a few apart are compared, so the pass stays linear in the story."""
    found = [
        (n, i, figures(facts[i].tokens)) for n, i in enumerate(claims) if facts[i].attributions
    ]
    found = [x for x in found if x[2]]
    pairs: list[tuple[int, int]] = []
    for k, (na, a, ga) in enumerate(found):
        for nb, b, gb in found[k + 1 :]:
            if nb - na > _NEAR:
                break
            if _compare(facts[a], facts[b], ga, gb):
                pairs.append((a, b))
    pairs += _framed_figures(facts, claims)
    return [
        Dispute(
            "figures",
            {a, b},
            set(ident.get(a, set())),
            set(ident.get(b, set())),
            facts[a].attributions[0].source,
            facts[b].attributions[0].source,
            propagates=False,
        )
        for a, b in pairs
    ]


def _compare(
    fa: Facts, fb: Facts, ga: dict[str, list[Figure]], gb: dict[str, list[Figure]]
) -> bool:
    if sources_key(fa) & sources_key(fb) or source_words(fa) & source_words(fb):
        return False
    for m in sorted(ga.keys() & gb.keys()):
        if not _disagree(ga[m], gb[m]):
            continue
        if m == "turnout" and not _next_to(fa, fb):
            continue  # turnout figures answer each other only side by side
        _mark(fa, fb, ga[m][0][0], gb[m][0][0])
        return True
    return False


def _next_to(fa: Facts, fb: Facts) -> bool:
    return abs(fa.sentence.paragraph - fb.sentence.paragraph) <= 1


def _mark(fa: Facts, fb: Facts, va: float, vb: float) -> None:
    """Both sides of a disagreement over a figure are contested."""
    for f, other, mine, theirs in ((fa, fb, va, vb), (fb, fa, vb, va)):
        at = f.attributions[0]
        detail = f"{at.source} gives {mine:g}, {other.attributions[0].source} {theirs:g}"
        add(f, Signal("conflicting_sources", at.cue, at.cue_start, at.cue_end, detail))
