"""What verify sends to publish and ingest: a story's snapshot (``StoryReviewed``) with its
current revision's claims, one at a time or a page of them in change order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from services.auth import Principal, Role
from services.contracts import (
    Attribution,
    ClaimSnapshot,
    ReviewStatus,
    StoryReviewed,
)
from services.cursors import decode_keyset, encode_keyset
from services.errors import NotFound, NotYours
from verify.signoff.rule import judged
from verify.stories import repository, unit_of_work
from verify.stories.records import (
    AttributionRecord,
    ClaimRecord,
    StoryRecord,
    detected_out,
    signal_out,
)


def attribution_event(record: AttributionRecord) -> Attribution:
    """A reviewer's attribution record as the ``StoryReviewed`` event carries it."""
    return Attribution.model_validate(record.as_dict())


def claim_snapshot(claim: ClaimRecord, now: datetime) -> ClaimSnapshot:
    return ClaimSnapshot(
        claim_id=claim.claim_id,
        text=claim.text,
        start=claim.start,
        end=claim.end,
        contested=claim.contested,
        contest_signals=[signal_out(s) for s in claim.contest_signals],
        status=ReviewStatus(claim.status),
        version=claim.version,
        detected_attributions=[detected_out(a) for a in claim.detected_attributions],
        attributions=[attribution_event(a) for a in claim.attributions],
        context_start=claim.context_start,
        context_end=claim.context_end,
        origin=claim.origin,
        holder=claim.holder_at(now),
        reviewed_by=claim.reviewed_by,
        in_headline=claim.headline,
        hedges=[signal_out(s) for s in claim.hedges],
    )


def _story_fields(story: StoryRecord) -> dict[str, Any]:
    """A snapshot's fields that come from the story itself."""
    return {
        "story_id": story.story_id,
        "version": story.version,
        "revision": story.revision,
        "report_id": story.report_id,
        "reporter_id": story.reporter_id,
        "byline": story.byline,
        "headline": story.headline,
        "body": story.body,
        "section": story.section,
        "publish_when_cleared": story.publish_when_cleared,
        "language": story.language,
        "updated_at": story.updated_at,
        "claims_over_limit": story.claims_over_limit,
        "claim_list_confirmed_revision": story.claims_confirmed_revision,
        "sentences_to_check": story.sentences_to_check,
    }


def snapshot(story: StoryRecord, claims: list[ClaimRecord], now: datetime) -> StoryReviewed:
    """The story's snapshot, judged by the publish rule (``cleared``, ``held``)."""
    current = [c for c in claims if c.open and c.revision == story.revision]
    found = StoryReviewed(
        **_story_fields(story),
        cleared=False,  # judged below, by the whole publish rule
        claims=[claim_snapshot(c, now) for c in current],
    )
    return judged(found)


# --- a story too large for an event --------------------------------------------------------
# Its snapshot goes by reference (``StoryChanged``, reason ``too_large``), and only whether
# it is cleared, and why not, travels: both are worked out from the claims as the rule
# reads them (``repository.RULE``), without building the whole snapshot to learn its size.


def _claim_floor() -> int:
    """The fewest bytes one claim adds to a snapshot's event: every field the event encodes
    (``CloudEvent.to_bytes`` leaves out None) with empty values and no id, and a comma."""
    empty = ClaimSnapshot(
        claim_id="", text="", start=0, end=0, contested=False, contest_signals=[],
        status=ReviewStatus.PENDING, version=0, detected_attributions=[], attributions=[],
        context_start=0, context_end=0,
    )  # fmt: skip
    return len(empty.model_dump_json(exclude_none=True)) + 1


CLAIM_FLOOR = _claim_floor()


def _story_floor(story: StoryRecord) -> int:
    """The fewest bytes the story's own text adds to its snapshot's event."""
    return len(story.body.encode()) + len(story.headline.encode())


def may_not_fit(story: StoryRecord, limit: int, most_claims: int) -> bool:
    """From the story alone: whether its snapshot could be sure not to fit in ``limit``
    bytes with ``most_claims`` claims. Only a hint of which stories' claims to read as the
    rule reads them first; a story it misses is built whole and measured, as any other."""
    return _story_floor(story) + most_claims * CLAIM_FLOOR > limit


def cannot_fit(story: StoryRecord, claims: list[ClaimRecord], limit: int) -> bool:
    """Whether the story's whole snapshot is surely larger than ``limit`` bytes: its text
    and the least each of its claims takes are already more."""
    floor = _story_floor(story) + sum(CLAIM_FLOOR + len(c.claim_id) for c in claims)
    return floor > limit


