"""Accepted reports in ingest's database, and the queries on them.

A report is its own outbox row (:mod:`services.outbox`): it is inserted due, and stays
due (re-sent by the relay) until verify's receipt sets ``delivered_at`` and closes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from mongoengine import (
    BooleanField,
    DateTimeField,
    DictField,
    Document,
    IntField,
    ListField,
    StringField,
)
from pymongo import DESCENDING, UpdateOne
from pymongo.errors import BulkWriteError, OperationFailure

from services import outbox as shared_outbox
from services import store
from services.coalesce import Coalescer

ALIAS = "ingest"


class Report(Document):
    report_id = StringField(primary_key=True)
    story_id = StringField(required=True)
    revision = IntField(required=True, min_value=1)
    reporter_id = StringField(required=True)
    byline = StringField(required=True)
    idempotency_key = StringField(required=True)
    request_hash = StringField(required=True)
    headline = StringField(required=True)
    body = StringField(required=True)
    section = StringField(required=True)
    claims = ListField(DictField())
    publish_when_cleared = BooleanField(default=False)
    # A BCP 47 tag; absent on reports stored before reports had one (the default's).
    language = StringField()
    trace_id = StringField()
    accepted_at = DateTimeField(required=True)
    # state name -> first time it was reached (accepted, queued, in_review, ...)
    timeline = DictField()
    # Why the revision is held now, from verify's newest event (``held_version``).
    held = ListField(StringField())
    held_version = IntField()
    # Why publish flagged the released revision for a correction (``needs_correction``).
    corrections = ListField(StringField())
    # The latest flag for a correction, and the latest release of this revision (its
    # ``timeline`` keeps the first of each): a release after the last flag is the
    # correction readers now see (:func:`stories`). Absent on reports stored before.
    flagged_at = DateTimeField()
    released_at = DateTimeField()
    delivered_at = DateTimeField()
    outbox = DictField()

    # Each index is an entry the store writes itself (Python) on every insert and every
    # update of a report, about 0.2 ms of its CPU each (``make bench``): only those a
    # query uses. A reporter's first page is served by the idempotency index's leading
    # ``reporter_id``, its later pages by ranges of the listing index (the rest of the
    # cursor's time by report id, then earlier times: ``page``); with a top-level
    # ``$or`` instead, every later page read the whole collection, every reporter's
    # reports. SecantusDB answers an unfiltered sort on two fields (the editors'
    # listing) by reading the collection whatever the indexes (``explain``,
    # ``tests/ingest/test_report_indexes.py``).
    meta = {
        "db_alias": ALIAS,
        "collection": "reports",
        "indexes": [
            {"fields": ["reporter_id", "idempotency_key"], "unique": True},
            {"fields": ["story_id", "revision"], "unique": True},
            shared_outbox.INDEX,
            ("reporter_id", "-accepted_at", "-report_id"),
        ],
    }
    # The listings' indexes an older version built: dropped at start (services.store).
    retired_indexes = ("reporter_id_1_accepted_at_-1", "accepted_at_-1")


class QueuedMark(Document):
    """When a report was first sent to verify by the relay it was handed to at once
    (:class:`Handoff`): one small insert for the batches sent in a poll interval of the
    relay (``ingest.relay.MARKS_BATCH``), where marking the reports
    themselves would rewrite each report and its four index entries (``make bench``).
    Read into the report's timeline as ``queued`` (:func:`find`, :func:`page`)."""

    report_id = StringField(primary_key=True)
    at = DateTimeField(required=True)

    meta = {"db_alias": ALIAS, "collection": "reports_queued"}


DOCUMENTS = (Report, QueuedMark)


@dataclass(frozen=True)
class ReportRecord:
    report_id: str
    story_id: str
    revision: int
    reporter_id: str
    byline: str
    request_hash: str
    headline: str
    body: str
    section: str
    claims: list[dict[str, Any]]
    publish_when_cleared: bool
    trace_id: str | None
    accepted_at: datetime
    timeline: dict[str, datetime]
    held: list[str] = field(default_factory=list)
    # None: stored before reports had a language (the newsroom's default stands for it).
    language: str | None = None
    # Why publish flagged this released revision for a correction, oldest first.
    corrections: list[str] = field(default_factory=list)
    # When publish last flagged it (None: never, or the timeline's first flag stands).
    flagged_at: datetime | None = None

    @property
    def last_flagged(self) -> datetime | None:
        """When publish last flagged this revision for a correction, if it did."""
        return self.flagged_at or self.timeline.get("needs_correction")


class DuplicateKey(Exception):
    """The idempotency key was taken meanwhile."""


class DuplicateRevision(Exception):
    """Another report took this revision number meanwhile."""


