"""The claims of one revision: what detection found, merged with what the reporter declared.

A declared claim is located in the body, analysed with ``analyse_span``, flagged
contested when the reporter said so (a ``reporter_flag`` signal: every decision carries
the signal that made it), and replaces any detected claim its span overlaps. A
headline that reports a claim (``detect_headline``: "... -- report", "X said to ...")
is a claim too, first; its offsets are in the headline (``found.headline``), never
compared with the body's.
Detection's other fields (``hedges``, ``headline``) travel with every candidate.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple, Protocol

from verify.detection import DetectedClaim, Signal, analyse_span, detect_claims, detect_headline

# This module is what the consumer's detection pool imports (``analyse_report``): it
# imports detection alone, not the service (``services``: pydantic, settings, contracts),
# so each worker process holds only what detection needs (tests/verify/test_pool_imports.py).


def lower_priority(niceness: int) -> None:
    """A detection worker's initializer: run at ``niceness`` more than its parent, so a
    long body's detection takes the CPU ordinary stories' work leaves (``verify.consumer``,
    ``LONG_BODY``)."""
    os.nice(niceness)


REPORTER_FLAG = "reporter_flag"
REVIEWER_FLAG = "reviewer"


@dataclass(frozen=True)
class Candidate:
    """A claim of the new revision before it is matched with the previous one's claims."""

    found: DetectedClaim
    origin: str  # "declared" | "detected" | "reviewer"
    declared_sources: tuple[str, ...] = ()

    @property
    def start(self) -> int:
        return self.found.start

    @property
    def end(self) -> int:
        return self.found.end

    @property
    def in_headline(self) -> bool:
        return self.found.headline


def order(candidate: Candidate) -> tuple[bool, int, int]:
    """The headline's claim first, then the body's in body order."""
    return (not candidate.in_headline, candidate.start, candidate.end)


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def flagged(found: DetectedClaim, kind: str, detail: str) -> DetectedClaim:
    """``found`` marked contested by a person, with the signal that says who did."""
    signal = Signal(kind=kind, cue=found.text[:80], start=found.start, end=found.end, detail=detail)
    signals = (*(s for s in found.contest_signals if s.kind != kind), signal)
    return _with_signals(found, signals)


def unflagged(found: DetectedClaim, kind: str) -> DetectedClaim:
    return _with_signals(found, tuple(s for s in found.contest_signals if s.kind != kind))


def _with_signals(found: DetectedClaim, signals: tuple[Signal, ...]) -> DetectedClaim:
    # replace() keeps every other field (hedges, headline) as detection set it.
    return replace(found, contested=bool(signals), contest_signals=signals)


def _locate(body: str, text: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The first place ``text`` occurs verbatim in ``body`` that no other declared claim took."""
    at = body.find(text)
    while at >= 0:
        span = (at, at + len(text))
        if not any(overlaps(*span, *other) for other in taken):
            return span
        at = body.find(text, at + 1)
    return None


class DeclaredLike(Protocol):
    """A claim the reporter declared (``services.contracts.DeclaredClaim``, or the plain
    :class:`Declared` the consumer sends to its pool)."""

    @property
    def text(self) -> str: ...
    @property
    def contested(self) -> bool: ...
    @property
    def sources(self) -> Sequence[str]: ...


class Declared(NamedTuple):
    """A declared claim as plain values: what the pool's workers unpickle without
    importing the contracts."""

    text: str
    contested: bool = False
    sources: tuple[str, ...] = ()

    @classmethod
    def of(cls, claim: DeclaredLike) -> Declared:
        return cls(claim.text, bool(claim.contested), tuple(claim.sources or ()))


class NotInBody(Exception):
    """A declared claim the body does not contain (ingest checks it): the report is
    invalid, whatever retrying does."""

    reason = "declared_claim_not_in_body"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def reports_a_claim(found: DetectedClaim) -> bool:
    """A headline that only reports or hedges a claim ("... -- report", "X said to ...",
    "Police: ..."): one that asserts is restated by the body, whose claims are checked."""
    return bool(found.detected_attributions) or found.contested or found.uncertain


def candidates_for(
    body: str, declared: Sequence[DeclaredLike], headline: str = ""
) -> list[Candidate]:
    """The revision's claims: the headline's, then the body's in body order (declared ones
    first, detected ones around them)."""
    chosen: list[Candidate] = []
    found_in_headline = detect_headline(headline) if headline else None
    if found_in_headline is not None and reports_a_claim(found_in_headline):
        chosen.append(Candidate(found_in_headline, "detected"))
    taken: list[tuple[int, int]] = []
    for claim in declared:
        text = claim.text.strip()
        span = _locate(body, text, taken) if text else None
        if span is None:
            # Ingest checks this; a report that fails it cannot be made right by retrying.
            raise NotInBody(f"declared claim {claim.text[:80]!r} is not in body")
        found = analyse_span(body, *span)
        if claim.contested:
            found = flagged(found, REPORTER_FLAG, "the reporter flagged this claim as contested")
        taken.append((found.start, found.end))
        chosen.append(Candidate(found, "declared", tuple(claim.sources)))
    for found in detect_claims(body):
        if not any(overlaps(found.start, found.end, *span) for span in taken):
            chosen.append(Candidate(found, "detected"))
    return sorted(chosen, key=order)


def within_limit(candidates: list[Candidate], limit: int) -> tuple[list[Candidate], int]:
    """At most ``limit`` claims: every declared one, then detected ones in body order.
    Returns them in body order with how many detected claims were left out."""
    if len(candidates) <= limit:
        return candidates, 0
    declared = [c for c in candidates if c.origin == "declared"]
    detected = [c for c in candidates if c.origin != "declared"]
    kept = declared + detected[: max(0, limit - len(declared))]
    return sorted(kept, key=order), len(candidates) - len(kept)


@dataclass(frozen=True)
class Analysis:
    """A report's claims within the limit, and how many detected ones were left out
    (``claims_over_limit``, stored on the revision and the story for reviewers)."""

    candidates: list[Candidate]
    over: int = 0


# What the consumer's process pool sends back for a report: its analysis, or why not.
Analysed = Analysis | tuple[str, str, str]


def analyse_report(
    body: str, declared: Sequence[DeclaredLike], max_claims: int, headline: str = ""
) -> Analysed:
    """A report's claims (at most ``max_claims``: ``max_claims_per_revision``, with the body
    limit what bounds the work and the snapshot of one story), in a worker process of the
    consumer's pool. A failure comes back as ("invalid" | "failed", reason, detail):
    exceptions with their own constructors do not always survive pickling."""
    try:
        candidates, over = within_limit(candidates_for(body, declared, headline), max_claims)
    except NotInBody as exc:
        return ("invalid", exc.reason, exc.detail)
    except Exception as exc:  # a bug in detection: the consumer retries, then DLQs
        return ("failed", type(exc).__name__, str(exc)[:500])
    return Analysis(candidates, over)
