"""Claim memory's API shapes: earlier reviews of a claim, and the two actions on them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from services.contracts import ReviewStatus
from verify.memory.service import EarlierReview
from verify.stories.schemas import AttributionOut, RequestBody

# A claim id as verify makes them ("c_" and hex): nothing else is one.
ClaimId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class ApplyIn(RequestBody):
    from_claim_id: ClaimId = Field(description="The earlier review to apply (a claim id)")


class NotSameIn(RequestBody):
    claim_id: ClaimId = Field(description="The suggested claim that is not the same claim")


class EarlierReviewOut(BaseModel):
    claim_id: str
    story_id: str
    headline: str | None
    text: str
    status: ReviewStatus
    attributions: list[AttributionOut]
    reviewed_by: str | None
    reviewed_at: datetime | None
    note: str | None
    score: float = Field(description="How close the two statements are, 0..1")

    @classmethod
    def of(cls, found: EarlierReview) -> EarlierReviewOut:
        claim = found.claim
        return cls(
            claim_id=claim.claim_id,
            story_id=claim.story_id,
            headline=found.headline,
            text=claim.text,
            status=ReviewStatus(claim.status),
            attributions=[AttributionOut.of(a) for a in claim.attributions],
            reviewed_by=claim.reviewed_by,
            reviewed_at=claim.reviewed_at,
            note=claim.note,
            score=found.comparison.score,
        )


class EarlierReviewsOut(BaseModel):
    claim_id: str
    items: list[EarlierReviewOut]
