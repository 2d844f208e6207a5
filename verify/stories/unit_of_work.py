"""The unit of work: one change of a story, stored whole or not at all; every use case
(intake, review, restructure, snapshot) reads and writes through it.

Each function here runs one multi-document transaction: the claims' conditional writes,
their audit entries, a new revision where there is one, and the story's ``$inc`` of its
version with the snapshot marked pending. Every change of a story's claims also writes
the story document, so two changes of one story can never interleave: the store aborts
one with a write conflict and the transaction runs again on fresh reads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from pymongo.client_session import ClientSession
from pymongo.errors import DuplicateKeyError

from services import store
from services.errors import Busy
from verify.common import Actor
from verify.stories.documents import ALIAS
from verify.stories.records import (
    ClaimRecord,
    ClaimWrite,
    Confirmation,
    RevisionRecord,
    StaleClaim,
    StoryRecord,
)
from verify.stories.repository import (
    CLOSING,
    RULE,
    WHOLE,
    WINDOW,
    apply_writes,
    bump_story,
    clear_sweep,
    close_claims,
    current_claims_of,
    insert_revision,
    insert_revisions,
    insert_stories,
    load_stories,
    load_story,
    open_claims,
    open_claims_before,
    revision_claims,
    revision_span,
    stories_changed_after,
    story_versions_after,
)
from verify.stories.repository import signoff as claim_lists

T = TypeVar("T")
# The actor of writes that each name their own (``ClaimWrite.by``).
SYSTEM = Actor("system", "verify", "service")


def transaction(
    work: Callable[[ClientSession], T], conflict_seconds: float = store.CONFLICT_RETRY_SECONDS
) -> T:
    return store.transaction(ALIAS, work, conflict_seconds)


class Turns:
    """One turn at a time per key (a story), for the threads of this process.

    Twenty reviewers leasing twenty claims of one story each ran a transaction that writes
    the story's document: all but one met a write conflict, backed off (up to 0.2 s) and
    ran again, and the last answered after seconds. Taking turns, they run one after the
    other, without the conflicts or the idle backoff between them. A turn is waited for
    only until ``deadline`` (the caller's conflict window): then :class:`Busy`, as a
    conflict that outlasts it, never a wait behind every caller before.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, tuple[threading.Lock, int]] = {}

    def waiting(self, key: str) -> int:
        """How many threads hold or wait for ``key``'s turn."""
        with self._guard:
            return self._locks.get(key, (None, 0))[1]

    @contextmanager
    def of(self, key: str, deadline: float) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key) or (threading.Lock(), 0)
            self._locks[key] = (lock, users + 1)
        try:
            if not lock.acquire(timeout=max(0.0, deadline - time.monotonic())):
                raise Busy(
                    "Other changes of the same story kept it busy; nothing was changed. "
                    "Retry shortly."
                )
            try:
                yield
            finally:
                lock.release()
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


STORY_TURNS = Turns()


class RevisionTaken(Exception):
    """The report id (or the story's revision number) is stored already."""


class StoryMoved(Exception):
    """The story has no current revision any more, or got a new one meanwhile."""


class AlreadyConfirmed(Exception):
    """Another reviewer confirmed this revision's claim list meanwhile (the audit's key)."""


@dataclass(frozen=True)
class Committed:
    story: StoryRecord
    claims: list[ClaimRecord]


def commit_claims(
    story_id: str,
    writes: list[ClaimWrite],
    actor: Actor,
    now: datetime,
    *,
    expect_revision: int | None = None,
    leases_only: bool = False,
) -> Committed:
    """Apply conditional ``writes`` (raise ``StaleClaim`` if one no longer applies).
    ``leases_only``: the writes change only who holds the claims."""

    def work(session: ClientSession) -> Committed:
        claims = apply_writes(session, writes, actor, now)
        story = bump_story(
            session, story_id, now, expect_revision=expect_revision, leases_only=leases_only
        )
        if story is None:
            raise StoryMoved(story_id)
        return Committed(story, claims)

    # Every such change writes the story: this process's take turns instead of conflicting.
    deadline = time.monotonic() + store.CONFLICT_RETRY_SECONDS
    with STORY_TURNS.of(story_id, deadline):
        return transaction(work, max(0.0, deadline - time.monotonic()))


