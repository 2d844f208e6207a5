"""The reviewers' queue: claims waiting for review, oldest first, in cursor pages; the
same by story (a section's stories with a contested claim first, then the oldest); and the
next free claim for a reviewer to take."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.contracts import ReviewStatus
from services.cursors import bad_cursor, decode_cursor, decode_keyset, encode_cursor, encode_keyset
from services.errors import Conflict, NotFound, PreconditionFailed
from verify.queue import repository
from verify.stories.records import ClaimRecord


@dataclass(frozen=True)
class QueuePage:
    claims: list[ClaimRecord]
    headlines: dict[str, str]
    next_cursor: str | None


# The names in a queue page's cursor: the last claim's queue time and id.
CURSOR_KEYS = ("q", "c")


# How many reads of ``limit`` claims a page takes at most to fill itself with current
# claims (claims a newer revision dropped are skipped until the sweep closes them).
PAGE_READS = 4


def page(
    *,
    status: ReviewStatus,
    section: str | None,
    contested: bool | None,
    limit: int,
    cursor: str | None,
) -> QueuePage:
    """Open claims of the stories' current revisions, oldest first. A claim a newer
    revision dropped stays open until the sweep closes it, and cannot be taken: it is
    skipped, as the queue by story and the counts (:func:`counts`) skip it. A page skips
    at most ``PAGE_READS`` reads' worth of them, so it may hold fewer than ``limit``
    claims and still have a next one (``next_cursor``)."""
    after = decode_keyset(cursor, CURSOR_KEYS) if cursor is not None else None
    kept: list[ClaimRecord] = []
    titles: dict[str, str] = {}
    read_all = False
    for _ in range(PAGE_READS):
        claims = repository.waiting(
            status=status.value, section=section, contested=contested, after=after, limit=limit
        )
        stories = repository.revisions(sorted({c.story_id for c in claims}))
        titles.update({story_id: headline for story_id, (headline, _) in stories.items()})
        kept += [c for c in claims if _current(c, stories)]
        read_all = len(claims) < limit
        if read_all or len(kept) >= limit:
            break
        after = (claims[-1].queued_at, claims[-1].claim_id)
    shown = kept[:limit]
    next_cursor = None
    if len(shown) == limit:
        last = shown[-1]
        next_cursor = encode_keyset(last.queued_at, last.claim_id, CURSOR_KEYS)
    elif not read_all and after is not None:  # only dropped claims read so far: go on there
        next_cursor = encode_keyset(after[0], after[1], CURSOR_KEYS)
    return QueuePage(shown, {c.story_id: titles[c.story_id] for c in shown}, next_cursor)


def _current(claim: ClaimRecord, stories: dict[str, tuple[str, int]]) -> bool:
    """Whether ``claim`` is of its story's current revision (``stories``: headline and
    revision by story id): a claim a newer revision dropped is open until the sweep."""
    found = stories.get(claim.story_id)
    return found is not None and found[1] == claim.revision


def counts(section: str | None, contested: bool | None) -> dict[str, int]:
    """Open claims of the stories' current revisions by review status (of ``section``,
    ``contested`` when given): what the queue lists, without the claims a newer revision
    dropped that the sweep has not closed yet. Counted in the store by status; only the
    stories awaiting the sweep are counted claim revision by revision, so a render or a
    scrape costs the same with 30,000 open claims as with 30."""
    found = repository.open_counts(section, contested)
    pending = repository.awaiting_sweep()
    if not pending:
        return found
    for story_id, revision, status, n in repository.open_counts_by_revision(
        sorted(pending), section, contested
    ):
        if revision != pending[story_id]:
            # Two reads, not one snapshot: a claim may change status between them.
            found[status] = max(0, found.get(status, 0) - n)
    return {status: n for status, n in found.items() if n}


def depth() -> dict[str, int]:
    """The queue's depth (``/metrics``): open claims of current revisions by status."""
    return counts(None, None)


# --- the queue by story ---------------------------------------------------------------

GROUP_CURSOR = ("s", "h", "o", "i")
# How far "take the next claim" looks for a free one: stories, a page at a time.
SCAN_STORIES = 200
SCAN_PAGE = 50


@dataclass(frozen=True)
class StoryGroup:
    """One story of the queue: its open claims of the status asked for, in body order."""

    story_id: str
    headline: str
    section: str
    revision: int
    count: int  # open claims of the status (and contested filter) asked for
    contested: int  # how many of those are contested
    oldest: datetime
    claims: list[ClaimRecord]


