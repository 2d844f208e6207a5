"""The queue's response models."""

from __future__ import annotations

from pydantic import BaseModel, Field

from verify.stories.schemas import ClaimOut


class QueueItem(ClaimOut):
    headline: str


class QueuePageOut(BaseModel):
    items: list[QueueItem]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")
