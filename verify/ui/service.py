"""What the reviewers' console shows and does, over verify's own services.

The console's pages are views of the same records the JSON API serves; its forms call the
same service functions (lease, release, review, dismiss). Adding or removing an
attribution is a review that keeps the claim's status and note and changes its list of
records, as ``POST /v1/claims/{id}/review`` with ``attributions`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.contracts import ClaimSnapshot, ObtainedVia, ReviewStatus, SourceKind, StoryReviewed
from services.errors import NotFound
from services.rule.gate import Blocker, claim_blocker
from services.ui.marks import Paragraph
from verify.common import Actor, StoryChanged
from verify.memory import service as memory
from verify.queue import service as queue
from verify.stories import review as claims
from verify.stories import snapshot as stories
from verify.stories.records import AttributionRecord, ClaimRecord
from verify.stories.schemas import AttributionDraft, AttributionIn, ReviewIn
from verify.ui import repository
from verify.ui.view import (
    Row,
    RuleView,
    history_rows,
    paragraphs,
    rule_view,
    signal_labels,
    story_paragraphs,
    unused_suggestions,
)

STATUSES = tuple(ReviewStatus)
DISMISS_REASON = "Not a checkable claim (marked in the reviewers' console)."


@dataclass(frozen=True)
class StoryCard:
    """One story of the queue as a reviewer sees it: the claims they may take (nobody
    else holds them), and how many others hold."""

    group: queue.StoryGroup
    free: list[ClaimRecord]
    held_by_others: dict[str, int]  # holder -> how many of its claims
    mine: int  # claims the viewer holds
    signals: list[tuple[str, int]]  # what contests its claims, in words, and how often


@dataclass(frozen=True)
class QueueView:
    status: ReviewStatus
    section: str | None
    contested: bool | None
    stories: list[StoryCard]
    next_cursor: str | None
    counts: dict[str, int]
    marker: str


def story_card(group: queue.StoryGroup, user_id: str, now: datetime) -> StoryCard:
    held: dict[str, int] = {}
    free: list[ClaimRecord] = []
    mine = 0
    signals: dict[str, int] = {}
    for claim in group.claims:
        for label in signal_labels(claim):
            signals[label] = signals.get(label, 0) + 1
        holder = claim.holder_at(now)
        if holder is not None and claim.lease_holder_id != user_id:
            held[holder] = held.get(holder, 0) + 1
            continue
        mine += holder is not None
        free.append(claim)
    ranked = sorted(signals.items(), key=lambda item: (-item[1], item[0]))
    return StoryCard(group, free, held, mine, ranked)


def queue_view(
    *,
    status: ReviewStatus,
    section: str | None,
    contested: bool | None,
    cursor: str | None,
    limit: int,
    user_id: str,
    now: datetime,
) -> QueueView:
    found = queue.by_story(
        status=status, section=section, contested=contested, limit=limit, cursor=cursor
    )
    return QueueView(
        status=status,
        section=section,
        contested=contested,
        stories=[story_card(group, user_id, now) for group in found.stories],
        next_cursor=found.next_cursor,
        counts=queue.counts(section, contested),
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
    siblings: list[ClaimSnapshot]  # the story's open claims, in body order
    # j / k: the claims of the story the viewer may work (none another holds); past the
    # last one comes the story's end, before the first one the queue.
    previous_id: str | None
    next_id: str | None
    holder: str | None
    mine: bool
    rule: RuleView | None
    # Reviews of the same claim in other stories (claim memory), closest first.
    earlier: list[memory.EarlierReview] = field(default_factory=list)

    @property
    def current(self) -> bool:
        return self.story is not None and self.story.revision == self.claim.revision


def claim_view(claim_id: str, user_id: str, user_name: str, now: datetime) -> ClaimView:
    claim = claims.get(claim_id)
    story = stories.current_snapshot(claim.story_id, now)
    siblings = sorted(story.claims, key=lambda c: (c.start, c.end)) if story else []
    workable = [c for c in siblings if c.claim_id == claim_id or c.holder in (None, user_name)]
    ids = [c.claim_id for c in workable]
    at = ids.index(claim_id) if claim_id in ids else -1
    current = story is not None and story.revision == claim.revision and claim.open
    holder = claim.holder_at(now)
    snap = next((c for c in siblings if c.claim_id == claim_id), None)
    return ClaimView(
        claim=claim,
        story=story,
        paragraphs=paragraphs(story.body, claim, siblings) if story and current else [],
        suggestions=unused_suggestions(claims.suggested(claim), claim.attributions)
        if current
        else [],
        history=history_rows(claims.history(claim_id)),
        siblings=siblings,
        previous_id=ids[at - 1] if at > 0 else None,
        next_id=ids[at + 1] if 0 <= at < len(ids) - 1 else None,
        holder=holder,
        mine=holder is not None and claim.lease_holder_id == user_id,
        rule=rule_view(snap, story.body) if story is not None and snap is not None else None,
        earlier=memory.earlier_reviews(claim_id) if current else [],
    )


@dataclass(frozen=True)
class StoryEnd:
    """The end of a story in the reviewers' flow: every claim of its current revision
    with what the publish rule still needs, and the place for confirming its claim list."""

    story: StoryReviewed
    claims: list[tuple[ClaimSnapshot, Blocker | None]]
    paragraphs: list[Paragraph]
    free: int  # pending claims nobody else holds: the flow comes back to these
    held_by_others: dict[str, int]

    @property
    def blocking(self) -> int:
        return sum(1 for _, blocker in self.claims if blocker is not None)


def story_end(story_id: str, user_id: str, now: datetime) -> StoryEnd:
    story = stories.current_snapshot(story_id, now)
    if story is None:
        raise NotFound(f"No story {story_id!r}.")
    ordered = sorted(story.claims, key=lambda c: (c.start, c.end))
    held: dict[str, int] = {}
    for claim in ordered:
        if claim.status == ReviewStatus.PENDING and claim.holder is not None:
            held[claim.holder] = held.get(claim.holder, 0) + 1
    return StoryEnd(
        story=story,
        claims=[(c, claim_blocker(c, story.body)) for c in ordered],
        paragraphs=story_paragraphs(story.body, ordered),
        free=len(queue.free_claims(story_id, user_id, now)),
        held_by_others=held,
    )


def take_next(
    actor: Actor,
    lease_seconds: int,
    now: datetime,
    notify: StoryChanged,
    *,
    story_id: str | None,
    after_id: str | None,
    section: str | None,
    this_story_only: bool,
) -> ClaimRecord | None:
    """Lease the next free claim for ``actor`` (see ``queue.take_next``)."""
    after = claims.get(after_id) if after_id else None
    if after is not None and story_id is None:
        story_id = after.story_id
    return queue.take_next(
        lease=lambda claim_id: claims.lease(claim_id, actor, lease_seconds, now, notify),
        user_id=actor.user_id,
        now=now,
        story_id=story_id,
        after=after,
        section=section,
        this_story_only=this_story_only,
    )


# --- changes -----------------------------------------------------------------------------


def mark(
    claim_id: str,
    status: ReviewStatus,
    note: str | None,
    version: int,
    actor: Actor,
    now: datetime,
    notify: StoryChanged,
) -> ClaimRecord:
    """Set the claim's status (``not_a_claim`` dismisses it, with the note as reason)."""
    if status == ReviewStatus.NOT_A_CLAIM:
        reason = note or DISMISS_REASON
        return claims.dismiss(claim_id, reason, version, actor, now, notify)
    given = ReviewIn(status=status, note=note)
    return claims.review(claim_id, given, version, actor, now, notify)


