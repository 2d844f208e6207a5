"""Uncertainty markers: words that state a claim as possible, expected, estimated or
conditional rather than as fact.

They do not make a claim contested (a forecast is not a dispute: the desk's labels say
"the company expects revenue of ..." is not contested); they mark it uncertain, so a
reader or reviewer can tell a prediction from a report. Contest hedges ("reportedly",
"appears to", "is said to") live in cues.py. One combined pattern, one pass per body.
"""

from __future__ import annotations

import re

from .cues import Prefiltered, sentences_holding
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
# One pattern per marker, scanned only over the sentences holding one of its words.
_PATTERNS = tuple((name, Prefiltered(re.compile(p)), why) for name, p, why in _MARKERS)


def uncertainty(body: str, spans: list[tuple[int, int]]) -> list[tuple[Signal, ...]]:
    """The uncertainty markers of each span (sentence)."""
    out: list[list[Signal]] = [[] for _ in spans]
    lowered = body.lower()
    if len(lowered) != len(body):
        lowered = body  # a few letters lengthen when lower-cased; anchors then see the body
    starts = [s for s, _ in spans]
    for name, pat, why in _PATTERNS:
        for k in sentences_holding(lowered, pat.anchors, spans, starts):
            for m in pat.pattern.finditer(body, *spans[k]):
                cue = m.group()
                out[k].append(
                    Signal(
                        _KIND.get(name, "hedge"),
                        cue,
                        m.start(),
                        m.end(),
                        f"uncertain: '{cue}' ({why})",
                    )
                )
    for signals in out:
        signals.sort(key=lambda s: s.start)
    return [tuple(x) for x in out]