def _record(doc: dict[str, Any]) -> ReportRecord:
    return ReportRecord(
        report_id=doc["_id"],
        story_id=doc["story_id"],
        revision=doc["revision"],
        reporter_id=doc["reporter_id"],
        byline=doc["byline"],
        request_hash=doc["request_hash"],
        headline=doc["headline"],
        body=doc["body"],
        section=doc["section"],
        claims=doc.get("claims", []),
        publish_when_cleared=doc.get("publish_when_cleared", False),
        trace_id=doc.get("trace_id"),
        accepted_at=doc["accepted_at"],
        timeline=doc.get("timeline", {}),
        held=doc.get("held", []),
        language=doc.get("language"),
        corrections=doc.get("corrections", []),
        flagged_at=doc.get("flagged_at"),
    )


def _reports() -> Any:
    return Report._get_collection()


def find_by_key(reporter_id: str, key: str) -> ReportRecord | None:
    doc = _reports().find_one({"reporter_id": reporter_id, "idempotency_key": key})
    return _record(doc) if doc else None


def find(report_id: str) -> ReportRecord | None:
    doc = _reports().find_one({"_id": report_id})
    return _with_queued([_record(doc)])[0] if doc else None


def latest_revision(story_id: str) -> ReportRecord | None:
    doc = _reports().find_one({"story_id": story_id}, sort=[("revision", DESCENDING)])
    return _record(doc) if doc else None


@dataclass(frozen=True)
class StoryFacts:
    """What a story's reports say about the story as a whole."""

    latest: int  # its latest revision
    retracted: datetime | None = None  # when publish retracted it (the withdrawn one's mark)
    released: datetime | None = None  # publish's latest release of any of its revisions


def stories(story_ids: list[str]) -> dict[str, StoryFacts]:
    """Each story's latest revision, retraction and latest release, in one read of its
    reports (by the ``(story_id, revision)`` index; a story has few)."""
    found = _reports().find(
        {"story_id": {"$in": story_ids}},
        projection={"story_id": 1, "revision": 1, "released_at": 1,
                    "timeline.published": 1, "timeline.retracted": 1},
    )  # fmt: skip
    facts: dict[str, StoryFacts] = {}
    for doc in found:
        story_id, timeline = doc["story_id"], doc.get("timeline", {})
        known = facts.get(story_id, StoryFacts(0))
        # A report stored before ``released_at`` has its first release only.
        released = [t for t in (known.released, doc.get("released_at"),
                                timeline.get("published")) if t is not None]  # fmt: skip
        facts[story_id] = StoryFacts(
            latest=max(known.latest, doc["revision"]),
            retracted=known.retracted or timeline.get("retracted"),
            released=max(released) if released else None,
        )
    return facts


def retracted_at(story_id: str) -> datetime | None:
    """When publish retracted the story (its retraction marks the revision it withdrew),
    or None. A story has few reports, read by the ``(story_id, revision)`` index."""
    doc = _reports().find_one(
        {"story_id": story_id, "timeline.retracted": {"$exists": True}},
        projection={"timeline.retracted": 1},
    )
    return doc["timeline"]["retracted"] if doc else None


async def insert(record: ReportRecord, idempotency_key: str) -> None:
    """Store a new report; returns once the store acknowledged it (see :func:`_insert_batch`).

    The document is written as a plain dict, as :class:`Report` would store it: building
    and validating a mongoengine document cost about 1 ms of CPU per report, more than
    the rest of the request (``make bench``). The service hands in checked values, and the
    collection's unique indexes are the constraints that matter here."""
    await _inserts.acall(document(record, idempotency_key))


def document(record: ReportRecord, idempotency_key: str) -> dict[str, Any]:
    """The stored form of a new report: :class:`Report`'s fields (``_id`` for the id, no
    key for a None value, as mongoengine stores it)."""
    doc: dict[str, Any] = {
        "_id": record.report_id,
        "story_id": record.story_id,
        "revision": record.revision,
        "reporter_id": record.reporter_id,
        "byline": record.byline,
        "idempotency_key": idempotency_key,
        "request_hash": record.request_hash,
        "headline": record.headline,
        "body": record.body,
        "section": record.section,
        "claims": record.claims,
        "publish_when_cleared": record.publish_when_cleared,
        "accepted_at": record.accepted_at,
        "timeline": {"accepted": record.accepted_at},
        "outbox": shared_outbox.new_row(record.accepted_at),
        "held": list(record.held),
        "corrections": list(record.corrections),
    }
    if record.trace_id is not None:
        doc["trace_id"] = record.trace_id
    if record.language is not None:
        doc["language"] = record.language
    return doc


