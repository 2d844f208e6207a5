"""The read model, publications, releases (the outbox) and counters in publish's database.

Everything that must change together (read model, publication, release row, deliveries)
changes in one :func:`transaction`: the rules' function receives the session and hands
it to these functions (and to :mod:`publish.webhooks.repository`'s) as ``session=``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from mongoengine import (
    BooleanField,
    DateTimeField,
    DictField,
    Document,
    IntField,
    ListField,
    StringField,
)
from pymongo import ASCENDING, DESCENDING
from pymongo.client_session import ClientSession
from pymongo.errors import DuplicateKeyError

from publish.store import ALIAS, from_doc, to_doc
from publish.stories.model import Departure, Publication, ReleaseRow, State, StoryRow
from services import outbox as shared_outbox
from services import store

T = TypeVar("T")


class StoryDoc(Document):
    story_id = StringField(primary_key=True)
    version = IntField(required=True)
    revision = IntField(required=True)
    section = StringField(required=True)
    headline = StringField()
    state = StringField(required=True)
    publishable = BooleanField()
    auto_release = BooleanField()
    snapshot = DictField()
    snapshot_updated_at = DateTimeField()
    changed_at = DateTimeField(required=True)

    meta = {
        "db_alias": ALIAS,
        "collection": "stories",
        "strict": False,
        # The desk's listing, by state or not: a later page is two ranges of one of the
        # first two (``stories``), the story id breaking ties in the change time.
        "indexes": [
            ("state", "-changed_at", "-story_id"),
            ("-changed_at", "-story_id"),
            "auto_release",
        ],
    }
    # Their forms without the story id, built before: dropped at start (services.store).
    retired_indexes = ("state_1_changed_at_-1", "changed_at_-1")


class PublicationDoc(Document):
    story_id = StringField(primary_key=True)
    seq = IntField(required=True)
    section = StringField(required=True)
    modified_at = DateTimeField()
    claims = ListField(DictField())

    meta = {
        "db_alias": ALIAS,
        "collection": "publications",
        "strict": False,
        "indexes": [
            {"fields": ["-seq"], "unique": True},
            ("section", "-seq"),
        ],
    }


class DepartureDoc(Document):
    """A story's marker in a section it left (``Departure``): read with the section's
    publications, in the same order (``seq``)."""

    departure_id = StringField(primary_key=True)
    section = StringField(required=True)
    seq = IntField(required=True)

    meta = {
        "db_alias": ALIAS,
        "collection": "departures",
        "strict": False,
        "indexes": [("section", "-seq")],
    }


class ReleaseDoc(Document):
    release_id = StringField(primary_key=True)
    story_id = StringField(required=True)
    seq = IntField(required=True)
    created_at = DateTimeField(required=True)
    event = DictField()
    outbox = DictField()

    meta = {
        "db_alias": ALIAS,
        "collection": "releases",
        "strict": False,
        "indexes": [shared_outbox.INDEX, ("story_id", "-seq")],
    }


class CounterDoc(Document):
    """Named counters and marks: the feed sequence, the catch-up watermark."""

    name = StringField(primary_key=True)
    value = IntField(default=0)
    at = DateTimeField()

    meta = {"db_alias": ALIAS, "collection": "counters", "strict": False}


DOCUMENTS = (StoryDoc, PublicationDoc, DepartureDoc, ReleaseDoc, CounterDoc)
FEED_SEQ = "feed_seq"
CATCHUP = "catchup"
# Per section: when a story last left it (a revision moved it to another section).
SECTION_LEFT = "section_left:"


def transaction(work: Callable[[ClientSession], T]) -> T:
    """Run ``work(session)`` as one transaction of publish's database (retried whole on a
    write conflict, :func:`services.store.transaction`), so the rules in ``service.py``
    run again on fresh data. The writes below take that session first, the reads as
    ``session=`` (None: read alone)."""
    return store.transaction(ALIAS, work)


def save_story(session: ClientSession, row: StoryRow) -> None:
    StoryDoc._get_collection().replace_one(
        {"_id": row.story_id}, to_doc(row, "story_id"), upsert=True, session=session
    )


def save_publication(session: ClientSession, publication: Publication) -> None:
    PublicationDoc._get_collection().replace_one(
        {"_id": publication.story_id},
        to_doc(publication, "story_id"),
        upsert=True,
        session=session,
    )


def next_seq(session: ClientSession) -> int:
    raw = store.update_and_read(
        CounterDoc._get_collection(),
        {"_id": FEED_SEQ},
        {"$inc": {"value": 1}},
        session=session,
        upsert=True,
    )
    assert raw is not None  # upserted
    return int(raw["value"])


def mark_section_left(session: ClientSession, section: str, at: datetime) -> None:
    CounterDoc._get_collection().update_one(
        {"_id": SECTION_LEFT + section}, {"$max": {"at": at}}, upsert=True, session=session
    )


def save_departure(session: ClientSession, departure: Departure) -> None:
    """The story's marker in the section it left (a later move out of it replaces it)."""
    DepartureDoc._get_collection().replace_one(
        {"_id": departure.departure_id},
        to_doc(departure, "departure_id"),
        upsert=True,
        session=session,
    )


def drop_departure(session: ClientSession, section: str, story_id: str) -> None:
    """The story is back in ``section``: its own item stands there, not a marker."""
    DepartureDoc._get_collection().delete_one(
        {"_id": Departure.key(section, story_id)}, session=session
    )