StoryPlanner = Callable[[StoryRecord, list[ClaimRecord]], list[ClaimWrite]]


def commit_planned(story_id: str, plan: StoryPlanner, actor: Actor, now: datetime) -> Committed:
    """Plan writes from the story and its open claims as the transaction sees them.

    ``plan`` is pure and may raise a NewsroomError, which aborts the transaction.
    """

    def work(session: ClientSession) -> Committed:
        story = load_story(story_id, session)
        if story is None:
            raise StoryMoved(story_id)
        writes = plan(story, open_claims(story_id, session))
        claims = apply_writes(session, writes, actor, now)
        bumped = bump_story(session, story_id, now, expect_revision=story.revision)
        if bumped is None:
            raise StoryMoved(story_id)
        return Committed(bumped, claims)

    return transaction(work)


def confirm_claim_list(
    story_id: str,
    revision: int,
    checked: list[str],
    counts: dict[str, int],
    actor: Actor,
    now: datetime,
) -> StoryRecord | None:
    """Record the confirmation of ``revision`` while it is still the story's current one
    (None otherwise): the sentences it covers, the story's version raised (its snapshot
    goes out), and who did it, when and what they saw (``counts``: ``sentences``,
    ``uncovered``, ``checked_before``)."""

    def work(session: ClientSession) -> StoryRecord | None:
        if not claim_lists.confirm_revision(session, story_id, revision, checked):
            return None
        bumped = bump_story(session, story_id, now, expect_revision=revision)
        if bumped is None:
            return None
        entry = Confirmation(revision, bumped.version, now, actor.as_dict(), **counts)
        try:
            claim_lists.add_confirmation(session, story_id, entry)
        except DuplicateKeyError as exc:
            raise AlreadyConfirmed(story_id) from exc
        return bumped

    return transaction(work)


@dataclass(frozen=True)
class RevisionPlan:
    revision: RevisionRecord
    # True: it becomes the story's current revision. False: it arrived after a newer one.
    current: bool
    writes: list[ClaimWrite]
    # Claims of the story's previous revision it leaves out: closed after the commit.
    dropped: int = 0
    # Marks the story for the sweep that closes them (and any left by an earlier one).
    sweep: bool = False
    # The report's trace, for a new story stored with others (its snapshot carries it).
    trace_id: str | None = None


def commit_revision(
    story_id: str, planned: RevisionPlan, actor: Actor, now: datetime, *, expect_version: int
) -> StoryRecord:
    """Store a revision with its claims (the report id's unique index refuses a second one).

    ``planned`` was worked out, outside any transaction, from the story at
    ``expect_version`` (0: no story yet); when the story is no longer there,
    :class:`StoryMoved` aborts it all, and the caller plans again on fresh reads. So the
    transaction holds only writes, and a retry after a write conflict redoes no detection.
    """

    def work(session: ClientSession) -> StoryRecord:
        try:
            insert_revision(session, planned.revision)
        except DuplicateKeyError as exc:
            raise RevisionTaken(planned.revision.report_id) from exc
        apply_writes(session, planned.writes, actor, now)
        bumped = bump_story(
            session,
            story_id,
            now,
            current=planned.revision if planned.current else None,
            sweep=planned.sweep,
        )
        if bumped is None or bumped.version != expect_version + 1:
            raise StoryMoved(story_id)
        return bumped

    return transaction(work)


