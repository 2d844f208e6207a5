"""The queue's response models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from verify.stories.schemas import ClaimOut


class QueueItem(ClaimOut):
    headline: str


class QueuePageOut(BaseModel):
    items: list[QueueItem]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


class StoryGroupOut(BaseModel):
    story_id: str
    headline: str
    section: str
    revision: int
    claims_waiting: int = Field(description="Open claims of the status (and contested) asked for")
    contested: int = Field(description="How many of those are contested")
    oldest_queued_at: datetime
    claims: list[ClaimOut] = Field(description="Those claims, in body order")


class StoryGroupPageOut(BaseModel):
    items: list[StoryGroupOut]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")