@dataclass(frozen=True)
class Handoff:
    """Where stored reports go at once: the relay of this process, which sends them from
    memory without reading them back. They are stored claimed by it (``token``) and due
    at their first re-send (``resend_after`` from now), so no other replica sends them
    meanwhile and a sent batch needs no write to its reports: it is marked queued by a
    small insert (:func:`mark_queued`), with the batches sent meanwhile. If this process
    dies before sending them, they are due all the same, and any relay sends them then: a
    report answered 202 is stored, and re-sent until verify's receipt."""

    token: str
    resend_after: timedelta
    take: Callable[[list[dict[str, Any]]], None]
    # Told each report verify has (its receipt or its story's snapshot arrived): the
    # relay follows how far verify has got.
    confirmed: Callable[[str], None] | None = None


_handoff: Handoff | None = None


def hand_stored_to(handoff: Handoff | None) -> Handoff | None:
    """Hand reports stored from now on to ``handoff`` (None: leave them to the relay's
    poll); answer the one it replaces."""
    global _handoff
    previous, _handoff = _handoff, handoff
    return previous


def _insert_batch(docs: list[dict[str, Any]]) -> list[Exception | None]:
    """Concurrent requests' reports, written together: one ``insert_many`` per batch.

    Every report is an insert on the request's path, and the store answers one command
    at a time, so a command per report is what caps ingest (``make bench``). The batch is
    written unordered, so one duplicate does not hold back the rest; each caller hears its
    own outcome, and only once the store acknowledged it. What was stored goes to this
    process's relay as one batch (:class:`Handoff`)."""
    handoff = _handoff
    if handoff is not None:
        for doc in docs:
            first_resend = doc["accepted_at"] + handoff.resend_after
            doc["outbox"] = {**doc["outbox"], "due": first_resend, "handed": True,
                             "claim": handoff.token, "until": first_resend}  # fmt: skip
    outcomes: list[Exception | None] = [None] * len(docs)
    try:
        _reports().insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        for error in exc.details.get("writeErrors", []):
            index = error["index"]
            if error.get("code") == DUPLICATE_KEY:
                key = str(error.get("keyPattern") or error.get("errmsg", ""))
                taken = DuplicateKey if "idempotency_key" in key else DuplicateRevision
                outcomes[index] = taken()
            else:
                outcomes[index] = OperationFailure(error.get("errmsg", "write failed"))
    if handoff is not None:
        stored = [doc for doc, outcome in zip(docs, outcomes, strict=True) if outcome is None]
        if stored:
            handoff.take(stored)
    return outcomes


DUPLICATE_KEY = 11000
_inserts: Coalescer[dict[str, Any], None] = Coalescer(
    "ingest-group-commit", _insert_batch, max_batch=256
)


def page(
    reporter_id: str | None, before: tuple[datetime, str] | None, limit: int
) -> list[ReportRecord]:
    """Newest first; ``before`` is the (accepted_at, report_id) of the last one seen."""
    order = [("accepted_at", DESCENDING), ("_id", DESCENDING)]

    def read(query: dict[str, Any], n: int) -> list[ReportRecord]:
        found = _reports().find(query, projection={"body": False}).sort(order).limit(n)
        return [_record({**doc, "body": ""}) for doc in found]

    if reporter_id is None and before is not None:
        # The editors' listing: every report is in its range, and no index leads with
        # ``accepted_at`` (one would cost every report's writes), so the store reads the
        # collection for any filter of it: one read with ``$or``, not two such.
        at, report_id = before
        records = read(
            {"$or": [{"accepted_at": {"$lt": at}}, {"accepted_at": at, "_id": {"$lt": report_id}}]},
            limit,
        )
    else:
        # A reporter's: ranges of the listing index, never every report (``keyset_page``).
        match = {} if reporter_id is None else {"reporter_id": reporter_id}
        records = store.keyset_page(
            read, match, ("accepted_at", "_id"), before, limit, descending=True
        )
    return _with_queued(records)


def _with_queued(records: list[ReportRecord]) -> list[ReportRecord]:
    """The records with ``queued`` in their timeline from their :class:`QueuedMark`, when
    it is earlier than the one they carry (a receipt sets ``queued`` if nothing did)."""
    if not records:
        return records
    marks = {
        d["_id"]: d["at"]
        for d in QueuedMark._get_collection().find({"_id": {"$in": [r.report_id for r in records]}})
    }
    out = []
    for record in records:
        at = marks.get(record.report_id)
        known = record.timeline.get("queued")
        if at is not None and (known is None or at < known):
            record = replace(record, timeline={**record.timeline, "queued": at})
        out.append(record)
    return out


