"""Is a sentence a checkable claim? Keep events, figures, actions of named actors and
reported speech; drop headings, captions, questions, opinion, scene-setting and
"declined to comment" lines. POS-free: verb lexicons, names, digits and cue words.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from functools import lru_cache
from itertools import compress, count

from . import lexicon as lx
from .anchors import anchors_of
from .segment import IS_CAP, IS_WORD, LOWER, Token, indices_of

# A year among a sentence's words joined by spaces (no token holds a space): one search
# in C instead of a match per token. Digits lower-case to themselves.
_YEAR_WORD = re.compile(r"(?<!\S)(?:1[89]|20)\d\d(?!\S)")
_CALENDAR = lx.WEEKDAYS | lx.MONTHS
_EVENTS = lx.EVENT_VERBS | lx.IRREGULAR_FINITE
_QUOTE_CHARS = frozenset('"“”')
_DUMMY_IT = ("it is", "it was", "it's", "it’s", "this is", "that is")
_DUMMY_IT_EXTRA = re.compile(r"\b(?:the\s+kind\s+of|hard\s+to|time\s+to|difficult\s+to\s+see)\b")
# "It is believed that ...", "It was reported that ...": an impersonal hedge carries a
# claim (the same words after it, ", it is believed", never hid one); "that" may be
# dropped ("It is understood the club has ..."), and some copy also writes
# "it is learnt" / "it is gathered" for what an unnamed source told the paper
_IMPERSONAL = re.compile(
    r"^it\s+(?:is|was|has\s+been|had\s+been)\s+(?:widely\s+|also\s+|now\s+)?(?:believed|"
    r"thought|reported|understood|rumou?red|alleged|claimed|feared|said|expected|estimated|"
    r"suspected|known|assumed|suggested|learnt|learned|gathered)\s+(?:that\b|(?:the|a|an|"
    r"his|her|their|its)\s)"
)

_RELAYED = re.compile(
    r"\b(?:we\s+are|we['’]re|we\s+have\s+been|we\s+had\s+been)\s+(?:hearing|receiving|"
    r"getting|seeing)\s+(?:\w+\s+)?reports\s+(?:that|of)\b"
)
_FUNCTION_WORDS = lx.DETERMINERS | lx.STOPWORDS
_NORMATIVE = frozenset({"should", "ought"})


_NEVER, _ALWAYS, _UNLESS_DETERMINER = 0, 1, 2  # _NEVER false: compress() passes those over


@lru_cache(maxsize=16384)
def _finite_kind(w: str) -> int:
    """Whether a lower-case word is a finite verb: always, never, or ('-ed') unless a
    determiner comes before it. Cached by word: a sentence asks for each of its words."""
    if w in lx.AUXILIARIES or w in lx.IRREGULAR_FINITE or w in lx.PRESENT_FINITE:
        return _ALWAYS
    if w in lx.REPORTING_VERBS and not w.endswith("ing"):
        return _ALWAYS
    # "-ed" after a determiner is an adjective ("the revised forecast")
    return _UNLESS_DETERMINER if w.endswith("ed") and len(w) > 4 else _NEVER


def _any_finite(tokens: list[Token], *, past: bool = False) -> bool:
    """Does any token read as a finite verb (not capitalised, and _finite_kind says so)?
    past: only words in "-ed". Each word's kind is cached, and the words that can be
    none are passed over in C."""
    for k in compress(count(), map(_finite_kind, map(LOWER, tokens))):
        t = tokens[k]
        if t.is_cap or (past and not t.lower.endswith("ed")):
            continue
        after_determiner = k > 0 and tokens[k - 1].lower in lx.DETERMINERS
        if _finite_kind(t.lower) == _ALWAYS or not after_determiner:
            return True
    return False


# A superlative with a scope is a record claim: "the deadliest ... in more than a decade".
_NOT_SUPERLATIVE = (
    "interest|request|protest|arrest|contest|suggest|harvest|forest|honest|modest|west|"
    "test|rest|chest|guest|quest|nest|pest|vest|crest|manifest|conquest|inquest"
)
_RECORD = re.compile(
    r"\bthe\s+(?:(?!(?:" + _NOT_SUPERLATIVE + r")\b)\w+est|worst|most\s+\w+)\b[^.;]{0,60}?"
    r"\b(?:in\s+(?:more\s+than\s+)?(?:a|\d+|\w+)\s+(?:decades?|years?|centur(?:y|ies))|"
    r"since\s+\d{4}|on\s+record|ever)\b"
)
# Every match of _RECORD holds one of these: most sentences hold none, and are not scanned.
_RECORD_ANCHORS = anchors_of(_RECORD)
# After these a word in -s is a verb, not a plural noun: "the port handles about 40".
_VERB_OBJECT_OPENERS = frozenset({"about", "more", "nearly", "almost", "around", "over", "up"})


def _present_by_position(tokens: list[Token], k: int) -> bool:
    """'The port handles about 40 percent': a lower-case word in -s after a noun and
    before a determiner or a number is a present-tense verb."""
    if k == 0 or k + 1 >= len(tokens):
        return False
    t, prev, nxt = tokens[k], tokens[k - 1], tokens[k + 1]
    w = t.lower
    if t.is_cap or len(w) < 4 or not w.endswith("s") or w.endswith(("ss", "us", "is")):
        return False
    noun_before = prev.is_word and prev.lower not in _FUNCTION_WORDS
    object_after = (
        nxt.lower in lx.DETERMINERS or nxt.lower in _VERB_OBJECT_OPENERS or nxt.text[:1].isdigit()
    )
    return noun_before and object_after and not prev.text[:1].isdigit()


def _after_name(tokens: list[Token], known: frozenset[str]) -> list[Token]:
    """'Acme pays its staff ...': a word in -s right after a name the story uses as one."""
    tokens = [t for t in tokens if t.text not in _QUOTE_CHARS]
    if len(tokens) < 3 or not tokens[0].is_cap or tokens[0].lower not in known:
        return []
    t = tokens[1]
    w = t.lower
    if t.is_cap or not t.is_word or len(w) < 4 or not w.endswith("s"):
        return []
    return [] if w.endswith(("ss", "us", "is")) or w in lx.SOURCE_HEADS else [t]


def _first_clause(tokens: list[Token]) -> list[Token]:
    """Up to the first comma, semicolon or "but": "X said it was aware of the study but
    that the drug was not approved and doctors should not ..." states a fact before its
    advice."""
    out: list[Token] = []
    for t in tokens:
        if (t.text in {",", ";"} or t.lower == "but") and len(out) > 2:
            break
        if t.text not in _QUOTE_CHARS:
            out.append(t)
    return out


# Plans with a date: "plans to hold", "is due to", "will hold", "scheduled for"
_PLAN = re.compile(
    r"\b(?:plans?|planned|intends?|is\s+due|are\s+due|will|would)\s+to\b"
    r"|\b(?:scheduled|set)\s+(?:for|to)\b|\bwill\s+(?:hold|meet|stage|begin|vote)\b"
)


def _outside_quotes(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    inside = False
    for t in tokens:
        if t.text in _QUOTE_CHARS:
            inside = not inside
            continue
        if not inside:
            out.append(t)
    return out


def has_number(tokens: list[Token], lowers: AbstractSet[str] | None = None) -> bool:
    """A digit, a currency sign or a number word; lowers: the tokens' lower-case words,
    if the caller has them."""
    if any(t.text[:1].isdigit() or t.text[:1] in "$£€" for t in tokens):
        return True
    if lowers is None:
        lowers = frozenset(t.lower for t in tokens)
    return not lowers.isdisjoint(lx.NUMBER_WORDS)


_ASCII_DIGIT = re.compile(r"[0-9]")


def _has_digits(text: str) -> bool:
    # test the sentence's text in C, and only look character by character
    # (str.isdigit knows other scripts' digits) past ASCII
    if _ASCII_DIGIT.search(text):
        return True
    return not text.isascii() and any(c.isdigit() for c in text)


def _has_name(tokens: list[Token], known: frozenset[str] = frozenset()) -> bool:
    words = list(filter(IS_WORD, tokens))
    for k in compress(count(), map(IS_CAP, words)):  # only capitalised words can be names
        t = words[k]
        if t.lower in lx.TIME_WORDS:
            continue
        if k > 0 or (len(words) > 1 and words[1].is_cap):
            return True
        if t.lower in known:
            return True  # a sentence-initial name the story also writes mid-sentence
    return False


def checkable_reasons(
    body: str,
    tokens: list[Token],
    *,
    heading: bool,
    attributed: bool,
    contest_cue: bool = False,
    known_names: frozenset[str] = frozenset(),
    hedged: bool = False,
) -> tuple[str, ...]:
    """Why the sentence is a checkable claim; empty when it is not one. hedged: the
    sentence gives what it states as possible, likely, believed or not yet known, which
    makes it an uncertain claim rather than the writer's speculation."""
    if heading or not tokens or sum(map(IS_WORD, tokens)) < 4:
        return ()
    text = body[tokens[0].start : tokens[-1].end]
    lower = text.lower()
    if text.rstrip("\"'”’) ").endswith("?"):
        return ()  # a question asks, it does not state
    has_verb = (
        _any_finite(tokens)
        or any(_present_by_position(tokens, k) for k in range(len(tokens)))
        or bool(_after_name(tokens, known_names))
    )
    if not has_verb:
        return ()  # no finite verb: a fragment, title or caption
    all_lower: set[str] = set(map(LOWER, tokens))
    digits = _has_digits(text)
    # a number is a digit or a currency sign opening a token, or a number word
    if digits or any(c in text for c in "$£€"):
        number = has_number(tokens, all_lower)
    else:
        number = not all_lower.isdisjoint(lx.NUMBER_WORDS)
    # "X declined to comment": a fact of reporting, not a claim to check
    for phrase in lx.NO_COMMENT_PHRASES:
        at = lower.find(phrase)
        if at >= 0 and len(lower[:at].split()) <= 5:
            return ()
    quoted = any(map(text.__contains__, _QUOTE_CHARS))
    outside = _outside_quotes(tokens) if quoted else tokens
    # "in May": the month, written with a capital mid-sentence, is no modal
    if "May" in text:
        outside_lower = {t.lower for k, t in enumerate(outside) if not (k and t.text == "May")}
    else:
        outside_lower = set(map(LOWER, outside))
    # the writer's own voice: first person outside quotes; but a live blog's "we are
    # hearing reports that ..." relays a claim (cues.py gives it as a vague source)
    if not attributed and outside_lower & lx.FIRST_PERSON and not _RELAYED.search(lower):
        return ()
    # evaluation ("a sad day", "a fantastic professional") with nothing to count; a source's
    # reported clause ("X said that ... and that it was shameful") still states something
    reported_clause = attributed and "that" in outside_lower
    if all_lower & lx.OPINION_WORDS and not number and not reported_clause:
        return ()
    # normative "should" / "ought to": a recommendation, not a fact; a source's statement
    # before it ("The study has not been reviewed, and nobody should ...") still counts
    if not digits and not all_lower.isdisjoint(_NORMATIVE):  # few sentences hold either
        normative = {t.lower for t in _first_clause(tokens)} if attributed else all_lower
        if normative & _NORMATIVE:
            return ()
    # speculation in the writer's voice: "would once again show", "will leave a mark"
    impersonal = bool(_IMPERSONAL.match(lower))
    speculative = outside_lower & (lx.OPINION_MODALS | {"will", "may"})
    if not attributed and not number and speculative and not impersonal and not hedged:
        return ()
    # "It is hard to see ...", "It is the kind of ...": commentary
    record = any(map(lower.__contains__, _RECORD_ANCHORS)) and bool(_RECORD.search(lower))
    dummy_it = (
        lower.startswith(_DUMMY_IT)
        and not attributed
        and not number
        and not record
        and not impersonal
        and not hedged
    )
    if dummy_it and (_DUMMY_IT_EXTRA.search(lower) or not _has_name(tokens[2:])):
        return ()
    # atmosphere with nothing to verify
    if not attributed and not digits and all_lower & lx.SCENE_WORDS:
        return ()
    reasons: list[str] = []
    if attributed:
        reasons.append("reported_speech")
    if number:
        reasons.append("number")
    # a weekday or month by its capital, or a year (which needs a digit)
    calendar = not all_lower.isdisjoint(_CALENDAR) and any(
        tokens[k].is_cap for k in indices_of(tokens, _CALENDAR)
    )
    if calendar or (digits and _YEAR_WORD.search(" ".join(all_lower))):
        reasons.append("date")
    if _has_name(tokens, known_names):
        reasons.append("named_actor_action")
    if not all_lower.isdisjoint(_EVENTS) or _any_finite(tokens, past=True):
        reasons.append("event")  # something happened: a past action or a known event verb
    if record:
        reasons.append("record")  # "the deadliest since 2009": a superlative one can check
    if contest_cue:
        reasons.append("contested_statement")  # hedged or disputed: the desk must look
    if reasons == ["date"] and _PLAN.search(lower):
        reasons.append("plan")  # "plans to hold a vigil on Sunday": a schedule one can check
    if hedged and not reasons:
        reasons.append("hedged")  # "The tunnel might have flooded": a claim, uncertain
    if reasons == ["date"]:
        return ()  # a date alone ("on a Sunday morning") is scene, not a fact
    return tuple(reasons)
