"""Contest signals found inside one sentence: cue phrases plus what its sources reveal."""

from __future__ import annotations

import re

from .anchors import Occurrences
from .cues import CUES, DETAIL_PREFIX, plan_clause
from .lexicon import COMBATANT_WORDS, NUMBER_WORDS, PERSON_HEADS, SUCCESS_VERBS, word_set
from .model import DetectedAttribution, Signal
from .phrases import personish
from .secondary import social_channel
from .segment import Token

_QUOTE_CHARS = frozenset('"“”')
# "was not carrying anything", "never received any warning": the source says it is not so
_NOT_ANY = re.compile(
    r"\b(?:not|never)\s+(?:[\w'’-]+\s+){0,3}?(?:anything|anyone|anybody)\b"
    # "no such letter had ever reached us": never, said the long way
    r"|\b(?:no|not|nobody|nothing|none)\s+(?:[\w'’-]+\s+){0,4}?ever\b"
)
# "we have never seen so many": an experience put strongly, not a denial
_NEVER_SEEN = re.compile(
    r"\bnever\s+(?:\w+\s+)?(?:seen|known|experienced|witnessed|heard\s+of)\s+"
    r"(?:anything|so\s+many|so\s+much|such|one\s+like|a\s+\w+\s+like)\b"
)
_INDEFINITE = word_set("a an one") | NUMBER_WORDS
_PHRASE_BREAK = word_set("of at for from in on with who that which")
# a spokesman speaks for a body by office: unnamed, but not a witness
_OFFICE_HEADS = word_set("spokesman spokeswoman spokesperson representative")


def _detail(kind: str, cue: str, why: str) -> str:
    return f"{DETAIL_PREFIX[kind]} '{cue}' ({why})"


# The words cue_signals looks for before it runs a cue's pattern over a sentence.
ANCHORS = tuple(a for cue in CUES for a in cue.anchors)


def cue_signals(
    body: str, spans: list[tuple[int, int]], holding: Occurrences
) -> list[list[Signal]]:
    """Contest cues of each span (sentence), found in one pass per pattern over the body;
    ``holding`` says which sentences hold which of ANCHORS.

    A cue inside a longer accepted one is dropped; a match across two sentences is ignored.
    """
    found: list[list[tuple[int, int, str, str]]] = [[] for _ in spans]
    lowered = body.lower()
    # The pattern for lower-cased text runs about twice as fast; but lower() lengthens a
    # few non-ASCII letters, and then its positions are not the body's.
    same = len(lowered) == len(body)
    text = lowered if same else body
    for cue in CUES:
        pattern = cue.lower if same else cue.pattern
        # only the sentences that hold one of the cue's words are scanned
        for k in holding.holding(cue.anchors):
            for m in pattern.finditer(text, *spans[k]):
                if m.end() > m.start():
                    found[k].append((m.start(), m.end(), cue.kind, cue.why))
    out: list[list[Signal]] = []
    for matches in found:
        if not matches:
            out.append([])  # most sentences hold no cue
            continue
        matches.sort(key=lambda m: (m[0] - m[1], m[0]))
        kept: list[tuple[int, int, str, str]] = []
        for hit in matches:
            if not any(k0 <= hit[0] and hit[1] <= k1 for k0, k1, _, _ in kept):
                kept.append(hit)
        kept.sort()
        out.append(
            [
                Signal(kind, body[s:e], s, e, _detail(kind, body[s:e], why))
                for s, e, kind, why in kept
            ]
        )
    return out


def _conditional(tokens: list[Token], k: int) -> bool:
    """Is token k inside an if/unless clause (back to the last comma or clause edge)?"""
    for t in reversed(tokens[:k]):
        if t.text in {",", ";"}:
            return False
        if t.lower in {"if", "unless", "whether"}:
            return True
    return False


def _inside_quotes(tokens: list[Token], k: int) -> bool:
    return sum(1 for t in tokens[:k] if t.text in _QUOTE_CHARS) % 2 == 1


def _unnamed_witness(a: DetectedAttribution) -> bool:
    """'three fishermen', 'a nurse at the hospital', 'two residents': people the story
    does not name, so a reader cannot weigh or check them."""
    if a.source_kind not in {"person", "unknown"}:
        return False
    words = a.source.split()
    if len(words) < 2 or not (words[0].lower() in _INDEFINITE or words[0][:1].isdigit()):
        return False
    core: list[str] = []
    for w in words[1:]:
        if w.lower() in _PHRASE_BREAK:
            break
        core.append(w)
    head = core[-1].lower() if core else ""
    return (
        bool(core)
        and not any(w[:1].isupper() for w in core)
        and head not in _OFFICE_HEADS
        and (head in PERSON_HEADS or personish(head))
    )


# People whose account is what they saw: bare plurals that name nobody ("Survivors said").
_EYEWITNESSES = word_set(
    "witnesses eyewitnesses survivors residents villagers passengers neighbours neighbors "
    "bystanders onlookers locals"
)


# Plural groups nobody can trace to one voice: "Aid workers say", "Supermarkets in the
# area said", "Hundreds of residents have reported", "Analysts said".
_CROWDS = _EYEWITNESSES | word_set(
    "workers analysts experts economists observers spectators shoppers shopkeepers shops "
    "supermarkets traders retailers businesses farmers fishermen families parents people "
    "users commuters motorists travellers customers members groups activists campaigners critics"
)
_CROWD_LEAD = word_set("some many several numerous hundreds thousands dozens scores most")
_CROWD_LEAD_OF = _CROWD_LEAD | {"of"}
_CROWD_BREAK = word_set("in of at from near across around on who , in the")


