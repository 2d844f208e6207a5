"""The stories and claims API's request and response models.

Requests refuse unknown fields and wrong types (strict); enums take their string values.
Text a person types follows the text policy (services/text.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.contracts import (
    AnonymousApproval,
    DetectedAttributionOut,
    ObtainedVia,
    ReviewStatus,
    SignalOut,
    SourceKind,
    StoryReviewed,
)
from services.text import Line200, Lines2000, Lines5000, PlainLines, PlainText, WebUrl
from verify.stories.records import AttributionRecord, ClaimRecord, detected_out, signal_out

Status = Annotated[ReviewStatus, Field(strict=False)]
Kind = Annotated[SourceKind, Field(strict=False)]
Via = Annotated[ObtainedVia, Field(strict=False)]
Offset = Annotated[int, Field(ge=0)]
ClaimId = Annotated[str, Field(min_length=1, max_length=64)]


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class AttributionIn(RequestBody):
    attribution_id: str | None = Field(None, max_length=64, description="Keep a stored record")
    source_name: PlainText = Field(min_length=1, max_length=200)
    source_kind: Kind
    obtained_via: Via
    affiliation: Line200 | None = None
    url: WebUrl | None = Field(None, max_length=2000, description="http or https only")
    quote: Lines2000 | None = None
    start: Offset | None = Field(None, description="Where the body attributes the claim")
    end: Offset | None = None


class ReviewIn(RequestBody):
    status: Status
    attributions: list[AttributionIn] | None = Field(
        None, max_length=20, description="The claim's attribution records (replaces them)"
    )
    note: Lines2000 | None = None


class LeaseIn(RequestBody):
    lease_seconds: int | None = Field(None, ge=1, le=3600)


class DismissIn(RequestBody):
    reason: PlainLines = Field(min_length=1, max_length=1000)


class ApprovalIn(RequestBody):
    reason: PlainLines = Field(min_length=1, max_length=1000)


class AddClaimIn(RequestBody):
    start: Offset | None = None
    end: Offset | None = None
    text: Lines5000 | None = None


class SplitIn(RequestBody):
    at: list[Offset] = Field(min_length=1, max_length=20, description="Body offsets to cut at")


class MergeIn(RequestBody):
    claim_ids: list[ClaimId] = Field(min_length=2, max_length=20)


# --- responses ---------------------------------------------------------------------------


class AttributionOut(BaseModel):
    attribution_id: str
    source_name: str
    source_kind: SourceKind
    obtained_via: ObtainedVia
    affiliation: str | None = None
    url: str | None = None
    quote: str | None = None
    start: int | None = None
    end: int | None = None
    approval: AnonymousApproval | None = None
    needs_approval: bool = Field(description="Anonymous and not yet approved by an editor")

    @classmethod
    def of(cls, record: AttributionRecord) -> AttributionOut:
        return cls.model_validate({**record.as_dict(), "needs_approval": record.needs_approval})


class AttributionDraft(BaseModel):
    """A record prefilled from what detection (or the reporter) found; confirm it to keep it."""

    source_name: str
    source_kind: SourceKind | None
    obtained_via: ObtainedVia | None
    affiliation: str | None = None
    url: str | None = None
    quote: str | None = None
    start: int | None
    end: int | None
    cue: str | None
    found_by: Literal["detection", "reporter"]


class Lease(BaseModel):
    holder: str
    until: datetime


class ClaimOut(BaseModel):
    claim_id: str
    story_id: str
    revision: int
    section: str
    text: str
    start: int
    end: int
    contested: bool
    contest_signals: list[SignalOut]
    # Stated as less than fact: hedges (below) or a hedge or conditional contest signal.
    uncertain: bool
    hedges: list[SignalOut]
    # The headline's claim: start, end and the context are offsets in the headline.
    in_headline: bool
    status: ReviewStatus
    version: int
    detected_attributions: list[DetectedAttributionOut]
    attributions: list[AttributionOut]
    context_start: int
    context_end: int
    origin: str
    holder: str | None
    lease: Lease | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    note: str | None
    checkable_reasons: list[str]
    declared_sources: list[str]
    open: bool
    closed_reason: str | None
    queued_at: datetime
    created_at: datetime
    updated_at: datetime
    suggested_attributions: list[AttributionDraft] | None = None

    @classmethod
    def of(
        cls, claim: ClaimRecord, now: datetime, suggested: list[AttributionDraft] | None = None
    ) -> ClaimOut:
        holder = claim.holder_at(now)
        lease = (
            Lease(holder=holder, until=claim.lease_until) if holder and claim.lease_until else None
        )
        return cls(
            claim_id=claim.claim_id,
            story_id=claim.story_id,
            revision=claim.revision,
            section=claim.section,
            text=claim.text,
            start=claim.start,
            end=claim.end,
            contested=claim.contested,
            contest_signals=[signal_out(s) for s in claim.contest_signals],
            uncertain=claim.uncertain,
            hedges=[signal_out(s) for s in claim.hedges],
            in_headline=claim.headline,
            status=ReviewStatus(claim.status),
            version=claim.version,
            detected_attributions=[detected_out(a) for a in claim.detected_attributions],
            attributions=[AttributionOut.of(a) for a in claim.attributions],
            context_start=claim.context_start,
            context_end=claim.context_end,
            origin=claim.origin,
            holder=holder,
            lease=lease,
            reviewed_by=claim.reviewed_by,
            reviewed_at=claim.reviewed_at,
            note=claim.note,
            checkable_reasons=claim.checkable_reasons,
            declared_sources=claim.declared_sources,
            open=claim.open,
            closed_reason=claim.closed_reason,
            queued_at=claim.queued_at,
            created_at=claim.created_at,
            updated_at=claim.updated_at,
            suggested_attributions=suggested,
        )


class SplitOut(BaseModel):
    closed: ClaimOut
    claims: list[ClaimOut]


class MergeOut(BaseModel):
    closed: list[ClaimOut]
    claim: ClaimOut


class Actor(BaseModel):
    user_id: str
    name: str
    role: str


class HistoryEntry(BaseModel):
    seq: int
    at: datetime
    actor: Actor
    action: str
    detail: str
    version: int
    before: dict[str, Any]
    after: dict[str, Any]


class History(BaseModel):
    claim_id: str
    entries: list[HistoryEntry]


class SnapshotPageOut(BaseModel):
    """Pages of exactly the ``StoryReviewed`` event."""

    items: list[StoryReviewed]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


class StoryVersionOut(BaseModel):
    story_id: str
    version: int
    updated_at: datetime


class VersionPageOut(BaseModel):
    """What changed, without the snapshots: publish's catch-up reads only the stories whose
    version it does not have (``GET /v1/stories/{story_id}``)."""

    items: list[StoryVersionOut]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")
