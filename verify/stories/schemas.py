"""The stories API's response models: exactly the ``StoryReviewed`` event, and pages of it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from services.contracts import StoryReviewed


class SnapshotPageOut(BaseModel):
    items: list[StoryReviewed]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")
