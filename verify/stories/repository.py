"""Stories and their revisions: documents, records and queries.

A story document holds its current revision's text (what snapshots show) and ``version``,
raised with ``$inc`` in the transaction of every change of the story or its claims.
The story is also its own outbox row (:mod:`services.outbox`): that same transaction
makes it due, and the snapshot outbox (:mod:`verify.outbox`) closes it once the event
of that exact version was acknowledged. ``outbox.full`` says whether anything but the
leases changed since the last whole snapshot went out.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mongoengine import BooleanField, DateTimeField, DictField, Document, IntField, StringField
from pymongo import ReturnDocument
from pymongo.client_session import ClientSession

from services import outbox as shared_outbox
from services.log import current_trace_id

ALIAS = "verify"


class Story(Document):
    story_id = StringField(required=True)
    version = IntField(required=True)
    revision = IntField(required=True)
    report_id = StringField(required=True)
    reporter_id = StringField(required=True)
    byline = StringField(required=True)
    headline = StringField(required=True)
    body = StringField(required=True)
    section = StringField(required=True)
    publish_when_cleared = BooleanField(required=True)
    claims_over_limit = IntField(default=0)
    outbox = DictField()
    # Claims of an earlier revision are still open: the sweep closes them.
    sweep_pending = BooleanField()
    created_at = DateTimeField(required=True)
    updated_at = DateTimeField(required=True)

    meta = {
        "db_alias": ALIAS,
        "collection": "stories",
        "indexes": [
            {"fields": ["story_id"], "unique": True},
            # GET /v1/snapshots: oldest change first.
            {"fields": ["updated_at", "story_id"]},
            shared_outbox.INDEX,
            {"fields": ["sweep_pending"], "sparse": True},
        ],
    }


class Revision(Document):
    story_id = StringField(required=True)
    revision = IntField(required=True)
    report_id = StringField(required=True)
    reporter_id = StringField(required=True)
    byline = StringField(required=True)
    headline = StringField(required=True)
    body = StringField(required=True)
    section = StringField(required=True)
    publish_when_cleared = BooleanField(required=True)
    accepted_at = DateTimeField(required=True)
    received_at = DateTimeField(required=True)
    claims = IntField(required=True)
    claims_over_limit = IntField(default=0)
    superseded = BooleanField(required=True)

    meta = {
        "db_alias": ALIAS,
        "collection": "revisions",
        "indexes": [
            # Exactly once: a report seen twice cannot make a second revision.
            {"fields": ["report_id"], "unique": True},
            {"fields": ["story_id", "revision"], "unique": True},
        ],
    }


DOCUMENTS = (Story, Revision)


@dataclass(frozen=True)
class StoryRecord:
    story_id: str
    version: int
    revision: int
    report_id: str
    reporter_id: str
    byline: str
    headline: str
    body: str
    section: str
    publish_when_cleared: bool
    updated_at: datetime
    claims_over_limit: int = 0


@dataclass(frozen=True)
class RevisionRecord:
    story_id: str
    revision: int
    report_id: str
    reporter_id: str
    byline: str
    headline: str
    body: str
    section: str
    publish_when_cleared: bool
    accepted_at: datetime
    received_at: datetime
    claims: int
    superseded: bool
    claims_over_limit: int = 0


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
)
# Fields stored after the first release of this layout: absent from older documents.
_DEFAULTS: dict[str, Any] = {"claims_over_limit": 0}


def _stories() -> Any:
    return Story._get_collection()


def _revisions() -> Any:
    return Revision._get_collection()


def story_of(doc: dict[str, Any]) -> StoryRecord:
    values: dict[str, Any] = {name: doc.get(name, _DEFAULTS.get(name)) for name in _STORY_FIELDS}
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
) -> None:
    """New stories, each at its first version with ``revision`` current (as ``bump_story``
    makes them), with the trace of the report that began it; the unique story id refuses
    one that exists already."""
    docs = [
        {
            "story_id": r.story_id,
            "version": 1,
            **{name: getattr(r, name) for name in CURRENT_FIELDS},
            "outbox": {**shared_outbox.new_row(now), "full": True},
            SNAPSHOT_TRACE: trace_id,
            "created_at": now,
            "updated_at": now,
        }
        for r, trace_id in revisions
    ]
    _stories().insert_many(docs, session=session)


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
    doc = _stories().find_one_and_update(
        query,
        update,
        session=session,
        upsert=current is not None,
        return_document=ReturnDocument.AFTER,
    )
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


def stories_changed_after(
    after: datetime | None,
    after_story: str | None,
    limit: int,
    session: ClientSession | None = None,
) -> list[StoryRecord]:
    """Stories in (updated_at, story_id) order strictly after the given position."""
    query: dict[str, Any] = {}
    if after is not None and after_story is not None:
        query = {
            "$or": [
                {"updated_at": {"$gt": after}},
                {"updated_at": after, "story_id": {"$gt": after_story}},
            ]
        }
    elif after is not None:
        query = {"updated_at": {"$gt": after}}
    order = [("updated_at", 1), ("story_id", 1)]
    cursor = _stories().find(query, session=session).sort(order).limit(limit)
    return [story_of(d) for d in cursor]


def stories_to_sweep(limit: int) -> list[str]:
    found = _stories().find({"sweep_pending": True}, projection={"story_id": 1}).limit(limit)
    return [str(d["story_id"]) for d in found]


def clear_sweep(story_id: str, version: int) -> None:
    """Nothing left to sweep at ``version``; a story changed since keeps its mark."""
    _stories().update_one(
        {"story_id": story_id, "version": version, "sweep_pending": True},
        {"$unset": {"sweep_pending": ""}},
    )


# --- the snapshot outbox ------------------------------------------------------------------

OUTBOX_FULL = "outbox.full"
SNAPSHOT_TRACE = "snapshot_trace_id"
SNAPSHOT_ROWS = shared_outbox.OutboxRows(lambda: _stories())
