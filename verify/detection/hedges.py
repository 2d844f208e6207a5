"""Uncertainty markers: words that state a claim as possible, expected, estimated or
conditional rather than as fact.

They do not make a claim contested (a forecast is not a dispute: the desk's labels say
"the company expects revenue of ..." is not contested); they mark it uncertain, so a
reader or reviewer can tell a prediction from a report. Contest hedges ("reportedly",
"appears to", "is said to") live in cues.py. One combined pattern, one pass per body.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from .model import Signal

# Verbs a prediction takes after "would"/"could": what would be the case, not a plan.
_PREDICTED = (
    r"be|have|lead|cause|mean|affect|cost|result|remain|need|require|allow|prevent|harm|"
    r"hurt|damage|fail|become|stay|depend|help|change|increase|reduce|rise|fall|lose|win|"
    r"take|reach|face|threaten|trigger|push|drive|force|leave|save|create|destroy|spread|"
    r"collapse|worsen|improve|delay|slow|boost|cut|double|halve|exceed|top|kill|put"
)
_MARKERS: tuple[tuple[str, str, str], ...] = (
    (
        "modal",
        # "may"/"might" with any verb ("may cut"), "could" with a verb of outcome;
        # "May" the month is written with a capital, so the lower-case form is a modal
        r"\b(?:may|might)\s+(?:not\s+|also\s+|well\s+|still\s+|even\s+|soon\s+|yet\s+)?[a-z]+"
        r"|\b(?:could|would)\s+(?:not\s+|also\s+|eventually\s+|ultimately\s+|even\s+|"
        r"soon\s+|still\s+)?(?:" + _PREDICTED + r")\b",
        "a modal of possibility or prediction",
    ),
    (
        "expectation",
        r"\b(?:[Ee]xpects?|[Ee]xpecting|[Aa]nticipat(?:es?|ed|ing)|[Pp]redict(?:s|ed|ing)?|"
        r"[Ff]orecasts?|[Ff]orecast(?:ed|ing)|[Ff]ores(?:ees?|aw|een)|[Pp]roject(?:ed|ing|ions?)|"
        r"[Ee]stimat(?:es?|ed|ing))\b"
        r"|(?<!as )(?<!than )(?<!had )\b(?:expected|[Pp]rojected)\b",
        "an expectation or estimate, not a measured fact",
    ),
    (
        "epistemic",
        r"\b(?:[Ll]ikely|[Uu]nlikely|[Pp]otentially|[Pp]robable|[Pp]lausibl[ey]|[Pp]ossible|"
        r"[Cc]onceivabl[ey])\b",
        "a word of likelihood",
    ),
    (
        "conditional",
        r"\b(?:[Ii]f|[Uu]nless|[Pp]rovided\s+that|[Ss]hould\s+(?:the|it|they)\b)\b",
        "a condition the claim depends on",
    ),
    (
        "question",
        r"\b(?:[Ww]hether|[Ii]t\s+(?:is|was|remains)\s+(?:unclear|not\s+clear|not\s+known|"
        r"unknown))\b",
        "an open question, not an answer",
    ),
)
_KIND = {"conditional": "conditional"}
_COMBINED = re.compile("|".join(f"(?P<{name}>{p})" for name, p, _ in _MARKERS))
_WHY = {name: why for name, _, why in _MARKERS}
# Words a marker must hold one of for the body to be scanned at all.
_ANCHORS = (
    "may", "might", "could", "would", "xpect", "nticipat", "redict", "orecast", "oresee",
    "oresaw", "roject", "stimat", "ikely", "otentially", "robabl", "lausib", "ossible",
    "onceivab", "if", "nless", "rovided", "should", "hether", "unclear", "not clear",
    "not known", "unknown",
)  # fmt: skip


def uncertainty(body: str, spans: list[tuple[int, int]]) -> list[tuple[Signal, ...]]:
    """The uncertainty markers of each span (sentence), found in one pass over the body."""
    out: list[list[Signal]] = [[] for _ in spans]
    if not any(a in body for a in _ANCHORS):
        return [() for _ in spans]
    starts = [s for s, _ in spans]
    for m in _COMBINED.finditer(body):
        k = bisect_right(starts, m.start()) - 1
        if k < 0 or m.end() > spans[k][1]:
            continue
        name = m.lastgroup or "modal"
        cue = m.group()
        out[k].append(
            Signal(
                _KIND.get(name, "hedge"),
                cue,
                m.start(),
                m.end(),
                f"uncertain: '{cue}' ({_WHY[name]})",
            )
        )
    return [tuple(x) for x in out]
