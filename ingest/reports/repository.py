"""Accepted reports in ingest's database, and the queries on them.

A report is its own outbox row (:mod:`services.outbox`): it is inserted due, and stays
due (re-sent by the relay) until verify's receipt sets ``delivered_at`` and closes it.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime
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
from pymongo import DESCENDING
from pymongo.errors import BulkWriteError, OperationFailure

from services import outbox as shared_outbox

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
    trace_id = StringField()
    accepted_at = DateTimeField(required=True)
    # state name -> first time it was reached (accepted, queued, in_review, ...)
    timeline = DictField()
    # Why the revision is held now, from verify's newest event (``held_version``).
    held = ListField(StringField())
    held_version = IntField()
    delivered_at = DateTimeField()
    outbox = DictField()

    meta = {
        "db_alias": ALIAS,
        "collection": "reports",
        "indexes": [
            {"fields": ["reporter_id", "idempotency_key"], "unique": True},
            {"fields": ["story_id", "revision"], "unique": True},
            shared_outbox.INDEX,
            {"fields": ["reporter_id", "-accepted_at"]},
            {"fields": ["-accepted_at"]},
        ],
    }


DOCUMENTS = (Report,)


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
    )


def _reports() -> Any:
    return Report._get_collection()


def find_by_key(reporter_id: str, key: str) -> ReportRecord | None:
    doc = _reports().find_one({"reporter_id": reporter_id, "idempotency_key": key})
    return _record(doc) if doc else None


def find(report_id: str) -> ReportRecord | None:
    doc = _reports().find_one({"_id": report_id})
    return _record(doc) if doc else None


def latest_revision(story_id: str) -> ReportRecord | None:
    doc = _reports().find_one({"story_id": story_id}, sort=[("revision", DESCENDING)])
    return _record(doc) if doc else None


def insert(record: ReportRecord, idempotency_key: str) -> None:
    """Store a new report; returns once the store acknowledged it (see :class:`_GroupCommit`)."""
    doc = Report(
        report_id=record.report_id,
        story_id=record.story_id,
        revision=record.revision,
        reporter_id=record.reporter_id,
        byline=record.byline,
        idempotency_key=idempotency_key,
        request_hash=record.request_hash,
        headline=record.headline,
        body=record.body,
        section=record.section,
        claims=record.claims,
        publish_when_cleared=record.publish_when_cleared,
        trace_id=record.trace_id,
        accepted_at=record.accepted_at,
        timeline={"accepted": record.accepted_at},
        outbox=shared_outbox.new_row(record.accepted_at),
    )
    doc.validate()
    _group_commit.insert(doc.to_mongo().to_dict())


class _GroupCommit:
    """Concurrent inserts leave for the store together: one ``insert_many`` per batch.

    Every report is an insert on the request's path, and the store answers one command
    at a time, so a command per report is what caps ingest (``make bench``). Callers
    queue their document and wait for their own outcome; one thread takes whatever has
    queued while the previous batch was in flight and writes it unordered, so one
    duplicate does not hold back the rest. Nothing is answered before the store has
    acknowledged it: no request waits for a timer, only for the batch before its own.
    """

    MAX_BATCH = 256

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[dict[str, Any], Future[None]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def insert(self, doc: dict[str, Any], timeout: float = 60.0) -> None:
        future: Future[None] = Future()
        self._queue.put((doc, future))
        self._ensure_thread()
        future.result(timeout)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(
                        target=self._run, name="ingest-group-commit", daemon=True
                    )
                    self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._write(batch)

    @staticmethod
    def _write(batch: list[tuple[dict[str, Any], Future[None]]]) -> None:
        try:
            _reports().insert_many([doc for doc, _ in batch], ordered=False)
        except BulkWriteError as exc:
            failed = {e["index"]: e for e in exc.details.get("writeErrors", [])}
            for index, (_, future) in enumerate(batch):
                error = failed.get(index)
                if error is None:
                    future.set_result(None)
                elif error.get("code") == DUPLICATE_KEY:
                    key = str(error.get("keyPattern") or error.get("errmsg", ""))
                    taken = DuplicateKey if "idempotency_key" in key else DuplicateRevision
                    future.set_exception(taken())
                else:
                    future.set_exception(OperationFailure(error.get("errmsg", "write failed")))
        except Exception as exc:  # the store is down or refused the batch: every caller hears
            for _, future in batch:
                future.set_exception(exc)
        else:
            for _, future in batch:
                future.set_result(None)


DUPLICATE_KEY = 11000
_group_commit = _GroupCommit()


def page(
    reporter_id: str | None, before: tuple[datetime, str] | None, limit: int
) -> list[ReportRecord]:
    """Newest first; ``before`` is the (accepted_at, report_id) of the last one seen."""
    query: dict[str, Any] = {}
    if reporter_id is not None:
        query["reporter_id"] = reporter_id
    if before is not None:
        at, report_id = before
        query["$or"] = [
            {"accepted_at": {"$lt": at}},
            {"accepted_at": at, "_id": {"$lt": report_id}},
        ]
    cursor = (
        _reports()
        .find(query, projection={"body": False})
        .sort([("accepted_at", DESCENDING), ("_id", DESCENDING)])
        .limit(limit)
    )
    return [_record({**doc, "body": ""}) for doc in cursor]


# --- the relay's rows ---------------------------------------------------------------

RELAY_ROWS = shared_outbox.OutboxRows(lambda: _reports())


def record_of(doc: dict[str, Any]) -> ReportRecord:
    return _record(doc)


# --- the timeline ---------------------------------------------------------------------


def mark_delivered(report_id: str, at: datetime) -> bool:
    result = _reports().update_one(
        {"_id": report_id},
        {
            "$min": {"delivered_at": at, "timeline.queued": at, "timeline.in_review": at},
            "$unset": {shared_outbox.DUE: ""},  # the receipt closes the relay's row
        },
    )
    return bool(result.matched_count)


def mark_reached(report_id: str, state: str, at: datetime) -> bool:
    result = _reports().update_one({"_id": report_id}, {"$min": {f"timeline.{state}": at}})
    return bool(result.matched_count)


def mark_held(report_id: str, held: list[str], version: int) -> bool:
    """Keep why the revision is held as of story ``version``; an older version's (a
    re-sent event) changes nothing."""
    result = _reports().update_one(
        {
            "_id": report_id,
            "$or": [{"held_version": {"$lt": version}}, {"held_version": {"$exists": False}}],
        },
        {"$set": {"held": held, "held_version": version}},
    )
    return bool(result.matched_count)
