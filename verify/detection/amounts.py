"""Competing amounts: two sources that put different sums, shares or measures on the same
thing ("the council had lost £11m, the auditor said" / "the finance chief put the loss
nearer £6m"). figures.py compares counts of people; this compares amounts that carry
their kind: a currency, a percentage or a unit."""

from __future__ import annotations

from .disputes import Dispute
from .facts import Facts, add, source_words, sources_key, stem
from .lexicon import STOPWORDS, word_set
from .model import Signal
from .segment import Token

_CURRENCY_SIGNS = "$£€"
_SCALE = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9,
    "billion": 1e9, "tn": 1e12, "trillion": 1e12, "crore": 1e7, "lakh": 1e5,
}  # fmt: skip
# A word after the number that gives its kind: currencies by name, shares, units.
_CURRENCY_NAMES = "yen yuan rupees francs pesos rand naira roubles rubles"
_UNITS = (
    "tonnes tons barrels litres liters gallons hectares acres kilometres kilometers miles "
    "megawatts gigawatts kilowatts points"
)
_KIND_WORDS = {
    **dict.fromkeys(["dollars", "dollar", "usd"], "$"),
    **dict.fromkeys(["pounds", "sterling", "gbp"], "£"),
    **dict.fromkeys(["euros", "euro", "eur"], "€"),
    **{w: w.rstrip("s") for w in f"{_CURRENCY_NAMES} {_UNITS}".split()},
    **dict.fromkeys(["percent", "%"], "%"),
}
# Words that say only that a number follows: no head of their own.
_GENERIC = word_set(
    "figure figures number numbers total sum amount it that this estimate value about around "
    "roughly some nearly almost over under least more than up nearer closer near high low "
    "put puts placed places pegged valued values estimated estimates said says at of was "
    "were is are be been had has have to just only would will could rose rise rises fell "
    "fall falls grew grow grown climbed dropped increased decreased reached totalled totaled "
    "stood came jumped slipped"
)
# The same head as noun and verb: "lost £11m" and "the loss"; "worth", "valued at".
_SAME_HEAD = {
    **dict.fromkeys(["lose", "lost", "losing", "loss", "losses"], "loss"),
    **dict.fromkeys(["worth", "value", "valued", "valuation", "values"], "value"),
    **dict.fromkeys(["cost", "costs", "costing"], "cost"),
    **dict.fromkeys(["spend", "spent", "spending"], "spend"),
    **dict.fromkeys(["owe", "owed", "owes", "debt", "debts"], "debt"),
    **dict.fromkeys(["pay", "paid", "payment", "payout"], "pay"),
}  # fmt: skip
_RESTATE = word_set("put puts placed places pegged valued values estimated estimates")
_BOUND = word_set("least more over than")  # "at least £5m", "more than 40%" fit larger ones
_BACK = 5  # words before an amount that say what it is of
_NEAR = 3  # claims apart

# value, kind, head, at least, restated, token index, what it is for
Amount = tuple[float, str, frozenset[str], bool, bool, int, frozenset[str]]


def _number(text: str) -> tuple[float, str] | None:
    sign = text[:1] if text[:1] in _CURRENCY_SIGNS else ""
    body = text[len(sign) :].replace(",", "")
    share = body.endswith("%")
    body = body.removesuffix("%")
    if not body or not body.replace(".", "", 1).isdigit():
        return None
    return float(body), "%" if share else sign


_PREPS = word_set("to on for in of from by with at into")
_HEAD_WORDS = 2  # content words before the amount that name it


def _head(tokens: list[Token], k: int, after: int, skip: frozenset[str]) -> frozenset[str]:
    """What the amount at k is of: the nearest content words before it in its clause (a
    prepositional phrase's noun gives way to the noun it follows: "its grant to the
    library was" -> grant), the word after it ("a $2m deal") or after "of" ("tonnes of
    oil"); verbs and nouns of one head made one ("lost", "the loss")."""
    held: list[str] = []
    for t in reversed(tokens[max(0, k - 2 * _BACK) : k]):
        if not t.is_word:
            break  # a comma or semicolon ends the clause
        if t.lower in _PREPS:
            held = []  # the phrase's noun was a complement, not the head
        elif _content(t.lower, skip):
            held.append(t.lower)
    out = held[:_HEAD_WORDS]
    j = after + 1 if after < len(tokens) and tokens[after].lower == "of" else after
    j += 1 if j < len(tokens) and tokens[j].lower == "the" else 0
    if j < len(tokens) and tokens[j].is_word and _content(tokens[j].lower, skip):
        out.append(tokens[j].lower)
    return frozenset(_SAME_HEAD.get(w, stem(w)) for w in out[: _HEAD_WORDS + 1])


_FOR = word_set("on for into")


def _purpose(tokens: list[Token], j: int) -> frozenset[str]:
    """'spent $1.1bn on trials' / 'spending $2.8bn on buybacks': what the sum went on."""
    # the first "on" or "for" a few words on, in the same clause ("$1.1bn since 2020 on")
    j = next((m for m in range(j, min(j + 4, len(tokens))) if tokens[m].lower in _FOR), len(tokens))
    if j >= len(tokens) or any(not t.is_word for t in tokens[j - 3 : j]):
        return frozenset()
    words = []
    for t in tokens[j + 1 : j + 5]:
        if not t.is_word:
            break
        if _content(t.lower, frozenset()):
            words.append(stem(t.lower))
    return frozenset(words)


def _content(w: str, skip: frozenset[str]) -> bool:
    return not (
        w in _GENERIC or w in STOPWORDS or w in _SCALE or w in _KIND_WORDS or stem(w) in skip
    )