def add_release(session: ClientSession, release: ReleaseRow) -> None:
    """The release row, due in the outbox from the moment it commits."""
    doc = {**to_doc(release, "release_id"), "outbox": shared_outbox.new_row(release.created_at)}
    doc.pop("sent_at", None)  # kept in the outbox fields
    ReleaseDoc._get_collection().insert_one(doc, session=session)


# --- reads ------------------------------------------------------------------------------


def story(story_id: str, session: ClientSession | None = None) -> StoryRow | None:
    raw = StoryDoc._get_collection().find_one({"_id": story_id}, session=session)
    return from_doc(StoryRow, raw, "story_id") if raw else None


def versions(story_ids: list[str]) -> dict[str, int]:
    """The version publish holds of each of these stories (absent when it has none)."""
    found = StoryDoc._get_collection().find({"_id": {"$in": story_ids}}, {"version": 1})
    return {str(raw["_id"]): int(raw["version"]) for raw in found}


def story_verdict(story_id: str) -> tuple[State, str | None] | None:
    """A story's state and its stored verdict (JSON), without reading its snapshot."""
    raw = StoryDoc._get_collection().find_one({"_id": story_id}, {"state": 1, "verdict_json": 1})
    return (State(raw["state"]), raw.get("verdict_json")) if raw else None


def stories(
    state: State | None, section: str | None, before: tuple[datetime, str] | None, limit: int
) -> list[StoryRow]:
    """Newest change first; ``before`` is the (changed_at, story_id) of the last row seen."""
    match: dict[str, Any] = {}
    if state is not None:
        match["state"] = state.value
    if section is not None:
        match["section"] = section
    order = [("changed_at", DESCENDING), ("_id", DESCENDING)]

    def read(query: dict[str, Any], n: int) -> list[StoryRow]:
        found = _stories().find(query).sort(order).limit(n)
        return [from_doc(StoryRow, raw, "story_id") for raw in found]

    # A later page: ranges of ``(state, -changed_at, -_id)`` or ``(-changed_at, -_id)``,
    # not one filter with ``$or``, which the store answered by reading every story.
    return store.keyset_page(read, match, ("changed_at", "_id"), before, limit, descending=True)


def _stories() -> Any:
    return StoryDoc._get_collection()


def auto_release_candidates(limit: int) -> list[tuple[str, str | None]]:
    """Stories to release once cleared, each with the trace of the snapshot that marked
    it (its release carries it on)."""
    query, fields = {"auto_release": True}, {"_id": 1, "trace_id": 1}
    cursor = StoryDoc._get_collection().find(query, fields).limit(limit)
    return [(str(raw["_id"]), raw.get("trace_id") or None) for raw in cursor]


def publication(story_id: str, session: ClientSession | None = None) -> Publication | None:
    raw = PublicationDoc._get_collection().find_one({"_id": story_id}, session=session)
    return from_doc(Publication, raw, "story_id") if raw else None


def publications(section: str | None, before_seq: int | None, limit: int) -> list[Publication]:
    """Newest change first (by ``seq``), for feed pages."""
    query: dict[str, Any] = {}
    if section is not None:
        query["section"] = section
    if before_seq is not None:
        query["seq"] = {"$lt": before_seq}
    cursor = PublicationDoc._get_collection().find(query).sort("seq", DESCENDING).limit(limit)
    return [from_doc(Publication, raw, "story_id") for raw in cursor]


def departures(section: str, before_seq: int | None, limit: int) -> list[Departure]:
    """The markers of stories that left ``section``, newest first (by ``seq``)."""
    query: dict[str, Any] = {"section": section}
    if before_seq is not None:
        query["seq"] = {"$lt": before_seq}
    cursor = DepartureDoc._get_collection().find(query).sort("seq", DESCENDING).limit(limit)
    return [from_doc(Departure, raw, "departure_id") for raw in cursor]


def section_left_at(section: str) -> datetime | None:
    raw = CounterDoc._get_collection().find_one({"_id": SECTION_LEFT + section})
    at = raw.get("at") if raw else None
    return at if isinstance(at, datetime) else None


def feed_seq() -> int:
    """The number of the latest change to any publication (0 before the first)."""
    raw = CounterDoc._get_collection().find_one({"_id": FEED_SEQ})
    return int(raw["value"]) if raw else 0


# --- the outbox ---------------------------------------------------------------------------


RELEASE_ROWS = shared_outbox.OutboxRows(lambda: ReleaseDoc._get_collection())


def release_of(raw: dict[str, Any]) -> ReleaseRow:
    sent_at = (raw.get("outbox") or {}).get("sent_at")
    return from_doc(ReleaseRow, {**raw, "sent_at": sent_at}, "release_id")


def releases_of(story_id: str) -> list[ReleaseRow]:
    cursor = ReleaseDoc._get_collection().find({"story_id": story_id}).sort("seq", ASCENDING)
    return [release_of(raw) for raw in cursor]


# --- catch-up watermark -------------------------------------------------------------------


def catchup_watermark() -> datetime | None:
    raw = CounterDoc._get_collection().find_one({"_id": CATCHUP})
    at = raw.get("at") if raw else None
    return at if isinstance(at, datetime) else None


def advance_catchup_watermark(at: datetime) -> None:
    """Move the watermark forward only (two replicas may race)."""
    collection = CounterDoc._get_collection()
    # The store's write path serves no filter with a top-level ``$or`` from an index, so
    # this reads every counter: two documents (FEED_SEQ, CATCHUP), however long the
    # history. A duplicate key means the stored watermark is already later.
    with contextlib.suppress(DuplicateKeyError):
        collection.update_one(
            {"_id": CATCHUP, "$or": [{"at": None}, {"at": {"$lt": at}}]},
            {"$set": {"at": at}},
            upsert=True,
        )
