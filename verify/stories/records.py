"""A story's records, typed: the story, a revision, a claim with its contest signals,
detected attributions and the reviewers' attribution records, one change of a claim
(``ClaimWrite``); their stored form (plain dicts, :mod:`.repository`); building claim
records from detection results and moving them between revisions. Pure: no FastAPI, Kafka
or store driver here.
"""

from __future__ import annotations

import dataclasses
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.contracts import DetectedAttributionOut, ReviewStatus, SignalOut, SourceKind
from verify.common import Actor, normalise
from verify.detection import DetectedAttribution, DetectedClaim, Signal
from verify.stories.analysis import REVIEWER_FLAG, flagged

# A contest signal and a detected attribution are detection's own records
# (``verify.detection.Signal``, ``DetectedAttribution``), stored as they are.
__all__ = ["DetectedAttribution", "Signal"]


@dataclass(frozen=True)
class Approval:
    """An editor's recorded approval of an anonymous source."""

    approved_by: str
    reason: str
    at: datetime


@dataclass(frozen=True)
class AttributionRecord:
    """Where a reviewer recorded that a claim comes from."""

    attribution_id: str
    source_name: str
    source_kind: str
    obtained_via: str
    affiliation: str | None = None
    url: str | None = None
    quote: str | None = None
    # Where the body attributes the claim; None once the text there is gone.
    start: int | None = None
    end: int | None = None
    approval: Approval | None = None

    @property
    def needs_approval(self) -> bool:
        return self.source_kind == SourceKind.ANONYMOUS.value and self.approval is None

    def as_dict(self) -> dict[str, Any]:
        """The stored form (also what the audit shows), keys in this order. By hand:
        ``dataclasses.asdict`` deep-copies, and a revision converts thousands of these."""
        approval = self.approval
        return {
            "attribution_id": self.attribution_id,
            "source_name": self.source_name,
            "source_kind": self.source_kind,
            "obtained_via": self.obtained_via,
            "affiliation": self.affiliation,
            "url": self.url,
            "quote": self.quote,
            "start": self.start,
            "end": self.end,
            "approval": {"approved_by": approval.approved_by, "reason": approval.reason,
                         "at": approval.at} if approval else None,
        }  # fmt: skip

    @classmethod
    def of(cls, stored: dict[str, Any]) -> AttributionRecord:
        values: dict[str, Any] = {f.name: stored.get(f.name) for f in dataclasses.fields(cls)}
        approval = values["approval"]
        values["approval"] = Approval(**approval) if approval else None
        return cls(**values)


def signal_dict(signal: Signal) -> dict[str, Any]:
    """A contest signal's stored form (as ``dataclasses.asdict``, without its deep copy)."""
    return {
        "kind": signal.kind,
        "cue": signal.cue,
        "start": signal.start,
        "end": signal.end,
        "detail": signal.detail,
    }


def detected_dict(found: DetectedAttribution) -> dict[str, Any]:
    """A detected attribution's stored form."""
    return {
        "source": found.source,
        "source_kind": found.source_kind,
        "cue": found.cue,
        "start": found.start,
        "end": found.end,
        "cue_start": found.cue_start,
        "cue_end": found.cue_end,
        "role": found.role,
    }


def signal_of(stored: dict[str, Any]) -> Signal:
    return Signal(
        kind=stored["kind"],
        cue=stored["cue"],
        start=stored["start"],
        end=stored["end"],
        detail=stored.get("detail", ""),
    )


def detected_of(stored: dict[str, Any]) -> DetectedAttribution:
    """A stored detected attribution (one stored before the cue's span was kept has the
    source's span for it)."""
    return DetectedAttribution(
        source=stored["source"],
        source_kind=stored.get("source_kind", "unknown"),
        cue=stored["cue"],
        start=stored["start"],
        end=stored["end"],
        cue_start=stored.get("cue_start", stored["start"]),
        cue_end=stored.get("cue_end", stored["end"]),
        role=stored.get("role", ""),
    )


def signal_out(signal: Signal) -> SignalOut:
    """A contest signal as the API and the snapshot show it."""
    return SignalOut(
        kind=signal.kind, cue=signal.cue, start=signal.start, end=signal.end, detail=signal.detail
    )


def detected_out(found: DetectedAttribution) -> DetectedAttributionOut:
    """A detected attribution as the API and the snapshot show it (the record carries the
    cue's span too)."""
    return DetectedAttributionOut(
        source=found.source,
        source_kind=found.source_kind,
        cue=found.cue,
        start=found.start,
        end=found.end,
        role=found.role,
    )


