"""Competing figures: two sources that put different numbers on the same count
("14 were killed, the governor said" / "the health authority put the toll at 22")."""

from __future__ import annotations

from .facts import Facts, add, source_words, sources_key, stem
from .lexicon import word_set
from .model import Signal
from .segment import Token

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
    w = t.lower
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


def figures(tokens: list[Token]) -> dict[str, list[tuple[float, bool]]]:
    """Numbers next to a count word, by measure: value and whether it is a lower bound."""
    out: dict[str, list[tuple[float, bool]]] = {}
    for k, t in enumerate(tokens):
        v = _value(t)
        if v is None or (k + 1 < len(tokens) and tokens[k + 1].lower in {"%", "percent"}):
            continue
        window = tokens[max(0, k - _WINDOW) : k + _WINDOW + 1]
        measures = {stem(w.text) for w in window if w.is_word} & _MEASURES
        bound = k > 0 and tokens[k - 1].lower in _LOWER_BOUND
        for m in measures:
            out.setdefault(m, []).append((v, bound))
    return out


def _disagree(a: list[tuple[float, bool]], b: list[tuple[float, bool]]) -> bool:
    """No figure of one side fits a figure of the other ('at least 14' fits 22)."""

    def fits(x: tuple[float, bool], y: tuple[float, bool]) -> bool:
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
        if words and value is not None:
            return frozenset(words), value
    return None


def _framed_figures(facts: list[Facts], claims: list[int]) -> None:
    """A source that 'puts the number of X at N' answers another's figure for X nearby."""
    for n, i in enumerate(claims):
        f = facts[i]
        frame = _frame(f.tokens) if f.attributions else None
        if frame is None:
            continue
        measure, value = frame
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
                break


def competing_figures(facts: list[Facts], claims: list[int]) -> None:
    """Claims of different sources close together that count the same thing differently.
    Only claims a few apart are compared, so the pass stays linear in the story."""
    found = [
        (n, i, figures(facts[i].tokens)) for n, i in enumerate(claims) if facts[i].attributions
    ]
    found = [x for x in found if x[2]]
    for k, (na, a, ga) in enumerate(found):
        for nb, b, gb in found[k + 1 :]:
            if nb - na > _NEAR:
                break
            _compare(facts[a], facts[b], ga, gb)
    _framed_figures(facts, claims)


def _compare(
    fa: Facts,
    fb: Facts,
    ga: dict[str, list[tuple[float, bool]]],
    gb: dict[str, list[tuple[float, bool]]],
) -> None:
    if sources_key(fa) & sources_key(fb) or source_words(fa) & source_words(fb):
        return
    for m in sorted(ga.keys() & gb.keys()):
        if not _disagree(ga[m], gb[m]):
            continue
        _mark(fa, fb, ga[m][0][0], gb[m][0][0])
        return


def _mark(fa: Facts, fb: Facts, va: float, vb: float) -> None:
    """Both sides of a disagreement over a figure are contested."""
    for f, other, mine, theirs in ((fa, fb, va, vb), (fb, fa, vb, va)):
        at = f.attributions[0]
        detail = f"{at.source} gives {mine:g}, {other.attributions[0].source} {theirs:g}"
        add(f, Signal("conflicting_sources", at.cue, at.cue_start, at.cue_end, detail))
