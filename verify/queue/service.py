"""The reviewers' queue: claims waiting for review, oldest first, in cursor pages."""

from __future__ import annotations

from dataclasses import dataclass

from services.contracts import ReviewStatus
from services.cursors import decode_keyset, encode_keyset
from verify.queue import repository
from verify.stories.records import ClaimRecord


@dataclass(frozen=True)
class QueuePage:
    claims: list[ClaimRecord]
    headlines: dict[str, str]
    next_cursor: str | None


# The names in a queue page's cursor: the last claim's queue time and id.
CURSOR_KEYS = ("q", "c")


def page(
    *,
    status: ReviewStatus,
    section: str | None,
    contested: bool | None,
    limit: int,
    cursor: str | None,
) -> QueuePage:
    after = decode_keyset(cursor, CURSOR_KEYS) if cursor is not None else None
    claims = repository.waiting(
        status=status.value, section=section, contested=contested, after=after, limit=limit
    )
    next_cursor = None
    if len(claims) == limit:
        last = claims[-1]
        next_cursor = encode_keyset(last.queued_at, last.claim_id, CURSOR_KEYS)
    titles = repository.headlines(sorted({c.story_id for c in claims}))
    return QueuePage(claims, titles, next_cursor)
