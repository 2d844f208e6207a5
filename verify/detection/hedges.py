"""Uncertainty markers: words that state a claim as possible, expected, estimated or
conditional rather than as fact.

They mark a claim uncertain, so a reader or reviewer can tell a prediction from a
report, and (DESIGN: a claim the text only hedges is contested) the detector also gives
each as a contest signal of the claim. Contest hedges ("reportedly",
"appears to", "is said to") live in cues.py. One combined pattern, one pass per body.
"""

from __future__ import annotations

import re

from . import lexicon as lx
from .anchors import Occurrences, Prefiltered
from .model import Signal

# Verbs a prediction takes after "would"/"could": what would be the case, not a plan.
_PREDICTED = (
    r"be|have|lead|cause|mean|affect|cost|result|remain|need|require|allow|prevent|harm|"
    r"hurt|damage|fail|become|stay|depend|help|change|increase|reduce|rise|fall|lose|win|"
    r"take|reach|face|threaten|trigger|push|drive|force|leave|save|create|destroy|spread|"
    r"collapse|worsen|improve|delay|slow|boost|cut|double|halve|exceed|top|kill|put"
)
# Words before the noun "forecast" that name a forecast rather than make one.
_NAMING_A_FORECAST = lx.word_set(
    "the its their his her our an a this that earlier revised next latest new previous "
    "official annual own weather cuts cut raises raised lowers lowered"
)
_MARKERS: tuple[tuple[str, str, str], ...] = (
    (
        "modal",
        # "may"/"might" with any verb ("may cut"), "could" with a verb of outcome;
        # "May" the month is written with a capital, so the lower-case form is a modal
        r"\b(?:may|might)\s+(?:not\s+|also\s+|well\s+|still\s+|even\s+|soon\s+|yet\s+)?[a-z]+"
        # "would (not) cost": a prediction; "could" is read below, where "could not
        # reach the village" is what somebody was unable to do, a fact (but "could not
        # be ruled out" leaves the matter open)
        r"|\bwould\s+(?:not\s+|also\s+|eventually\s+|ultimately\s+|even\s+|"
        r"soon\s+|still\s+)?(?:" + _PREDICTED + r")\b"
        r"|\b(?:could|can)(?:\s+not|not)\s+be\s+ruled\s+out\b"
        # "could sail", "could reach": what may happen; not what somebody could or could
        # not do or perceive ("could see smoke", "could not say")
        r"|\bcould\s+(?:also\s+|soon\s+|still\s+|even\s+|eventually\s+)?(?!(?:not|never|"
        r"no|only|barely|hardly|see|hear|feel|smell|tell|say|do|be\s+(?:seen|heard|reached))\b)"
        r"[a-z]+",
        "a modal of possibility or prediction",
    ),
    (
        "expectation",
        r"\b(?:[Ee]xpects?|[Ee]xpecting|[Aa]nticipat(?:es?|ed|ing)|[Pp]redict(?:s|ed|ing)?|"
        # not "its revised forecast", "cuts forecast": a forecast named, not one made
        + "".join(f"(?<!{w} )" for w in sorted(_NAMING_A_FORECAST))
        + r"[Ff]orecasts?|[Ff]orecast(?:ed|ing)|[Ff]ores(?:ees?|aw|een)|[Pp]roject(?:ed|ing|ions?)|"
        # not "the estimate was revised": an estimate named, not one made
        r"(?<!the )(?<!The )(?<!an )(?<!this )(?<!that )[Ee]stimat(?:es?|ed|ing))\b"
        r"|\b[Pp]rojects?\s+(?:a|an|that)\b"
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
        "belief",
        # "Detectives believe ...", "Farmers fear ...": the claim as somebody's belief;
        # not "the suspect", "believe in", "fears for"
        r"\b(?:[Bb]elieves?|[Bb]elieved)\b(?!\s+in\b)"
        r"|(?<!the )(?<!a )\b[Ss]uspect(?:s|ed)?\s+(?:that|the|a|an|it|he|she|they|his|her|"
        r"their|its|foul)\b"
        r"|\b(?:[Ff]ears?\s+(?:that|the|a|an|it|he|she|they)|[Ff]eared)\b"
        r"|\b(?:signs|indications?)\s+that\b",
        "a belief, suspicion or sign, not an established fact",
    ),
    (
        "conditional",
        r"\b(?:[Ii]f|[Uu]nless|[Pp]rovided\s+that|[Ss]hould\s+(?:the|it|they)\b)\b",
        "a condition the claim depends on",
    ),
    (
        "question",
        r"\b(?:[Ww]hether|[Ii]t\s+(?:is|was|remains)\s+(?:unclear|not\s+clear|not\s+known|"
        r"unknown))\b"
        # what nobody knows yet: "not immediately clear", "has not yet been established",
        # "have yet to determine", "remains to be seen"
        r"|\bnot\s+(?:yet\s+|immediately\s+|entirely\s+|still\s+)?(?:clear|known|certain)\b"
        r"|\b(?:unclear|uncertain)\b|\bremains?\s+to\s+be\s+seen\b"
        r"|\b(?:has|have|had)\s+(?:yet\s+to\s+(?:be\s+)?|not\s+(?:yet\s+)?been\s+)"
        r"(?:determine|establish|confirm|identif|explain|know)[a-z]*",
        "an open question, not an answer",
    ),
)
_KIND = {"conditional": "conditional"}
# One pattern per marker, scanned only over the sentences holding one of its words.
_PATTERNS = tuple((name, Prefiltered(re.compile(p)), why) for name, p, why in _MARKERS)
# The words uncertainty looks for before it runs a marker's pattern over a sentence.
ANCHORS = tuple(a for _, pat, _ in _PATTERNS for a in pat.anchors)


