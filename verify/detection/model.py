"""Result types of claim detection: plain frozen dataclasses, safe to share and to serialise."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

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


class _Result:
    """Pickled as a constructor call: verify's pool sends results to its consumer, and
    mypyc's compiled classes would otherwise unpickle by setting frozen attributes."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (type(self), tuple(getattr(self, f.name) for f in fields(self)))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Signal(_Result):
    """Why a claim is contested: the words that made the decision and where they are."""

    kind: str
    cue: str
    start: int
    end: int
    detail: str


@dataclass(frozen=True)
class DetectedAttribution(_Result):
    """Who the text says a claim comes from; start/end cover the source, cue_* the cue."""

    source: str
    source_kind: str
    cue: str
    start: int
    end: int
    cue_start: int
    cue_end: int
    # The role or affiliation in apposition to the name ("the firm's lawyer, X"): DESIGN's
    # Attribution keeps it with its source, not as a source of its own.
    role: str = ""


@dataclass(frozen=True)
class DetectedClaim(_Result):
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
    # Words that state the claim as possible, expected, estimated or conditional ("may
    # cut", "expects", "if"): they mark it uncertain, and (DESIGN: a claim the text only
    # hedges is contested) each is also among its contest signals.
    hedges: tuple[Signal, ...] = ()
    # The claim is a headline's: its offsets are in the headline, not the body
    # (detect_headline), or in a heading line of the body (detect_claims).
    headline: bool = False

    @property
    def uncertain(self) -> bool:
        """Stated as less than fact: hedged, conditional, or contested by a hedge."""
        return bool(self.hedges) or any(
            s.kind in {"hedge", "conditional"} for s in self.contest_signals
        )
