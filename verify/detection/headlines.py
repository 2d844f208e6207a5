"""Headlines: a heading line read as the claim it often is, in headline grammar.

Headlines drop articles and auxiliaries, put the present for the past ("Fire kills 3"),
"to" for the future ("Acme to cut jobs"), often set every word in capitals, and name
their source in conventions of their own: after a dash or colon ("Acme to close plant
-- report", "Three dead in crash: police"), before a colon ("Police: three dead"), or
a hedge with no auxiliary ("Acme said to weigh sale"). A question asks whether a claim
holds. Captions, credits and bylines are no claims.
"""

from __future__ import annotations

import re

from . import lexicon as lx
from .model import Signal
from .raw import RawAttribution
from .segment import Token

# Lines that label a picture or a writer, or point elsewhere: never a claim.
_NOT_HEADLINE = re.compile(
    r"^(?:photo|picture|image|video|caption|credit|file\s+photo|watch|listen|read\s+more|"
    r"related|see\s+also|updated?|advertisement|pictured|by\s+[A-Z])\b",
    re.IGNORECASE,
)
_BYLINE = re.compile(r"^By\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*\s*(?:,|\band\b|$)")
# Words a source named after a dash or colon ends with: "-- report", ": police".
_SOURCE_ENDS = lx.SOURCE_HEADS | lx.word_set("says say said claims reports report sources")
_VAGUE = lx.word_set("report reports media sources source rumours rumors familiar insiders")
# Sources a headline does not name: "sources", "people familiar", "insiders".
_UNNAMED = lx.word_set("sources source familiar insiders insider")
_SEPARATORS = frozenset({"--", "—", "–", "-", ":"})
# A label before the colon says what kind of item follows, not who says it: "Live: ...",
# "Correction: ...", "Analysis: ...".
_KICKERS = lx.word_set(
    "live correction corrections clarification breaking exclusive analysis explainer "
    "opinion comment editorial factbox timeline obituary interview profile recap"
)
# Present forms of headline verbs not in the finite lists: "slides", "faces", "kills".
_TO_VERB = re.compile(r"\bto\s+[a-z]+")


def is_byline(text: str) -> bool:
    return bool(_BYLINE.match(text))


def analysable(text: str) -> bool:
    """A heading line that can state a claim: not a caption, credit, byline or pointer."""
    return len(text.split()) >= 3 and not _NOT_HEADLINE.match(text) and not is_byline(text)


def title_case(tokens: list[Token]) -> bool:
    """Most longer words capitalised: capitals say nothing about names here."""
    words = [t for t in tokens if t.is_word and len(t.text) > 3]
    return len(words) >= 3 and sum(t.is_cap for t in words) >= 0.6 * len(words)


def plain_tokens(tokens: list[Token]) -> list[Token]:
    """A title-case headline's tokens with capitals read as lower case, so verbs and
    source words are seen ("Police Say Fire Was Arson"); acronyms keep theirs."""
    return [
        t._replace(is_cap=k == 0 or (t.text.isupper() and len(t.text) > 1))
        for k, t in enumerate(tokens)
    ]


def _phrase_ok(words: list[Token]) -> bool:
    text_words = [t for t in words if t.is_word]
    return 1 <= len(text_words) <= 4 and (
        text_words[-1].lower in _SOURCE_ENDS or all(t.is_cap for t in text_words)
    )


def _raw(words: list[Token], kind: str, cue: Token) -> RawAttribution:
    return RawAttribution(words[0].start, words[-1].end, kind, cue.text, cue.start, cue.end)


def _kind(words: list[Token]) -> str:
    last = words[-1].lower
    if last in {"report", "reports", "media"}:
        return "media"
    if last in _UNNAMED:
        return "anonymous"
    if last in lx.PERSON_HEADS:
        return "person"
    return "organisation" if last in lx.ORG_HEADS or words[-1].is_cap else "unknown"


_HEAD_VERBS = lx.word_set(
    "says say said claims claim denies deny insists insist warns warn blames blame admits "
    "admit accuses accuse rejects reject disputes dispute urges urge report reports"
)
_EDGES = lx.word_set("; , : -- — – as after but and while") | {"while"}


def bare_subjects(tokens: list[Token]) -> list[RawAttribution]:
    """'airport says radar saw nothing': a headline drops the article, so a bare noun
    of one to three words before a reporting verb is its subject."""
    out: list[RawAttribution] = []
    for v, t in enumerate(tokens):
        if t.lower not in _HEAD_VERBS or v == 0:
            continue
        k = v
        while k > 0 and tokens[k - 1].lower not in _EDGES and v - k < 4:
            k -= 1
        words = tokens[k:v]
        if not words or len(words) > 3 or (k > 0 and tokens[k - 1].lower not in _EDGES):
            continue
        if any(not w.is_word or (w.lower in lx.AUXILIARIES | lx.DETERMINERS) for w in words):
            continue
        out.append(_raw(words, _kind(words), t))
    return out


_SAY = lx.word_set("say says said")


def _said_last(tokens: list[Token]) -> list[RawAttribution]:
    """'..., say people familiar', '..., says minister': the verb before its source at
    the end, after a comma."""
    commas = [k for k, t in enumerate(tokens) if t.text == ","]
    if not commas or commas[-1] < 2:
        return []
    tail = tokens[commas[-1] + 1 :]
    words = tail[1:]
    if not tail or tail[0].lower not in _SAY or not 1 <= len(words) <= 4:
        return []
    if not all(w.is_word for w in words):
        return []
    return [_raw(words, _kind(words), tail[0])]


