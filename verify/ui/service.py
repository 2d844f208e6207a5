"""What the reviewers' console shows and does, over verify's own services.

The console's pages are views of the same records the JSON API serves; its forms call the
same service functions (lease, release, review, dismiss). Adding or removing an
attribution is a review that keeps the claim's status and note and changes its list of
records, as ``POST /v1/claims/{id}/review`` with ``attributions`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.contracts import ObtainedVia, ReviewStatus, SourceKind, StoryReviewed
from verify.common import Actor, StoryChanged
from verify.memory import service as memory
from verify.queue import service as queue
from verify.stories import review as claims
from verify.stories import snapshot as stories
from verify.stories.records import AttributionRecord, ClaimRecord
from verify.stories.schemas import AttributionDraft, AttributionIn, ReviewIn
from verify.ui import repository
from verify.ui.view import Paragraph, Row, history_rows, paragraphs

STATUSES = tuple(ReviewStatus)
DISMISS_REASON = "Not a checkable claim (marked in the reviewers' console)."


@dataclass(frozen=True)
class QueueView:
    status: ReviewStatus
    section: str | None
    contested: bool | None
    claims: list[ClaimRecord]
    headlines: dict[str, str]
    next_cursor: str | None
    counts: dict[str, int]
    marker: str


def queue_view(
    *,
    status: ReviewStatus,
    section: str | None,
    contested: bool | None,
    cursor: str | None,
    limit: int,
) -> QueueView:
    found = queue.page(
        status=status, section=section, contested=contested, limit=limit, cursor=cursor
    )
    return QueueView(
        status=status,
        section=section,
        contested=contested,
        claims=found.claims,
        headlines=found.headlines,
        next_cursor=found.next_cursor,
        counts=repository.open_counts(section, contested),
        marker=repository.change_marker(),
    )


def change_marker() -> str:
    return repository.change_marker()


@dataclass(frozen=True)
class ClaimView:
    claim: ClaimRecord
    story: StoryReviewed | None
    # The story's text cut at every mark, when the claim belongs to its current revision.
    paragraphs: list[Paragraph]
    suggestions: list[AttributionDraft]
    history: list[Row]
    siblings: list[Any]  # the story's open claims (ClaimSnapshot), in body order
    previous_id: str | None
    next_id: str | None
    holder: str | None
    mine: bool
    # Reviews of the same claim in other stories (claim memory), closest first.
    earlier: list[memory.EarlierReview] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return self.story is not None and self.story.revision == self.claim.revision


def claim_view(claim_id: str, user_id: str, now: datetime) -> ClaimView:
    claim = claims.get(claim_id)
    story = stories.current_snapshot(claim.story_id, now)
    siblings = sorted(story.claims, key=lambda c: (c.start, c.end)) if story else []
    ids = [c.claim_id for c in siblings]
    at = ids.index(claim_id) if claim_id in ids else -1
    current = story is not None and story.revision == claim.revision and claim.open
    holder = claim.holder_at(now)
    return ClaimView(
        claim=claim,
        story=story,
        paragraphs=paragraphs(story.body, claim, siblings) if story and current else [],
        suggestions=claims.suggested(claim) if current else [],
        history=history_rows(claims.history(claim_id)),
        siblings=siblings,
        previous_id=ids[at - 1] if at > 0 else None,
        next_id=ids[at + 1] if 0 <= at < len(ids) - 1 else None,
        holder=holder,
        mine=holder is not None and claim.lease_holder_id == user_id,
        earlier=memory.earlier_reviews(claim_id) if current else [],
    )


# --- changes -----------------------------------------------------------------------------


def mark(
    claim_id: str,
    status: ReviewStatus,
    note: str | None,
    version: int,
    actor: Actor,
    lease_seconds: int,
    now: datetime,
    notify: StoryChanged,
) -> ClaimRecord:
    """Set the claim's status (``not_a_claim`` dismisses it, with the note as reason)."""
    if status == ReviewStatus.NOT_A_CLAIM:
        reason = note or DISMISS_REASON
        return claims.dismiss(claim_id, reason, version, actor, lease_seconds, now, notify)
    given = ReviewIn(status=status, note=note)
    return claims.review(claim_id, given, version, actor, lease_seconds, now, notify)


def _kept(record: AttributionRecord) -> AttributionIn:
    return AttributionIn(
        attribution_id=record.attribution_id,
        source_name=record.source_name,
        source_kind=SourceKind(record.source_kind),
        obtained_via=ObtainedVia(record.obtained_via),
        affiliation=record.affiliation,
        url=record.url,
        quote=record.quote,
        start=record.start,
        end=record.end,
    )


def _with_records(
    claim: ClaimRecord,
    records: list[AttributionIn],
    version: int,
    actor: Actor,
    lease_seconds: int,
    now: datetime,
    notify: StoryChanged,
) -> ClaimRecord:
    given = ReviewIn(status=ReviewStatus(claim.status), attributions=records, note=claim.note)
    return claims.review(claim.claim_id, given, version, actor, lease_seconds, now, notify)


def add_attribution(
    claim_id: str,
    record: AttributionIn,
    version: int,
    actor: Actor,
    lease_seconds: int,
    now: datetime,
    notify: StoryChanged,
) -> ClaimRecord:
    claim = claims.get(claim_id)
    records = [*(_kept(a) for a in claim.attributions), record]
    return _with_records(claim, records, version, actor, lease_seconds, now, notify)


def remove_attribution(
    claim_id: str,
    attribution_id: str,
    version: int,
    actor: Actor,
    lease_seconds: int,
    now: datetime,
    notify: StoryChanged,
) -> ClaimRecord:
    claim = claims.get(claim_id)
    records = [_kept(a) for a in claim.attributions if a.attribution_id != attribution_id]
    return _with_records(claim, records, version, actor, lease_seconds, now, notify)