def commit_new_stories(plans: list[RevisionPlan], now: datetime) -> list[StoryRecord]:
    """The first revisions of new stories, stored together in one transaction: a few
    commands for a whole batch of them. Any of them stored meanwhile (a unique key) aborts
    it all: the caller then stores each apart. The stories as stored, in ``plans`` order
    (their snapshots are the caller's to send: ``insert_stories``)."""

    def work(session: ClientSession) -> list[StoryRecord]:
        insert_revisions(session, [p.revision for p in plans])
        writes = [w for p in plans for w in p.writes]
        if writes:
            apply_writes(session, writes, SYSTEM, now)
        return insert_stories(session, [(p.revision, p.trace_id) for p in plans], now)

    return transaction(work)


def close_superseded(
    story_id: str, plan: Callable[[StoryRecord, list[ClaimRecord]], list[ClaimWrite]],
    now: datetime, chunk: int, rest: Callable[[float], None],
) -> int:  # fmt: skip
    """Close the open claims of revisions older than the story's current one, ``chunk`` at
    a time, each chunk its own short transaction (one ``update_many``), then ``rest`` with
    the seconds it took; clear the story's sweep mark once none is left (unless the story
    changed meanwhile); say how many were closed.

    They are out of every snapshot once the story is at its new revision (a snapshot shows
    the current revision's claims), so closing them later changes no snapshot and needs no
    new story version: a revision that drops thousands of claims commits at once, and no
    transaction holds the store, or the consumer, for long. They are read only as far as
    closing needs (``repository.CLOSING``), and never more than once each: the previous
    revision's, when its text is long, window by window as they are closed
    (``repository.revision_claims``: a read of 999 of them held every other read of the
    store 0.3 s); then the rest at once, for all the chunks (the store fetches every match
    of a read, so a read per chunk fetched the whole rest each time). Read again only when
    a claim changed meanwhile, and once more to find none left. Idempotent.
    """
    closed = 0

    def close(story: StoryRecord, old: list[ClaimRecord]) -> bool:
        """Close ``old`` chunk by chunk; False when a claim changed under the sweep."""
        nonlocal closed
        for start in range(0, len(old), chunk):
            part = old[start : start + chunk]
            writes = plan(story, part)

            def work(session: ClientSession, writes: list[ClaimWrite] = writes) -> None:
                close_claims(session, writes, SYSTEM, now)

            began = time.monotonic()
            try:
                transaction(work)
            except StaleClaim:
                return False  # a reviewer or a new revision changed one meanwhile
            closed += len(part)
            rest(time.monotonic() - began)
        return True

    while True:
        story = load_story(story_id)
        if story is None:
            return closed
        prior = story.revision - 1
        span = revision_span(story_id, prior) if prior >= 1 else 0
        if span > WINDOW:
            windows = revision_claims(story_id, prior, span, fields=CLOSING)
            if not all(close(story, part) for part in windows):
                continue  # read again
        old = open_claims_before(story_id, story.revision, fields=CLOSING)
        if not old:
            clear_sweep(story_id, story.version)
            return closed
        close(story, old)


def _spans(stories: Mapping[str, StoryRecord]) -> dict[str, int]:
    """The length of each story's text, where its current claims start: a long story's
    claims are read in windows of it (``repository.current_claims_of``)."""
    return {i: max(len(s.body), len(s.headline)) for i, s in stories.items()}


def read_stories_page(
    after: datetime | None, after_story: str | None, limit: int
) -> list[tuple[StoryRecord, list[ClaimRecord]]]:
    """A page of stories in change order with their current revision's open claims (what
    their snapshots show), read in one transaction."""

    def work(session: ClientSession) -> list[tuple[StoryRecord, list[ClaimRecord]]]:
        stories = stories_changed_after(after, after_story, limit, session)
        by_id = {s.story_id: s for s in stories}
        claims = current_claims_of(
            {s.story_id: s.revision for s in stories}, session, spans=_spans(by_id)
        )
        return [(s, claims[s.story_id]) for s in stories]

    return transaction(work)


def story_versions_page(
    after: datetime | None, after_story: str | None, limit: int
) -> list[tuple[str, int, datetime]]:
    """A page of (story_id, version, updated_at) in change order: one read of the stories
    alone, so listing what changed costs nothing like reading the snapshots."""
    return story_versions_after(after, after_story, limit)


