"""Sending each story's change on ``stories.reviewed``, through the shared outbox.

A change marks its story due (in its own transaction, :func:`bump_story`), then wakes
this outbox, which renders the story as it is now and marks it sent only if the story is
still at the version it sent. So a change is never blocked by the broker, a change that
could not be sent (broker down, process killed) goes out later, and the next change
supersedes one not yet sent. Replicas claim stories, so each change goes out once.
A new story's first snapshot is the exception: the consumer that stored it renders it
here (:meth:`SnapshotRows.first`), sends it with its receipt and marks its row sent
(:meth:`SnapshotOutbox.handed_off`); the row falls due for this worker only later
(``repository.HANDOFF``), for when that send never happened.

What is sent is what the readers need, and always fits in an event with margin:

- the whole snapshot (``StoryReviewed``) when anything but the leases changed since
  the last one went out, if it encodes to at most :data:`INLINE_SNAPSHOT_BYTES`;
- ``StoryChanged`` with ``reason="leases"`` when only leases changed: the holders of the
  claims (publish's gate says who holds what) and ``cleared`` (ingest's timeline);
- ``StoryChanged`` with ``reason="too_large"`` otherwise: the story's id and version,
  and publish reads the snapshot at ``GET /v1/stories/{story_id}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from services.bus import EventProducer, Outgoing
from services.contracts import ClaimHolder, StoryChanged, StoryReviewed, Topic
from services.outbox import OutboxWorker, Rendered
from services.outbox.worker import SENT
from services.runtime import Runtime
from verify.common import utcnow
from verify.stories import repository, unit_of_work
from verify.stories.records import ClaimRecord, StoryRecord
from verify.stories.snapshot import cannot_fit, judged_by_rule, may_not_fit, snapshot

BATCH = 100
Reason = Literal["leases", "too_large"]
# Half the event limit (services.bus.producer.MAX_EVENT_BYTES): a 3 KB story's snapshot is
# about 20 KB; one of 1,000 claims can be several MB and goes by reference instead.
INLINE_SNAPSHOT_BYTES = 384 * 1024


class SnapshotRows:
    """The outbox source of verify: stories whose latest change has not gone out."""

    name = "verify-snapshots"
    # Stored before the shared outbox: still to be sent.
    legacy: Mapping[str, Any] | None = {"snapshot_pending": True}
    projection: Mapping[str, Any] | None = {
        "story_id": 1,
        "version": 1,
        "outbox": 1,
        repository.SNAPSHOT_TRACE: 1,
    }

    def __init__(self, producer: EventProducer, most_claims: int) -> None:
        self.rows = repository.SNAPSHOT_ROWS
        self._producer = producer
        # A revision's claims at most (``max_claims_per_revision``): which stories may be
        # too large for an event, from their text alone (``may_not_fit``).
        self._most_claims = most_claims

    def render(self, docs: list[dict[str, Any]]) -> list[Rendered]:
        """A batch costs a handful of store commands whatever its size: its stories and
        their claims are read in one transaction. A story whose whole snapshot surely does
        not fit in an event is judged from its claims as the rule reads them, and goes by
        reference without being built whole (:func:`unit_of_work.read_stories_sized`)."""
        now = utcnow()
        ids = [str(d["story_id"]) for d in docs]
        found = unit_of_work.read_stories_sized(
            ids,
            lambda story: may_not_fit(story, INLINE_SNAPSHOT_BYTES, self._most_claims),
            lambda story, claims: cannot_fit(story, claims, INLINE_SNAPSHOT_BYTES),
        )
        stories = {s.story.story_id: s for s in found}
        out: list[Rendered] = []
        for doc in docs:
            story = stories.get(str(doc["story_id"]))
            if story is None:
                out.append(Rendered(doc["_id"], reason="unserialisable", detail="no such story"))
                continue
            try:
                if story.whole:
                    out.append(self._one(doc, snapshot(story.story, story.claims, now)))
                else:
                    judged = judged_by_rule(story.story, story.claims, now)
                    out.append(self._too_large(doc, judged))
            except (ValueError, TypeError) as exc:
                out.append(Rendered(doc["_id"], reason="unserialisable", detail=repr(exc)[:500]))
        return out

    def _too_large(self, doc: dict[str, Any], judged: StoryReviewed) -> Rendered:
        """A story too large for an event, judged from its claims as the rule reads them:
        sent by reference whatever changed (its holders would not fit either)."""
        whole_sent = {"outbox.full": False, "outbox.content_version": judged.version}
        return self._small(doc, judged, "too_large", judged.version, whole_sent)

    def _one(self, doc: dict[str, Any], snapshot: StoryReviewed) -> Rendered:
        state = doc.get("outbox") or {}
        whole_sent = {"outbox.full": False, "outbox.content_version": snapshot.version}
        if state.get("full", True):
            message = self._message(snapshot, doc)
            if len(message.value) <= INLINE_SNAPSHOT_BYTES:
                return Rendered(doc["_id"], message, snapshot.version, doc=doc, also=whole_sent)
            return self._small(doc, snapshot, "too_large", snapshot.version, whole_sent)
        content_version = int(state.get("content_version") or 0)
        return self._small(doc, snapshot, "leases", content_version, {})

    def _small(
        self,
        doc: dict[str, Any],
        snapshot: StoryReviewed,
        reason: Reason,
        content_version: int,
        also: Mapping[str, Any],
    ) -> Rendered:
        holders = [
            ClaimHolder(claim_id=c.claim_id, holder=c.holder)
            for c in snapshot.claims
            if c.holder is not None
        ]
        event = _changed(snapshot, reason, content_version, holders if reason == "leases" else [])
        message = self._message(event, doc)
        if len(message.value) > INLINE_SNAPSHOT_BYTES:
            # So many claims held that even their holders do not fit: by reference.
            event = _changed(snapshot, "too_large", snapshot.version, [])
            message = self._message(event, doc)
            also = {"outbox.full": False, "outbox.content_version": snapshot.version}
        return Rendered(doc["_id"], message, snapshot.version, doc=doc, also=also)

    def _message(self, data: StoryReviewed | StoryChanged, doc: dict[str, Any]) -> Outgoing:
        # The trace of the change that made the story due, not the worker's own.
        return self._producer.message(
            Topic.STORIES_REVIEWED,
            data,
            key=data.story_id,
            trace_id=doc.get(repository.SNAPSHOT_TRACE) or None,
        )

    def first(
        self, story: StoryRecord, claims: list[ClaimRecord], trace_id: str | None, now: datetime
    ) -> Rendered:
        """A new story's first snapshot, rendered as a pass would render its row, for the
        consumer that stored it to send with its receipt (``repository.insert_stories``)."""
        doc = {"_id": story.story_id, "outbox": {"full": True}, repository.SNAPSHOT_TRACE: trace_id}
        return self._one(doc, snapshot(story, claims, now))

    def sent(self, sent: list[Rendered], token: str, now: datetime) -> None:
        self.rows.done_at_version([(r.row_id, r.version or 0, r.also) for r in sent], token, now)


def _changed(
    snapshot: StoryReviewed, reason: Reason, content_version: int, holders: list[ClaimHolder]
) -> StoryChanged:
    return StoryChanged(
        story_id=snapshot.story_id,
        version=snapshot.version,
        content_version=content_version,
        revision=snapshot.revision,
        report_id=snapshot.report_id,
        cleared=snapshot.cleared,
        held=snapshot.held,
        reason=reason,
        holders=holders,
        updated_at=snapshot.updated_at,
    )


class SnapshotOutbox:
    def __init__(self, runtime: Runtime) -> None:
        self.rows = SnapshotRows(runtime.producer, runtime.settings.max_claims_per_revision)
        self.worker = OutboxWorker(
            self.rows,
            runtime.producer,
            interval=2.0,
            batch=BATCH,
            stuck_after=runtime.settings.readiness_stall_seconds,
        )

    def story_changed(self, story_id: str) -> None:
        self.worker.wake()

    def first_snapshot(
        self, story: StoryRecord, claims: list[ClaimRecord], trace_id: str | None
    ) -> Rendered:
        """See :meth:`SnapshotRows.first`."""
        return self.rows.first(story, claims, trace_id, utcnow())

    def handed_off(self, sent: list[Rendered]) -> None:
        """These first snapshots went out with their receipts: their rows are done (one
        command), unless their stories changed since."""
        if sent:
            repository.snapshots_handed_off(
                [(str(r.row_id), r.version or 0, r.also) for r in sent], utcnow()
            )
            SENT.labels(self.rows.name).inc(len(sent))
