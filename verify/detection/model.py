"""Result types of claim detection: plain frozen dataclasses, safe to share and to serialise."""

from __future__ import annotations

from dataclasses import dataclass

# The kinds of contest signal, so callers can validate or group them.
SIGNAL_KINDS: tuple[str, ...] = (
    "denial",
    "hedge",
    "allegation",
    "anonymous_source",
    "vague_source",
    "conflicting_sources",
    "conditional",
)

SOURCE_KINDS: tuple[str, ...] = (
    "person",
    "organisation",
    "media",
    "document",
    "social_post",
    "anonymous",
    "unknown",
)


@dataclass(frozen=True)
class Signal:
    """Why a claim is contested: the words that made the decision and where they are."""

    kind: str
    cue: str
    start: int
    end: int
    detail: str


@dataclass(frozen=True)
class DetectedAttribution:
    """Who the text says a claim comes from; start/end cover the source, cue_* the cue."""

    source: str
    source_kind: str
    cue: str
    start: int
    end: int
    cue_start: int
    cue_end: int


@dataclass(frozen=True)
class DetectedClaim:
    """A checkable statement in the body; text == body[start:end]."""

    text: str
    start: int
    end: int
    contested: bool
    contest_signals: tuple[Signal, ...]
    detected_attributions: tuple[DetectedAttribution, ...]
    checkable_reasons: tuple[str, ...]
    context_start: int
    context_end: int