# Words that open the noun phrase a noun "forecast"/"estimate" heads ("its full-year
# sales forecast", "the office's estimate"), and words that follow the noun, not the verb
# ("forecast on Thursday", "estimate was"): the verb takes a clause or an object instead.
_NOUN_OPENERS = lx.word_set("the a an its their his her our this that these those")
_NOUN_FOLLOWERS = lx.word_set(
    "is was are were has had of for on in at from by and but , . ; : ) "
    "remains stood stands showed shows"
)
_NOUN_PHRASE = re.compile(r"(?:^|\s)([\w'’-]+)((?:\s+[\w'’-]+){0,2})\s*$")
_NEXT_WORD = re.compile(r"\s*([\w'’]+|[,.;:)])")
# "smaller than we feared", "worse than many had expected": the outcome measured
# against a fear or an expectation, which is a fact, not a hedge
_THAN_BEFORE = re.compile(r"\bthan\s+(?:[\w'’]+\s+){0,3}$", re.IGNORECASE)
# "Asked whether he had the votes": the question put to the source, not a doubt
_ASKED_BEFORE = re.compile(r"\b(?:asked|asking|asks|ask)\s+(?:[\w'’]+\s+){0,2}$", re.IGNORECASE)
# "If convicted, she faces up to 20 years": the law's maximum penalty, a fact
_ON_CONVICTION = re.compile(r"\s*(?:convicted|found\s+guilty)\b", re.IGNORECASE)
_MAXIMUM = re.compile(
    r"\bfac(?:es?|ing)\s+(?:a\s+)?(?:up\s+to|maximum|as\s+(?:many|much)\s+as|"
    r"life|a\s+(?:possible\s+)?(?:prison|jail)\s+(?:term|sentence))\b",
    re.IGNORECASE,
)
_CONVICTION_CLAUSE = re.compile(r"\bif\s+(?:convicted|found\s+guilty)\b", re.IGNORECASE)
_ESTIMATE_NOUNS = lx.word_set("forecast forecasts estimate estimates")
_BELIEF_WORDS = lx.word_set("feared fear fears expected anticipated predicted forecast hoped")