def edge_sources(tokens: list[Token]) -> list[RawAttribution]:
    """'... -- report', '...: media reports', 'Police: ...', '..., say officials': the
    source at the edge."""
    seps = [k for k, t in enumerate(tokens) if t.text in _SEPARATORS]
    out: list[RawAttribution] = []
    if not seps:
        return _said_last(tokens)
    last = seps[-1]
    tail = [t for t in tokens[last + 1 :] if t.text not in {"'", "’"}]
    # "report" alone, "media reports", "police", "Acme says"
    if tail and _phrase_ok(tail) and last > 2:
        words = [t for t in tail if t.lower not in {"says", "say", "said"}] or tail
        out.append(_raw(words, _kind(words), tokens[last]))
        return out
    first = seps[0]
    head = tokens[:first]
    kicker = len(head) == 1 and head[0].lower in _KICKERS
    colon = tokens[first].text == ":" and first + 2 < len(tokens)
    if colon and head and not kicker and _phrase_ok(head):
        out.append(_raw(head, _kind(head), tokens[first]))
    return out


def headline_signals(
    text: str, start: int, tokens: list[Token], sources: list[RawAttribution]
) -> list[Signal]:
    """What makes a headline only report a claim: a question, 'said to' with no
    auxiliary, or a source that is only 'a report' or 'sources'."""
    out: list[Signal] = []
    if text.rstrip("\"'”’ ").endswith("?"):
        out.append(
            Signal("hedge", text, start, start + len(text), "the headline asks whether it is so")
        )
    for k, t in enumerate(tokens[:-1]):
        prev = tokens[k - 1].lower if k else ""
        if t.lower == "said" and tokens[k + 1].lower == "to" and prev not in lx.AUXILIARIES:
            out.append(
                Signal(
                    "hedge",
                    f"{t.text} {tokens[k + 1].text}",
                    t.start,
                    tokens[k + 1].end,
                    f"hedged with '{t.text} to' (a headline's 'is said to')",
                )
            )
    for k, t in enumerate(tokens):
        # "Officials fear toll will rise": a headline drops the "that" hedges.py looks for
        if t.lower in _BELIEF and k and tokens[k - 1].lower not in lx.DETERMINERS:
            out.append(
                Signal("hedge", t.text, t.start, t.end, f"hedged with '{t.text}' (a belief)")
            )
    halves = [t.start for t in tokens if t.text == ";"]
    if halves:
        # "A says X; B says Y": two accounts set against each other
        cut = halves[0]
        # ("X happens; Y says Z" answers the first half just as often)
        if any(a.cue_start > cut for a in sources):
            out.append(
                Signal(
                    "conflicting_sources",
                    text,
                    start,
                    start + len(text),
                    "the headline sets two accounts against each other",
                )
            )
    for a in sources:
        words = text[a.start - start : a.end - start].lower().split()
        if words and words[-1] in _VAGUE:
            cue = text[a.start - start : a.end - start]
            kind = "anonymous_source" if words[-1] in _UNNAMED else "vague_source"
            out.append(
                Signal(kind, cue, a.start, a.end, f"vague source '{cue}': no outlet is named")
            )
    return out


def has_verb(tokens: list[Token]) -> bool:
    """A finite verb in headline grammar: a known verb, a word in -s or -ed after the
    first word, or 'to' with a verb."""
    for k, t in enumerate(tokens):
        if not t.is_word or (t.is_cap and k > 0):
            continue
        w = t.lower
        if (
            w in lx.AUXILIARIES
            or w in lx.IRREGULAR_FINITE
            or w in lx.PRESENT_FINITE
            or w in lx.REPORTING_VERBS
            or w in lx.EVENT_VERBS
        ):
            return True
        if k > 0 and len(w) > 3 and w.endswith(("s", "ed")) and not w.endswith(("ss", "us", "is")):
            return True
        if w == "to" and k > 0 and k + 1 < len(tokens) and tokens[k + 1].is_word:
            return True
    return False


_BELIEF = lx.word_set("fear fears feared believe believes suspect suspects")
# A verdict, a product recall or a court throwing a case out: acts, not reports, though
# their verbs also report speech ("finds that", "recalls that", "dismisses claims").
_VERDICT = lx.word_set("guilty liable innocent responsible negligent")
_CASES = lx.word_set("lawsuit lawsuits suit suits case cases charges appeal appeals petition")


def acts(tokens: list[Token], sources: list[RawAttribution]) -> list[RawAttribution]:
    """The sources whose verb is an act in headline grammar: 'Jury finds X guilty',
    'Carmaker recalls 50,000 vans', 'Judge dismisses lawsuit'."""
    out: list[RawAttribution] = []
    for a in sources:
        k = next((k for k, t in enumerate(tokens) if t.start == a.cue_start), None)
        if k is None:
            continue
        cue, after = tokens[k].lower, tokens[k + 1 : k + 5]
        verdict = cue.startswith("f") and any(t.lower in _VERDICT for t in after)
        recall = cue.startswith("recall") and bool(after) and after[0].text[:1].isdigit()
        thrown_out = cue.startswith("dismiss") and any(t.lower in _CASES for t in after[:2])
        if verdict or recall or thrown_out:
            out.append(a)
    return out