def _unnamed_eyewitnesses(a: DetectedAttribution) -> bool:
    words = a.source.split()
    if a.source_kind == "person" and bool(words) and words[0].lower() in _EYEWITNESSES:
        # "Residents Ana Ruiz and Tom Reed said": the names follow the group noun, so the
        # story says who they are ("Residents of Leeds" still names nobody)
        return len(words) == 1 or not words[1][:1].isupper()
    return _crowd(a)


def _crowd(a: DetectedAttribution) -> bool:
    """A bare plural group with no name in it: 'Aid workers', 'Hundreds of residents in
    the suburbs', 'Supermarkets in the area'."""
    if a.source_kind not in {"person", "organisation", "unknown"}:
        return False
    words = a.source.split()
    if not words or any(w[:1].isupper() for w in words[1:]):
        return False
    low = [w.lower() for w in words]
    k = 0
    while k < len(low) and low[k] in _CROWD_LEAD_OF:
        k += 1
    core: list[str] = []
    for w in low[k:]:
        if w in _CROWD_BREAK:
            break
        core.append(w)
    if not core or len(core) > 2:
        return False
    return core[-1] in _CROWDS


def _named_only_online(
    body: str, tokens: list[Token], own: list[DetectedAttribution]
) -> Signal | None:
    """The only channel is a social-media post: the newsroom has not had it confirmed."""
    span = social_channel(tokens)
    if span is None or any(a.source_kind == "media" for a in own):
        return None
    if plan_clause(body[span[1] : tokens[-1].end]):
        return None  # "wrote on X that it would release the files": a stated plan
    cue = body[span[0] : span[1]]
    return Signal(
        "hedge",
        cue,
        span[0],
        span[1],
        f"hedged with '{cue}' (said only in a social-media post, not confirmed to the newsroom)",
    )


def _never_seen(body: str, tokens: list[Token]) -> bool:
    if not tokens:
        return False
    low = body[tokens[0].start : tokens[-1].end].lower()
    return "never" in low and bool(_NEVER_SEEN.search(low))  # the pattern needs "never"


def source_signals(
    body: str,
    tokens: list[Token],
    attributions: list[DetectedAttribution],
    cues: list[Signal],
    *,
    quoted: bool = False,
) -> list[Signal]:
    """Signals that come from who is speaking rather than from a cue phrase.

    quoted: the sentence continues the quote of the sentence before, whose sources it has.
    """
    out: list[Signal] = []
    kinds = {s.kind for s in cues}
    own = [a for a in attributions if quoted or (tokens and tokens[0].start <= a.cue_start)]
    for a in own:
        words = a.source.lower().split()
        if a.source_kind == "anonymous" and "anonymous_source" not in kinds:
            out.append(
                Signal(
                    "anonymous_source",
                    a.source,
                    a.start,
                    a.end,
                    f"unnamed source '{a.source}': a reader cannot weigh who said it",
                )
            )
            kinds.add("anonymous_source")
        if words and words[0] == "reports" and "vague_source" not in kinds:
            out.append(
                Signal(
                    "vague_source",
                    a.source,
                    a.start,
                    a.end,
                    f"vague source '{a.source}': no outlet is named",
                )
            )
            kinds.add("vague_source")
    witness = next((a for a in own if _unnamed_witness(a)), None)
    if witness is not None and "anonymous_source" not in kinds:
        out.append(
            Signal(
                "anonymous_source",
                witness.source,
                witness.start,
                witness.end,
                f"unnamed source '{witness.source}': the story does not say who they are",
            )
        )
        kinds.add("anonymous_source")
    crowd = next((a for a in own if _unnamed_eyewitnesses(a)), None)
    if crowd is not None and "vague_source" not in kinds:
        out.append(
            Signal(
                "vague_source",
                crowd.source,
                crowd.start,
                crowd.end,
                f"vague source '{crowd.source}': witnesses the story does not name",
            )
        )
        kinds.add("vague_source")
    online = _named_only_online(body, tokens, own) if own else None
    if online is not None:
        out.append(online)
    # a party to the fighting reporting its own battlefield success is self-serving
    fighters = [a for a in own if set(a.source.lower().split()) & COMBATANT_WORDS]
    if fighters and "denial" not in kinds:
        for t in tokens:
            if t.lower in SUCCESS_VERBS:
                out.append(
                    Signal(
                        "allegation",
                        t.text,
                        t.start,
                        t.end,
                        f"claimed by a party to the fighting ('{fighters[0].source}' says "
                        f"'{t.text}'); not independently confirmed",
                    )
                )
                break
    # a flat "never" in what a source says is a denial of what others allege
    if own and "denial" not in kinds and not _never_seen(body, tokens):
        first_cue = min(a.cue_start for a in own)
        after = max(first_cue, tokens[0].start) if tokens else first_cue
        end = tokens[-1].end if tokens else after
        low = body[after:end].lower()
        # every alternative of the pattern holds "no" or "never": most sentences hold neither
        m = _NOT_ANY.search(low) if "no" in low or "never" in low else None
        if m is not None:
            s0, s1 = after + m.start(), after + m.end()
            out.append(
                Signal(
                    "denial",
                    body[s0:s1],
                    s0,
                    s1,
                    f"denied: the source says '{body[s0:s1]}'",
                )
            )
            return out
        whole = body[tokens[0].start : tokens[-1].end].lower() if tokens else ""
        for k, t in enumerate(tokens if "never" in whole else ()):
            if t.lower == "never" and _conditional(tokens, k):
                continue  # "if the concerns were never written down": a supposition
            if t.lower == "never" and (t.start > first_cue or _inside_quotes(tokens, k)):
                out.append(
                    Signal(
                        "denial",
                        t.text,
                        t.start,
                        t.end,
                        "denied: the source says it 'never' happened",
                    )
                )
                break
    return out