def read_stories(
    story_ids: list[str], fields: Mapping[str, int] = WHOLE
) -> list[tuple[StoryRecord, list[ClaimRecord]]]:
    """These stories with their current revision's open claims (what their snapshots show,
    not the dropped ones the sweep has yet to close), read in one transaction (one
    consistent version of each), in the order given; stories that are gone are left out.
    ``fields``: what the claims' read leaves out (``repository.WHOLE``, ``DESK``, ``RULE``)."""

    def work(session: ClientSession) -> list[tuple[StoryRecord, list[ClaimRecord]]]:
        stories = {s.story_id: s for s in load_stories(story_ids, session)}
        revisions = {i: s.revision for i, s in stories.items()}
        claims = current_claims_of(revisions, session, fields, _spans(stories))
        return [(stories[i], claims[i]) for i in story_ids if i in stories]

    return transaction(work)


@dataclass(frozen=True)
class Sized:
    """A story as its event needs it: its claims whole, or (``whole`` False) only as the
    publish rule reads them (``repository.RULE``), when they cannot fit in an event."""

    story: StoryRecord
    claims: list[ClaimRecord]
    whole: bool


def read_stories_sized(
    story_ids: list[str],
    may_not_fit: Callable[[StoryRecord], bool],
    cannot_fit: Callable[[StoryRecord, list[ClaimRecord]], bool],
) -> list[Sized]:
    """:func:`read_stories` for the snapshot outbox, in one transaction: the claims of a
    story that ``may_not_fit`` (from the story alone) are read first as the rule reads
    them, and kept so when ``cannot_fit`` says its whole snapshot would not fit in an
    event; every other story's claims are read whole. A story too large for an event goes
    by reference, and only whether it is cleared (and why not) travels: its thousand claims
    are not read and built whole only to learn that."""

    def work(session: ClientSession) -> list[Sized]:
        stories = {s.story_id: s for s in load_stories(story_ids, session)}
        doubtful = {i: s.revision for i, s in stories.items() if may_not_fit(s)}
        spans = _spans(stories)
        judged = current_claims_of(doubtful, session, RULE, spans) if doubtful else {}
        too_large = {i: c for i, c in judged.items() if cannot_fit(stories[i], c)}
        rest = {i: s.revision for i, s in stories.items() if i not in too_large}
        whole = current_claims_of(rest, session, spans=spans) if rest else {}
        return [
            Sized(stories[i], too_large[i], False) if i in too_large
            else Sized(stories[i], whole[i], True)
            for i in story_ids if i in stories
        ]  # fmt: skip

    return transaction(work)


def read_story(story_id: str) -> tuple[StoryRecord, list[ClaimRecord]] | None:
    """The story and its open claims, read in one transaction: one consistent version."""

    def work(session: ClientSession) -> tuple[StoryRecord, list[ClaimRecord]] | None:
        story = load_story(story_id, session)
        if story is None:
            return None
        return story, open_claims(story_id, session)

    return transaction(work)


@dataclass(frozen=True)
class Written:
    """A story's open claims as a commit left them, at the version it gave the story."""

    version: int
    claims: tuple[ClaimRecord, ...]


def read_for_planning(
    story_id: str, written: Written | None = None
) -> tuple[StoryRecord | None, list[ClaimRecord]]:
    """The story and its open claims, read apart (no transaction): a plan made from them
    commits only while the story is at the version read, and each claim write only while
    its claim is, so reads that straddle another change make the commit fail, not err.

    ``written``: the open claims a commit of this process left, taken instead of reading
    them while the story is still at the version that commit gave it. Every change of a
    story's claims raises its version in the same transaction (above); the sweep closes
    claims without raising it, but only those of older revisions, which a remembered
    commit left none of (``intake.Remembered``)."""
    story = load_story(story_id)
    if story is None:
        return None, []
    if written is not None and written.version == story.version:
        return story, list(written.claims)
    return story, open_claims(story_id)