@dataclass(frozen=True)
class GroupPage:
    stories: list[StoryGroup]
    next_cursor: str | None


def _group_after(cursor: str | None) -> tuple[str, int, datetime, str] | None:
    if cursor is None:
        return None
    values = decode_cursor(cursor, GROUP_CURSOR)
    try:
        return (values["s"], int(values["h"]), datetime.fromisoformat(values["o"]), values["i"])
    except ValueError as exc:
        raise bad_cursor() from exc


def by_story(
    *,
    status: ReviewStatus,
    section: str | None,
    contested: bool | None,
    limit: int,
    cursor: str | None,
) -> GroupPage:
    """Stories with open claims of ``status``: by section, contested first, oldest first."""
    rows = repository.story_groups(
        status=status.value,
        section=section,
        contested=contested,
        after=_group_after(cursor),
        limit=limit,
    )
    ids = [row.story_id for row in rows]
    claims = repository.claims_of_stories(ids, status.value, contested)
    stories = repository.revisions(ids)
    groups = []
    for story_id, row in zip(ids, rows, strict=True):
        headline, revision = stories.get(story_id, ("", 0))
        # The current revision's claims only, and counted from what is listed: claims a
        # newer revision dropped stay open until the sweep closes them (and cannot be
        # taken), and the count read apart from the list drifted from it under changes.
        current = [c for c in claims.get(story_id, []) if c.revision == revision]
        if not current:
            continue
        groups.append(
            StoryGroup(
                story_id=story_id,
                headline=headline,
                section=row.section,
                revision=revision,
                count=len(current),
                contested=sum(1 for c in current if c.contested),
                oldest=row.oldest,
                claims=current,
            )
        )
    next_cursor = None
    if len(rows) == limit:
        last = rows[-1]
        next_cursor = encode_cursor(
            {
                "s": last.section,
                "h": str(last.has_contested),
                "o": last.oldest.isoformat(),
                "i": last.story_id,
            }
        )
    return GroupPage(groups, next_cursor)


def free_claims(story_id: str, user_id: str, now: datetime) -> list[ClaimRecord]:
    """The story's pending claims of its current revision that nobody else holds, in
    body order."""
    found = repository.revisions([story_id]).get(story_id)
    if found is None:
        return []
    revision = found[1]
    claims = repository.claims_of_stories([story_id], ReviewStatus.PENDING.value, None)
    return [
        c for c in claims[story_id] if c.revision == revision and not c.held_by_other(user_id, now)
    ]


def _in_order_after(claims: list[ClaimRecord], after: ClaimRecord | None) -> list[ClaimRecord]:
    """The claims after ``after`` in body order, then those before it."""
    if after is None:
        return claims
    later = [c for c in claims if (c.start, c.end) > (after.start, after.end)]
    earlier = [c for c in claims if (c.start, c.end) <= (after.start, after.end)]
    return later + [c for c in earlier if c.claim_id != after.claim_id]


def take_next(
    *,
    lease: Callable[[str], ClaimRecord],
    user_id: str,
    now: datetime,
    story_id: str | None = None,
    after: ClaimRecord | None = None,
    section: str | None = None,
    this_story_only: bool = False,
) -> ClaimRecord | None:
    """Lease the next free pending claim: of ``story_id`` first (after ``after`` in body
    order, then before it), then of the next stories in queue order (``section``'s,
    then any). Never a claim another reviewer holds: ``lease`` refuses those (409) and
    the next one is tried. None when no free claim is left where it looked."""

    def first_free(candidates: list[ClaimRecord]) -> ClaimRecord | None:
        for claim in candidates:
            try:
                return lease(claim.claim_id)
            except (Conflict, PreconditionFailed, NotFound):
                continue  # taken meanwhile, or closed: the next one
        return None

    if story_id is not None:
        found = first_free(_in_order_after(free_claims(story_id, user_id, now), after))
        if found is not None or this_story_only:
            return found
    for scope in dict.fromkeys((section, None)):
        cursor: str | None = None
        for _ in range(SCAN_STORIES // SCAN_PAGE):
            page = by_story(
                status=ReviewStatus.PENDING,
                section=scope,
                contested=None,
                limit=SCAN_PAGE,
                cursor=cursor,
            )
            for group in page.stories:
                if group.story_id == story_id:
                    continue
                free = [
                    c
                    for c in group.claims
                    if c.revision == group.revision and not c.held_by_other(user_id, now)
                ]
                found = first_free(free)
                if found is not None:
                    return found
            cursor = page.next_cursor
            if cursor is None:
                break
    return None
