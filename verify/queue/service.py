"""The reviewers' queue: claims waiting for review, oldest first, in cursor pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.contracts import ReviewStatus
from services.cursors import bad_cursor, decode_cursor, encode_cursor
from verify.queue import repository
from verify.stories.records import ClaimRecord


@dataclass(frozen=True)
class QueuePage:
    claims: list[ClaimRecord]
    headlines: dict[str, str]
    next_cursor: str | None


def page(
    *,
    status: ReviewStatus,
    section: str | None,
    contested: bool | None,
    limit: int,
    cursor: str | None,
) -> QueuePage:
    after: tuple[datetime, str] | None = None
    if cursor is not None:
        values = decode_cursor(cursor, ("q", "c"))
        try:
            after = (datetime.fromisoformat(values["q"]), values["c"])
        except ValueError as exc:
            raise bad_cursor() from exc
    claims = repository.waiting(
        status=status.value, section=section, contested=contested, after=after, limit=limit
    )
    next_cursor = None
    if len(claims) == limit:
        last = claims[-1]
        next_cursor = encode_cursor({"q": last.queued_at.isoformat(), "c": last.claim_id})
    titles = repository.headlines(sorted({c.story_id for c in claims}))
    return QueuePage(claims, titles, next_cursor)