@dataclass(frozen=True)
class StoryRecord:
    story_id: str
    version: int
    revision: int
    report_id: str
    reporter_id: str
    byline: str
    headline: str
    body: str
    section: str
    publish_when_cleared: bool
    updated_at: datetime
    claims_over_limit: int = 0
    # Rule 0 (``verify.stories.signoff``): the revision whose claim list a reviewer
    # confirmed (or that kept a confirmation), the sentences that confirmation covered
    # (``verify.signoff.coverage`` keys) and those of the current revision it does not.
    claims_confirmed_revision: int | None = None
    checked_sentences: tuple[str, ...] = ()
    sentences_to_check: int = 0
    # The revision's BCP 47 tag; None from a report sent before reports had one (the
    # newsroom's default, resolved where the story is shown).
    language: str | None = None


@dataclass(frozen=True)
class RevisionRecord:
    story_id: str
    revision: int
    report_id: str
    reporter_id: str
    byline: str
    headline: str
    body: str
    section: str
    publish_when_cleared: bool
    accepted_at: datetime
    received_at: datetime
    claims: int
    superseded: bool
    claims_over_limit: int = 0
    # As the revision was received: sentences no confirmation covered, and the story's
    # confirmed revision then (this one when it changed no confirmed sentence).
    sentences_to_check: int = 0
    claims_confirmed_revision: int | None = None
    language: str | None = None


@dataclass(frozen=True)
class Confirmation:
    """A reviewer's confirmation of a revision's claim list (rule 0), as audited."""

    revision: int
    version: int  # the story's version the confirmation made
    at: datetime
    actor: dict[str, str]
    sentences: int
    uncovered: int  # sentences inside no claim, seen and left as they were
    checked_before: int  # sentences an earlier confirmation covered


@dataclass(frozen=True)
class ClaimRecord:
    claim_id: str
    story_id: str
    revision: int
    section: str
    text: str
    norm: str
    start: int
    end: int
    context_start: int
    context_end: int
    contested: bool
    contest_signals: list[Signal]
    detected_attributions: list[DetectedAttribution]
    checkable_reasons: list[str]
    declared_sources: list[str]
    origin: str
    status: str
    attributions: list[AttributionRecord]
    version: int
    open: bool
    queued_at: datetime
    created_at: datetime
    updated_at: datetime
    closed_reason: str | None = None
    lease_holder_id: str | None = None
    lease_holder: str | None = None
    lease_until: datetime | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    note: str | None = None
    # The claim is the headline's: its offsets (and context) are in the story's headline.
    headline: bool = False
    # Detection's words of uncertainty ("may", "expects", "if"): uncertain; each is also a
    # contest signal (a claim the text only hedges is contested).
    hedges: list[Signal] = field(default_factory=list)

    @property
    def uncertain(self) -> bool:
        return bool(self.hedges) or any(
            s.kind in {"hedge", "conditional"} for s in self.contest_signals
        )

    def holder_at(self, now: datetime) -> str | None:
        """The lease holder's name while the lease runs; an expired lease is free."""
        if self.lease_holder and self.lease_until is not None and self.lease_until > now:
            return self.lease_holder
        return None

    def held_by_other(self, user_id: str, now: datetime) -> bool:
        return self.holder_at(now) is not None and self.lease_holder_id != user_id


@dataclass(frozen=True)
class ClaimWrite:
    """One change of one claim. ``before`` None inserts ``after`` as a new claim.

    The update applies only while the stored claim still has ``before.version`` and, with
    ``lease_for`` set, is unleased, leased out of time, or leased by that user.
    """

    after: ClaimRecord
    before: ClaimRecord | None
    action: str
    detail: str = ""
    lease_for: str | None = None
    # The write records the lease ``after`` holds, which ``leases.take`` set before the
    # transaction: it applies only while the stored lease is still exactly that one (a
    # give-back or another take meanwhile makes it stale).
    lease_taken: bool = False
    # The write ends the lease ``before`` holds (its holder was revoked): it applies only
    # while the stored lease is still exactly that one. "Unleased or that user's" would
    # let a second ender (the other replica's pass, or a contender) end it again, audited
    # twice, once it was already free.
    lease_held: bool = False
    extra_audit: dict[str, Any] = field(default_factory=dict)
    # Who made it, when not the actor of the whole list (stories stored together).
    by: Actor | None = None


