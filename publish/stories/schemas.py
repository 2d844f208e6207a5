"""The story desk's API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from publish.stories.model import State
from services.text import Lines2000, PlainLines


class Schema(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RequestBody(BaseModel):
    """A request body: unknown fields and wrong types refused (strict), as ingest's and
    verify's are; ``{"revision": "2"}`` or ``true`` is not revision 2 or 1."""

    model_config = ConfigDict(extra="forbid", strict=True)


class PublishRequest(RequestBody):
    revision: int | None = Field(
        default=None, ge=1, description="Release only if this is still the current revision"
    )
    version: int | None = Field(
        default=None,
        ge=1,
        description="Release only if this is still the story's version (the gate's "
        "`version` you read): any change since, a claim's included, is a 412",
    )
    correction: Lines2000 | None = Field(
        default=None,
        description="Note shown to readers when this release replaces an earlier one",
    )


class RetractRequest(RequestBody):
    reason: PlainLines = Field(min_length=1, max_length=2000, description="Shown to readers")


class BlockerOut(Schema):
    claim_id: str | None = Field(
        description="The blocking claim; null for the revision's unconfirmed claim list"
    )
    claim_text: str
    status: str = Field(description="The claim's review status; `unconfirmed` for the claim list")
    reason: str = Field(description="A code: claim_list_unconfirmed, pending, false, "
                        "no_attribution, vague_source, anonymous_unapproved, "
                        "not_attributed_in_text")  # fmt: skip
    lacks: str
    holder: str


class GateOut(Schema):
    story_id: str
    publishable: bool
    revision: int
    version: int
    state: State
    blockers: list[BlockerOut]


class ReleaseOut(Schema):
    story_id: str
    action: Literal["published", "corrected", "retracted", "unchanged"]
    revision: int
    version: int
    url: str
    first_published_at: datetime
    modified_at: datetime
    retracted: bool


class CorrectionFlagOut(Schema):
    claim_id: str
    source_story_id: str
    source_claim_id: str
    status: str
    reason: str
    review_url: str
    at: datetime


class StoryOut(Schema):
    story_id: str
    headline: str
    section: str
    revision: int
    version: int
    state: State
    publishable: bool
    blockers: int
    needs_correction: bool
    correction_reasons: list[str]
    correction_flags: list[CorrectionFlagOut]
    published_revision: int | None
    publish_when_cleared: bool
    changed_at: datetime


class StoryPage(Schema):
    items: list[StoryOut]
    next_cursor: str | None