def rule_claim(claim: ClaimRecord, now: datetime) -> ClaimSnapshot:
    """A claim read as the rule reads it, for the rule alone: no text, no detection. Not
    validated (the rule reads it at once; it is never sent or shown)."""
    return ClaimSnapshot.model_construct(
        claim_id=claim.claim_id,
        text="",
        start=claim.start,
        end=claim.end,
        contested=claim.contested,
        contest_signals=[],
        status=ReviewStatus(claim.status),
        version=claim.version,
        detected_attributions=[],
        attributions=[attribution_event(a) for a in claim.attributions],
        context_start=claim.context_start,
        context_end=claim.context_end,
        holder=claim.holder_at(now),
        reviewed_by=claim.reviewed_by,
        in_headline=claim.headline,
        hedges=[],
    )


def judged_by_rule(story: StoryRecord, claims: list[ClaimRecord], now: datetime) -> StoryReviewed:
    """The story judged from its claims as the rule reads them: ``cleared`` and ``held``
    are right, and so are the story's own fields; the claims are not for sending."""
    found = StoryReviewed.model_construct(
        **_story_fields(story),
        cleared=False,
        claims=[rule_claim(c, now) for c in claims if c.open and c.revision == story.revision],
        held=[],
    )
    return judged(found)


class View(StrEnum):
    """How much of each claim a snapshot read over HTTP carries: ``whole``, or ``desk``
    (what publish's read model and gate use: detection's signals, detected attributions
    and hedges are left empty, and neither read from the store nor sent)."""

    WHOLE = "whole"
    DESK = "desk"


_FIELDS = {View.WHOLE: repository.WHOLE, View.DESK: repository.DESK}


def current_snapshots(
    story_ids: list[str], now: datetime, view: View = View.WHOLE
) -> list[StoryReviewed]:
    """The current snapshots of these stories, read together."""
    found = unit_of_work.read_stories(story_ids, _FIELDS[view])
    return [snapshot(story, claims, now) for story, claims in found]


def current_snapshot(story_id: str, now: datetime, view: View = View.WHOLE) -> StoryReviewed | None:
    found = current_snapshots([story_id], now, view)
    return found[0] if found else None


def story_for(
    story_id: str, principal: Principal, now: datetime, view: View = View.WHOLE
) -> StoryReviewed:
    """The story's snapshot; a reporter sees only their own stories."""
    found = current_snapshot(story_id, now, view)
    if found is None:
        raise NotFound(f"No story {story_id!r}.")
    if principal.role == Role.REPORTER and found.reporter_id != principal.user_id:
        raise NotYours("A reporter can read only their own stories.")
    return found


@dataclass(frozen=True)
class StoryVersion:
    story_id: str
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class VersionPage:
    items: list[StoryVersion]
    next_cursor: str | None


@dataclass(frozen=True)
class SnapshotPage:
    items: list[StoryReviewed]
    next_cursor: str | None


# The names in a snapshots page's cursor: the last story's change time and id.
CURSOR_KEYS = ("u", "s")


def snapshots_after(
    updated_after: datetime | None, limit: int, cursor: str | None, now: datetime
) -> SnapshotPage:
    """Snapshots of every story changed after ``updated_after``, oldest change first."""
    page = unit_of_work.read_stories_page(*_position(updated_after, cursor), limit)
    items = [snapshot(story, claims, now) for story, claims in page]
    next_cursor = None
    if len(page) == limit:
        last = page[-1][0]
        next_cursor = encode_keyset(last.updated_at, last.story_id, CURSOR_KEYS)
    return SnapshotPage(items, next_cursor)


def versions_after(updated_after: datetime | None, limit: int, cursor: str | None) -> VersionPage:
    """The id, version and change time of every story changed after ``updated_after``, in
    the order and with the cursors of :func:`snapshots_after`: what publish's catch-up
    lists, to read only the stories whose version it does not have."""
    found = unit_of_work.story_versions_page(*_position(updated_after, cursor), limit)
    items = [StoryVersion(*row) for row in found]
    next_cursor = None
    if len(items) == limit:
        next_cursor = encode_keyset(items[-1].updated_at, items[-1].story_id, CURSOR_KEYS)
    return VersionPage(items, next_cursor)


def _position(
    updated_after: datetime | None, cursor: str | None
) -> tuple[datetime | None, str | None]:
    if cursor is not None:
        after, after_story = decode_keyset(cursor, CURSOR_KEYS)
        return after, after_story
    if updated_after is not None and updated_after.tzinfo is None:
        return updated_after.replace(tzinfo=UTC), None
    return updated_after, None