def mark_queued(marks: Sequence[tuple[str, datetime]]) -> None:
    """Each report was sent to verify at its time (a mark already there stays)."""
    if not marks:
        return
    try:
        QueuedMark._get_collection().insert_many(
            [{"_id": report_id, "at": at} for report_id, at in marks], ordered=False
        )
    except BulkWriteError as exc:
        if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
            raise


# --- the relay's rows ---------------------------------------------------------------

RELAY_ROWS = shared_outbox.OutboxRows(lambda: _reports())


def record_of(doc: dict[str, Any]) -> ReportRecord:
    return _record(doc)


# --- the timeline ---------------------------------------------------------------------
#
# Every mark is one update of one report found by ``_id`` alone: SecantusDB answers a
# filter of ``_id`` and anything else (``$or``, a version bound) by reading every report
# of the collection (``explain``: COLLSCAN; 60-400 ms at 3,000 reports), so a condition
# goes into the update itself (an update pipeline), never into the filter.


@dataclass(frozen=True)
class Delivered:
    """Verify has the report (its receipt): it is queued and in review, and the relay's
    row is closed."""

    report_id: str
    at: datetime


@dataclass(frozen=True)
class Held:
    """Why the revision is held as of story ``version`` (empty: it is not)."""

    report_id: str
    held: list[str]
    version: int


@dataclass(frozen=True)
class Reached:
    """The report reached ``state`` (cleared, retracted) at ``at``."""

    report_id: str
    state: str
    at: datetime


@dataclass(frozen=True)
class Released:
    """Publish released this revision at ``at`` (first, or again as a correction)."""

    report_id: str
    at: datetime


@dataclass(frozen=True)
class Flagged:
    """Publish flagged the released revision for a correction at ``at``, for ``reason``
    (a claim it carries was found false, or changed in review after the release): an
    editor corrects or retracts it, and a correction is the reporter's next revision."""

    report_id: str
    at: datetime
    reason: str


Mark = Delivered | Held | Reached | Released | Flagged


def _update_of(mark: Mark) -> Any:
    if isinstance(mark, Delivered):
        return {
            "$min": {"delivered_at": mark.at, "timeline.queued": mark.at,
                     "timeline.in_review": mark.at},
            "$unset": {shared_outbox.DUE: ""},  # the receipt closes the relay's row
        }  # fmt: skip
    if isinstance(mark, Held):
        # An older version's (a re-sent event) changes nothing: the version test is in
        # the update, so the filter stays ``_id`` alone (above).
        stored = {"$ifNull": ["$held_version", -1]}
        newer = {"$lt": [stored, mark.version]}
        return [{"$set": {
            "held": {"$cond": [newer, {"$literal": list(mark.held)}, "$held"]},
            "held_version": {"$max": [stored, mark.version]},
        }}]  # fmt: skip
    if isinstance(mark, Flagged):
        # ``$addToSet``: the same flag heard again (a replay, a re-read round) adds nothing.
        # ``$max``: an old flag replayed after a correction does not flag it again.
        return {
            "$min": {"timeline.needs_correction": mark.at},
            "$max": {"flagged_at": mark.at},
            "$addToSet": {"corrections": mark.reason},
        }
    if isinstance(mark, Released):
        return {"$min": {"timeline.published": mark.at}, "$max": {"released_at": mark.at}}
    return {"$min": {f"timeline.{mark.state}": mark.at}}


def apply_marks(marks: list[Mark]) -> None:
    """Store a batch of timeline marks (a consumer's poll) as one command, in order.

    Each mark is idempotent (``$min``, the held version), so a batch written again after
    a crash before its offsets were committed changes nothing more."""
    if not marks:
        return
    _reports().bulk_write([UpdateOne({"_id": m.report_id}, _update_of(m)) for m in marks])
    for mark in marks:
        if isinstance(mark, Delivered | Held):
            _seen_by_verify(mark.report_id)


def mark_delivered(report_id: str, at: datetime) -> bool:
    result = _reports().update_one({"_id": report_id}, _update_of(Delivered(report_id, at)))
    _seen_by_verify(report_id)
    return bool(result.matched_count)


def _seen_by_verify(report_id: str) -> None:
    """Tell this process's relay verify has the report (its receipt or its story's
    snapshot arrived): how far verify has got, and that events still flow."""
    handoff = _handoff
    if handoff is not None and handoff.confirmed is not None:
        handoff.confirmed(report_id)


def mark_held(report_id: str, held: list[str], version: int) -> bool:
    """Keep why the revision is held as of story ``version``; an older version's (a
    re-sent event) changes nothing (False)."""
    result = _reports().update_one({"_id": report_id}, _update_of(Held(report_id, held, version)))
    _seen_by_verify(report_id)
    return bool(result.modified_count)