class StaleClaim(Exception):
    """A conditional write found the claim changed, closed or leased by another."""

    def __init__(self, claim_id: str) -> None:
        super().__init__(claim_id)
        self.claim_id = claim_id


REVIEWER_FLAG_DETAIL = "a reviewer marked this claim contested"


_last_ns = 0
_ids = threading.Lock()


def new_claim_id() -> str:
    """Ids that sort in creation order (the queue's tie-break: a story's claims in body order)."""
    global _last_ns
    with _ids:
        _last_ns = max(time.time_ns(), _last_ns + 1)
        stamp = _last_ns
    return f"c_{stamp:016x}{uuid.uuid4().hex[:8]}"


def new_attribution_id() -> str:
    return f"a_{uuid.uuid4().hex[:16]}"


def _analysis(found: DetectedClaim) -> dict[str, Any]:
    return {
        "text": found.text,
        "norm": normalise(found.text),
        "start": found.start,
        "end": found.end,
        "context_start": found.context_start,
        "context_end": found.context_end,
        "contested": found.contested,
        "contest_signals": list(found.contest_signals),
        "detected_attributions": list(found.detected_attributions),
        "checkable_reasons": list(found.checkable_reasons),
        "headline": found.headline,
        "hedges": list(found.hedges),
    }


def new_claim(
    found: DetectedClaim,
    *,
    story_id: str,
    revision: int,
    section: str,
    origin: str,
    now: datetime,
    declared_sources: tuple[str, ...] | list[str] = (),
    attributions: list[AttributionRecord] | None = None,
) -> ClaimRecord:
    return ClaimRecord(
        claim_id=new_claim_id(),
        story_id=story_id,
        revision=revision,
        section=section,
        declared_sources=list(declared_sources),
        origin=origin,
        status=ReviewStatus.PENDING.value,
        attributions=attributions or [],
        version=1,
        open=True,
        queued_at=now,
        created_at=now,
        updated_at=now,
        **_analysis(found),
    )


def moved(
    claim: ClaimRecord,
    found: DetectedClaim,
    *,
    revision: int,
    section: str,
    origin: str,
    old_body: str,
    new_body: str,
    keep_review: bool,
    now: datetime,
) -> ClaimRecord:
    """``claim`` placed where ``found`` is in the new revision.

    Kept, it keeps its status and attributions (their text spans follow the text); changed,
    it goes back to pending and to the end of the queue.
    """
    contested_by_reviewer = claim.status == ReviewStatus.CONTESTED.value
    if keep_review and contested_by_reviewer:
        found = flagged(found, REVIEWER_FLAG, REVIEWER_FLAG_DETAIL)
    shift = found.start - claim.start
    values: dict[str, Any] = {
        **_analysis(found),
        "revision": revision,
        "section": section,
        "origin": origin,
        "attributions": [reanchor(a, old_body, new_body, shift) for a in claim.attributions],
        "version": claim.version + 1,
        "updated_at": now,
    }
    if not keep_review:
        # Back in the queue, free: a lease taken on the old wording is not a claim on the
        # new one, and the gate must not name its holder as the one to act.
        values.update(
            status=ReviewStatus.PENDING.value,
            reviewed_by=None,
            reviewed_at=None,
            queued_at=now,
            lease_holder_id=None,
            lease_holder=None,
            lease_until=None,
        )
    return dataclasses.replace(claim, **values)


def closed(claim: ClaimRecord, reason: str, now: datetime) -> ClaimRecord:
    return dataclasses.replace(
        claim,
        open=False,
        closed_reason=reason,
        lease_holder_id=None,
        lease_holder=None,
        lease_until=None,
        version=claim.version + 1,
        updated_at=now,
    )


def reanchor(
    attribution: AttributionRecord, old_body: str, new_body: str, shift: int
) -> AttributionRecord:
    """An attribution's text span in the new body: shifted with its claim, else found again
    nearby, else dropped (the record stays; only its pointer into the text goes)."""
    start, end = attribution.start, attribution.end
    if start is None or end is None:
        return attribution
    text = old_body[start:end]
    if text and new_body[start + shift : end + shift] == text:
        return dataclasses.replace(attribution, start=start + shift, end=end + shift)
    places = []
    at = new_body.find(text) if text else -1
    while at >= 0:
        places.append(at)
        at = new_body.find(text, at + 1)
    if places:
        best = min(places, key=lambda p: abs(p - (start + shift)))
        return dataclasses.replace(attribution, start=best, end=best + len(text))
    return dataclasses.replace(attribution, start=None, end=None)
