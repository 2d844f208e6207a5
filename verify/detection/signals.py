"""Contest signals found inside one sentence: cue phrases plus what its sources reveal."""

from __future__ import annotations

from bisect import bisect_right

from .cues import CUES, DETAIL_PREFIX
from .lexicon import COMBATANT_WORDS, SUCCESS_VERBS
from .model import DetectedAttribution, Signal
from .segment import Token

_QUOTE_CHARS = frozenset('"“”')


def _detail(kind: str, cue: str, why: str) -> str:
    return f"{DETAIL_PREFIX[kind]} '{cue}' ({why})"


def cue_signals(body: str, spans: list[tuple[int, int]]) -> list[list[Signal]]:
    """Contest cues of each span (sentence), found in one pass per pattern over the body.

    A cue inside a longer accepted one is dropped; a match across two sentences is ignored.
    """
    starts = [s for s, _ in spans]
    found: list[list[tuple[int, int, str, str]]] = [[] for _ in spans]
    lowered = body.lower()
    same_length = len(lowered) == len(body)  # lower() can lengthen a few non-ASCII letters
    for cue in CUES:
        hits = cue.lower.finditer(lowered) if same_length else cue.pattern.finditer(body)
        for m in hits:
            k = bisect_right(starts, m.start()) - 1
            if k >= 0 and m.end() <= spans[k][1] and m.end() > m.start():
                found[k].append((m.start(), m.end(), cue.kind, cue.why))
    out: list[list[Signal]] = []
    for matches in found:
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


def _inside_quotes(tokens: list[Token], k: int) -> bool:
    return sum(1 for t in tokens[:k] if t.text in _QUOTE_CHARS) % 2 == 1


def source_signals(
    body: str,
    tokens: list[Token],
    attributions: list[DetectedAttribution],
    cues: list[Signal],
) -> list[Signal]:
    """Signals that come from who is speaking rather than from a cue phrase."""
    out: list[Signal] = []
    kinds = {s.kind for s in cues}
    own = [a for a in attributions if tokens and tokens[0].start <= a.cue_start]
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
    if own and "denial" not in kinds:
        first_cue = min(a.cue_start for a in own)
        for k, t in enumerate(tokens):
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
