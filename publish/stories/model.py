"""Publish's own records, as plain pydantic models: what the repository stores and returns,
and what the rules (``service.py``) work on. No database types leak past the repository."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.contracts import ClaimSnapshot, StoryReviewed


class State(StrEnum):
    HELD = "held"
    PUBLISHABLE = "publishable"
    PUBLISHED = "published"
    NEEDS_CORRECTION = "needs_correction"
    RETRACTED = "retracted"


Action = Literal["published", "corrected", "retracted", "needs_correction"]


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


class StoryRow(Record):
    """The read model: the newest snapshot publish knows of a story, and its state."""

    story_id: str
    version: int
    revision: int
    section: str
    headline: str
    snapshot: StoryReviewed
    state: State
    publishable: bool
    blockers: int
    # Reporter asked for release once cleared, the gate passes and it is not out yet.
    auto_release: bool = False
    needs_correction: bool = False
    correction_reasons: list[str] = Field(default_factory=list)
    correction_flags: list[CorrectionFlag] = Field(default_factory=list)
    published_revision: int | None = None
    snapshot_updated_at: datetime
    changed_at: datetime
    # The gate's verdict on this snapshot as its answer shows it (JSON), worked out once
    # when the snapshot arrives: asking for the gate is then one read, not a decode and
    # validation of the whole snapshot. None on rows stored before it was kept.
    verdict_json: str | None = None
    # The trace of the event that brought this snapshot: a release made for it later by a
    # worker ("publish when cleared") carries it on.
    trace_id: str | None = None


class CorrectionFlag(Record):
    """Verify's word that a released claim makes the same assertion as a claim found
    false (or whose attribution was withdrawn) in another story."""

    flag_id: str
    claim_id: str
    source_story_id: str
    source_claim_id: str
    status: str
    reason: str
    review_url: str
    at: datetime


class CorrectionNote(Record):
    revision: int
    version: int
    note: str
    at: datetime


class Retraction(Record):
    reason: str
    at: datetime
    by: str


class ReviewDates(Record):
    """When a claim's review was first released and last changed; ``mark`` is the hash of
    what readers see of the claim, so an unchanged review keeps its dates."""

    published_at: datetime
    modified_at: datetime
    mark: str


class Publication(Record):
    """What readers get: the released revision of a story, public in feeds and ninjs."""

    story_id: str
    # Feed order: every publish, correction and retraction takes the next number.
    seq: int
    section: str
    revision: int
    version: int
    report_id: str
    headline: str
    body: str
    byline: str
    claims: list[ClaimSnapshot]
    first_published_at: datetime
    modified_at: datetime
    released_by: str
    # The change before ``modified_at`` (None for the first release, and on publications
    # stored before it was kept): two changes within one second share a Last-Modified,
    # so If-Modified-Since must not answer 304 for that second (feeds/conditional.py).
    previous_modified_at: datetime | None = None
    corrections: list[CorrectionNote] = Field(default_factory=list)
    retracted: Retraction | None = None
    # Sections it was released in before a revision moved it: their followers still
    # hear of its corrections and retraction.
    former_sections: list[str] = Field(default_factory=list)
    # Per reviewed claim id; empty on publications stored before reviews kept dates.
    reviews: dict[str, ReviewDates] = Field(default_factory=dict)
    # The story's BCP 47 tag; None on a story sent before stories had one: the
    # newsroom's default language stands for it (``language_of``).
    language: str | None = None
    # Which version of the story readers have: 1 at release, one more at each correction
    # and retraction (ninjs ``version``). None on publications stored before it was kept,
    # whose ninjs said the revision: ``edition_number`` goes on from there.
    edition: int | None = None

    def language_of(self, default: str) -> str:
        """The language readers are told the story is in."""
        return self.language or default

    def edition_number(self) -> int:
        return self.edition if self.edition is not None else self.revision

    def next_edition(self) -> int:
        """The edition of the next change readers get: never back, never the same."""
        return self.edition_number() + 1


class Departure(Record):
    """A story's marker in a section it left (a revision released in another section):
    the old section's feeds carry it in the story's place, so a site that follows only
    that section learns the story went, and where, as a retraction tells it (a tombstone).
    Only what was public at the move: the released headline, the new section, when."""

    departure_id: str  # "<section>/<story id>": one per story and section left
    story_id: str
    section: str  # the section it left
    moved_to: str
    # The release that moved it: its place in the old section's feed, which later
    # changes of the story (in its new section) do not move.
    seq: int
    at: datetime
    revision: int
    edition: int  # the story's edition that moved it (a syncing site sees it changed)
    headline: str
    first_published_at: datetime
    language: str | None = None

    @staticmethod
    def key(section: str, story_id: str) -> str:
        return f"{section}/{story_id}"


class ReleaseRow(Record):
    """One release, correction or retraction; also the outbox row of its
    ``stories.published`` event (:mod:`services.outbox`: due until the broker
    acknowledged it, and ``sent_at`` then)."""

    release_id: str
    story_id: str
    action: Action
    revision: int
    version: int
    seq: int
    event: dict[str, Any]
    created_at: datetime
    sent_at: datetime | None = None
    # The trace of the request or event that made the release: stories.published and
    # the webhook deliveries carry it on as traceparent.
    trace_id: str | None = None
