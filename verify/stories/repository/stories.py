"""Queries of stories and revisions, and the story's snapshot outbox row.

The story's version is raised in the same transaction as any change of its claims
(``bump_story``); the transactions themselves are in :mod:`verify.stories.unit_of_work`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from pymongo.client_session import ClientSession

from services import outbox as shared_outbox
from services.log import current_trace_id
from services.store import update_and_read
from verify.stories.documents import Revision, Story
from verify.stories.records import (
    RevisionRecord,
    StoryRecord,
)

_STORY_FIELDS = tuple(f.name for f in dataclasses.fields(StoryRecord))
_REVISION_FIELDS = tuple(f.name for f in dataclasses.fields(RevisionRecord))
# The fields a new current revision sets on its story.
CURRENT_FIELDS = (
    "revision",
    "report_id",
    "reporter_id",
    "byline",
    "headline",
    "body",
    "section",
    "publish_when_cleared",
    "claims_over_limit",
    "sentences_to_check",
    "claims_confirmed_revision",
    "language",
)
# Fields stored after the first release of this layout: absent from older documents.
_DEFAULTS: dict[str, Any] = {
    "claims_over_limit": 0,
    "claims_confirmed_revision": None,
    "checked_sentences": (),
    "sentences_to_check": 0,
    "language": None,
}


def _stories() -> Any:
    return Story._get_collection()


def _revisions() -> Any:
    return Revision._get_collection()


def story_of(doc: dict[str, Any]) -> StoryRecord:
    values: dict[str, Any] = {name: doc.get(name, _DEFAULTS.get(name)) for name in _STORY_FIELDS}
    values["checked_sentences"] = tuple(values["checked_sentences"] or ())
    return StoryRecord(**values)


def revision_of(doc: dict[str, Any]) -> RevisionRecord:
    values: dict[str, Any] = {name: doc.get(name, _DEFAULTS.get(name)) for name in _REVISION_FIELDS}
    return RevisionRecord(**values)


# --- inside a transaction ----------------------------------------------------------------


def load_story(story_id: str, session: ClientSession | None = None) -> StoryRecord | None:
    doc = _stories().find_one({"story_id": story_id}, session=session)
    return story_of(doc) if doc else None


def load_stories(story_ids: list[str], session: ClientSession | None = None) -> list[StoryRecord]:
    return [story_of(d) for d in _stories().find({"story_id": {"$in": story_ids}}, session=session)]


def insert_revision(session: ClientSession, revision: RevisionRecord) -> None:
    _revisions().insert_one(dataclasses.asdict(revision), session=session)


def insert_revisions(session: ClientSession, revisions: list[RevisionRecord]) -> None:
    _revisions().insert_many([dataclasses.asdict(r) for r in revisions], session=session)


def insert_stories(
    session: ClientSession, revisions: list[tuple[RevisionRecord, str | None]], now: datetime
) -> list[StoryRecord]:
    """New stories, each at its first version with ``revision`` current (as ``bump_story``
    makes them), with the trace of the report that began it; the unique story id refuses
    one that exists already.

    Their snapshots are handed off: the consumer that stores them sends each one with its
    receipt and then marks it sent (:func:`snapshots_handed_off`), so the outbox does not
    read them back; their outbox rows fall due only after :data:`HANDOFF`, for when that
    send never happened (a crash, a broker that did not take it)."""
    docs = [
        {
            "story_id": r.story_id,
            "version": 1,
            **{name: getattr(r, name) for name in CURRENT_FIELDS},
            "outbox": {**shared_outbox.new_row(now + HANDOFF), "full": True},
            SNAPSHOT_TRACE: trace_id,
            "created_at": now,
            "updated_at": now,
        }
        for r, trace_id in revisions
    ]
    _stories().insert_many(docs, session=session)
    return [story_of(d) for d in docs]


def snapshots_handed_off(sent: list[tuple[str, int, Mapping[str, Any]]], now: datetime) -> None:
    """Each ``(story_id, version, also)``: its snapshot went out with its receipt; its outbox
    row is done unless the story changed since (then the outbox sends the newer state)."""
    SNAPSHOT_ROWS.done_unclaimed(sent, now, key="story_id")


def existing_stories(story_ids: list[str]) -> set[str]:
    found = _stories().find({"story_id": {"$in": story_ids}}, projection={"story_id": 1})
    return {str(d["story_id"]) for d in found}


def bump_story(
    session: ClientSession,
    story_id: str,
    now: datetime,
    *,
    current: RevisionRecord | None = None,
    expect_revision: int | None = None,
    sweep: bool = False,
    leases_only: bool = False,
) -> StoryRecord | None:
    """Raise the story's version (creating the story for its first revision) and make
    its outbox row due.

    ``current`` makes that revision the story's current one. ``expect_revision`` applies
    the change only while the story is still at that revision; None is returned otherwise.
    ``leases_only``: only who holds a claim changed, so readers need no whole snapshot.
    ``sweep``: claims of an earlier revision are left open for the sweep to close.
    """
    query: dict[str, Any] = {"story_id": story_id}
    if expect_revision is not None:
        query["revision"] = expect_revision
    changed = shared_outbox.due_now(now)
    # The trace of the change rides with the event it makes due (stories.reviewed).
    changed[SNAPSHOT_TRACE] = current_trace_id()
    if not leases_only:
        changed[OUTBOX_FULL] = True
    update: dict[str, Any] = {"$inc": {"version": 1}, "$set": {"updated_at": now, **changed}}
    if sweep:
        update["$set"]["sweep_pending"] = True
    if current is not None:
        update["$set"].update({name: getattr(current, name) for name in CURRENT_FIELDS})
        update["$setOnInsert"] = {"created_at": now}
    doc = update_and_read(_stories(), query, update, session=session, upsert=current is not None)
    return story_of(doc) if doc else None


# --- reads -------------------------------------------------------------------------------


def revision_by_report(report_id: str) -> RevisionRecord | None:
    doc = _revisions().find_one({"report_id": report_id})
    return revision_of(doc) if doc else None


def revisions_by_report(report_ids: list[str]) -> dict[str, RevisionRecord]:
    """The stored revisions of these report ids (the ones seen before), by report id."""
    if not report_ids:
        return {}
    found = _revisions().find({"report_id": {"$in": report_ids}})
    return {str(d["report_id"]): revision_of(d) for d in found}


def revision_span(story_id: str, revision: int) -> int:
    """The length of a stored revision's text (its body, or its headline if longer),
    where its claims start; 0 when there is none."""
    doc = _revisions().find_one(
        {"story_id": story_id, "revision": revision}, {"body": 1, "headline": 1}
    )
    return max(len(doc.get("body") or ""), len(doc.get("headline") or "")) if doc else 0


def stories_with_claims(story_ids: list[str], claims: int) -> list[str]:
    """The stories among ``story_ids`` with a stored revision of at least ``claims``."""
    query = {"story_id": {"$in": story_ids}, "claims": {"$gte": claims}}
    return sorted({str(d["story_id"]) for d in _revisions().find(query, {"story_id": 1})})


def stories_changed_after(
    after: datetime | None,
    after_story: str | None,
    limit: int,
    session: ClientSession | None = None,
) -> list[StoryRecord]:
    """Stories in (updated_at, story_id) order strictly after the given position."""
    return [story_of(d) for d in _changed_after(after, after_story, limit, None, session)]


def story_versions_after(
    after: datetime | None, after_story: str | None, limit: int
) -> list[tuple[str, int, datetime]]:
    """(story_id, version, updated_at) of the stories :func:`stories_changed_after` would
    give: only those three fields are read, never a body or a claim."""
    fields = {"_id": 0, "story_id": 1, "version": 1, "updated_at": 1}
    found = _changed_after(after, after_story, limit, fields, None)
    return [(str(d["story_id"]), int(d["version"]), d["updated_at"]) for d in found]


def _changed_after(
    after: datetime | None,
    after_story: str | None,
    limit: int,
    projection: dict[str, int] | None,
    session: ClientSession | None,
) -> list[dict[str, Any]]:
    """After a cursor: the rest of its change time, then the later ones, each a range on
    the ``(updated_at, story_id)`` index. One filter with ``$or`` read every story (the
    store scans for a top-level ``$or``): every page of publish's catch-up after its first."""
    order = [("updated_at", 1), ("story_id", 1)]

    def read(query: dict[str, Any], n: int) -> list[dict[str, Any]]:
        found = _stories().find(query, projection, session=session)
        return list(found.sort(order).limit(n))

    if after is None:
        return read({}, limit)
    page: list[dict[str, Any]] = []
    if after_story is not None:
        page = read({"updated_at": after, "story_id": {"$gt": after_story}}, limit)
    if len(page) < limit:
        page += read({"updated_at": {"$gt": after}}, limit - len(page))
    return page


def stories_to_sweep(limit: int) -> list[str]:
    found = _stories().find({"sweep_pending": True}, projection={"story_id": 1}).limit(limit)
    return [str(d["story_id"]) for d in found]


def clear_sweep(story_id: str, version: int) -> None:
    """Nothing left to sweep at ``version``; a story changed since keeps its mark."""
    _stories().update_one(
        {"story_id": story_id, "version": version, "sweep_pending": True},
        {"$unset": {"sweep_pending": ""}},
    )


OUTBOX_FULL = "outbox.full"
# How long a new story's snapshot is left to the consumer that stored it (see
# ``insert_stories``); a round sends and marks it well within this.
HANDOFF = timedelta(seconds=10)
SNAPSHOT_TRACE = "snapshot_trace_id"
SNAPSHOT_ROWS = shared_outbox.OutboxRows(lambda: _stories())