def _named_estimate(body: str, start: int, end: int, cue: str, span: tuple[int, int]) -> bool:
    """'its full-year sales forecast on Thursday', 'The office's estimate was $198bn':
    the noun names a forecast or estimate (made before, reported now); it makes none."""
    if cue.lower() not in _ESTIMATE_NOUNS:
        return False
    before = _NOUN_PHRASE.search(body, max(span[0], start - 60), start)
    if before is None:
        return False
    words = [before.group(1), *before.group(2).split()]
    # the phrase opens with a determiner or a possessive within three words
    opens = any(w.lower() in _NOUN_OPENERS or w.lower().endswith(("'s", "’s")) for w in words)
    nxt = _NEXT_WORD.match(body, end, span[1])
    follows = nxt is None or nxt.group(1).lower() in _NOUN_FOLLOWERS
    return opens and follows


def _not_uncertain(body: str, m: re.Match[str], name: str, span: tuple[int, int]) -> bool:
    """A marker's words that state no uncertainty here (see the patterns above)."""
    cue = m.group()
    low = cue.lower()
    if name == "expectation" and _named_estimate(body, m.start(), m.end(), cue, span):
        return True
    if low in _BELIEF_WORDS and _THAN_BEFORE.search(body, max(span[0], m.start() - 40), m.start()):
        return True
    if name == "question" and low == "whether":
        return bool(_ASKED_BEFORE.search(body, max(span[0], m.start() - 30), m.start()))
    if name == "conditional" and low == "if" and _ON_CONVICTION.match(body, m.end(), span[1]):
        return bool(_MAXIMUM.search(body, m.end(), span[1]))
    if name == "modal" and low.endswith(" face") and _MAXIMUM.search(body, m.start(), span[1]):
        return bool(_CONVICTION_CLAUSE.search(body, *span))  # "could face up to 10 years"
    return False


def uncertainty(
    body: str, spans: list[tuple[int, int]], holding: Occurrences
) -> list[tuple[Signal, ...]]:
    """The uncertainty markers of each span (sentence); ``holding`` says which sentences
    hold which of ANCHORS."""
    out: list[list[Signal]] = [[] for _ in spans]
    for name, pat, why in _PATTERNS:
        for k in holding.holding(pat.anchors):
            for m in pat.pattern.finditer(body, *spans[k]):
                if _not_uncertain(body, m, name, spans[k]):
                    continue
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


# Contest hedges that give the claim as likely or passed on ("reportedly", "is said to",
# "appears to", "probably", "may have"), not the newsroom's note that it could not check
# one ("could not be verified") or talk of rumours.
_POSSIBILITY_CUE = re.compile(
    r"reportedly|allegedly|purportedly|supposedly|apparently|ostensibly|\b(?:said|believed|"
    r"thought|understood|suspected)\s+to\b|appear|seem|perhaps|probably|possibly|presumably|"
    r"maybe|\bhave$",
    re.IGNORECASE,
)
# A modal that is commentary more often than a claim: "would be a hard sell", "may not
# be over yet", "a pill that could prevent cancer".
_COMMENT_MODAL = re.compile(r"\bnot\b|\sbe$|^(?:would|could)\s+not\b", re.IGNORECASE)
_RELATIVE_BEFORE = re.compile(r"\b(?:that|which|who)\s+$", re.IGNORECASE)


def states_possibility(body: str, hedges: tuple[Signal, ...], cues: list[Signal]) -> bool:
    """Does the sentence give what it states as possible, likely, believed or not yet
    known? Such a sentence is an uncertain claim, not the writer's speculation."""
    for h in hedges:
        if h.kind != "hedge":
            continue
        if h.cue[:1].lower() in "mcw" and h.cue.split()[0].lower() in _MODALS:
            relative = _RELATIVE_BEFORE.search(body, max(0, h.start - 8), h.start)
            if _COMMENT_MODAL.search(h.cue) or relative:
                continue
        return True
    return any(c.kind == "hedge" and _POSSIBILITY_CUE.search(c.cue) for c in cues)


_MODALS = frozenset({"may", "might", "could", "would"})