def give_back(claim: ClaimRecord, actor: Actor, now: datetime, notify: StoryChanged) -> None:
    """A marked claim's lease goes back at once: the gate must not name as its holder a
    reviewer who has finished with it."""
    if claim.open and claim.lease_holder_id == actor.user_id and claim.holder_at(now):
        claims.release(claim.claim_id, actor, now, notify)


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
    now: datetime,
    notify: StoryChanged,
) -> ClaimRecord:
    given = ReviewIn(status=ReviewStatus(claim.status), attributions=records, note=claim.note)
    return claims.review(claim.claim_id, given, version, actor, now, notify)


def add_attribution(
    claim_id: str,
    record: AttributionIn,
    version: int,
    actor: Actor,
    now: datetime,
    notify: StoryChanged,
) -> ClaimRecord:
    claim = claims.get(claim_id)
    records = [*(_kept(a) for a in claim.attributions), record]
    return _with_records(claim, records, version, actor, now, notify)


def remove_attribution(
    claim_id: str,
    attribution_id: str,
    version: int,
    actor: Actor,
    now: datetime,
    notify: StoryChanged,
) -> ClaimRecord:
    claim = claims.get(claim_id)
    records = [_kept(a) for a in claim.attributions if a.attribution_id != attribution_id]
    return _with_records(claim, records, version, actor, now, notify)