def amounts(f: Facts) -> list[Amount]:
    """Amounts with a kind: '£11m', '$2.1 billion', '40 million euros', '12%', '3,000
    tonnes'. Bare numbers are counts (figures.py) or years, not read here."""
    tokens = f.tokens
    skip = source_words(f)
    out: list[Amount] = []
    for k, t in enumerate(tokens):
        got = _number(t.text) if t.text[:1].isdigit() or t.text[:1] in _CURRENCY_SIGNS else None
        if got is None:
            continue
        value, kind = got
        j = k + 1
        if j < len(tokens) and tokens[j].lower in _SCALE:
            value *= _SCALE[tokens[j].lower]
            j += 1
        if not kind and j < len(tokens):
            w = tokens[j].lower
            if w == "per" and j + 1 < len(tokens) and tokens[j + 1].lower == "cent":
                w, j = "%", j + 1
            kind = _KIND_WORDS.get(w, "")
            j += 1 if kind else 0
        if not kind:
            continue
        back = [x.lower for x in tokens[max(0, k - _BACK) : k]]
        bound = bool(back) and back[-1] in _BOUND
        restated = not _RESTATE.isdisjoint(back)
        out.append(
            (value, kind, _head(tokens, k, j, skip), bound, restated, k, _purpose(tokens, j))
        )
    return out


def _years(f: Facts) -> frozenset[str]:
    return frozenset(
        t.text
        for t in f.tokens
        if len(t.text) == 4 and t.text.isdigit() and 1900 < int(t.text) < 2100
    )


def _differ(a: Amount, b: Amount) -> bool:
    """Different values, beyond rounding ("about $1.4bn" fits "$1.38bn"); "at least" or
    "more than" N fits any larger figure."""
    lo, hi = sorted((a[0], b[0]))
    if hi <= lo * 1.05:
        return False
    return not ((a[3] and b[0] >= a[0]) or (b[3] and a[0] >= b[0]))


def _compete(a: Amount, b: Amount, next_claim: bool) -> bool:
    """Same kind, different value, and about the same thing: a shared head, or (b just
    after a) a restatement with no head of its own ("valued it at", "put the figure at")."""
    if a[1] != b[1] or not _differ(a, b):
        return False
    if a[6] and b[6] and not a[6] & b[6]:
        return False  # spent on two different things
    return bool(a[2] & b[2]) or (next_claim and b[4] and not b[2])


def competing_amounts(
    facts: list[Facts], claims: list[int], ident: dict[int, set[str]]
) -> list[Dispute]:
    """Claims of different sources, in the same or the next paragraph and a few claims
    apart, that give one thing different amounts of one kind. Not the same source's own
    figures, not two years' figures."""
    found = [(n, i, amounts(facts[i])) for n, i in enumerate(claims) if facts[i].attributions]
    found = [x for x in found if x[2]]
    out: list[Dispute] = []
    for _, i, xs in found:
        if len(xs) > 1:
            _within(facts[i], xs)
    for k, (na, a, xa) in enumerate(found):
        fa = facts[a]
        for nb, b, xb in found[k + 1 :]:
            fb = facts[b]
            if nb - na > _NEAR or abs(fa.sentence.paragraph - fb.sentence.paragraph) > 1:
                break
            if sources_key(fa) & sources_key(fb) or source_words(fa) & source_words(fb):
                continue
            ya, yb = _years(fa), _years(fb)
            if ya and yb and not ya & yb:
                continue  # two years' figures are two facts
            pair = next(((x, y) for x in xa for y in xb if _compete(x, y, nb == na + 1)), None)
            if pair is None:
                continue
            _mark(fa, fb, pair[0], pair[1])
            out.append(
                Dispute(
                    "figures",
                    {a, b},
                    set(ident.get(a, set())),
                    set(ident.get(b, set())),
                    fa.attributions[0].source,
                    fb.attributions[0].source,
                    propagates=False,
                )
            )
    return out


def _within(f: Facts, xs: list[Amount]) -> None:
    """'X said the deal was worth $2.1bn; analysts at two banks valued it at $1.4bn':
    two sources of one sentence, each with its amount (split where the second source
    begins)."""
    ats = sorted(f.attributions, key=lambda a: a.start)
    if len({a.source.lower() for a in ats}) < 2:
        return
    second = next(a for a in ats if a.source.lower() != ats[0].source.lower())
    cut = next((k for k, t in enumerate(f.tokens) if t.start >= second.start), len(f.tokens))
    first = [x for x in xs if x[5] < cut]
    later = [x for x in xs if x[5] > cut]
    if any(_compete(x, y, True) for x in first for y in later):
        at = second
        detail = f"{ats[0].source} and {second.source} give different amounts"
        add(f, Signal("conflicting_sources", at.cue, at.cue_start, at.cue_end, detail))


def _show(x: Amount) -> str:
    return f"{x[0]:g}%" if x[1] == "%" else f"{x[1]}{x[0]:,.0f}".strip()


def _mark(fa: Facts, fb: Facts, va: Amount, vb: Amount) -> None:
    """Both sides of a disagreement over an amount are contested."""
    for f, other, mine, theirs in ((fa, fb, va, vb), (fb, fa, vb, va)):
        at = f.attributions[0]
        detail = f"{at.source} gives {_show(mine)}, {other.attributions[0].source} {_show(theirs)}"
        add(f, Signal("conflicting_sources", at.cue, at.cue_start, at.cue_end, detail))
