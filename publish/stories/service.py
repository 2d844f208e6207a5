"""The rules of publish's story desk: keep the read model, gate, release, correct, retract.

Release is one atomic step: publish asks verify for the story's current snapshot (and
fails closed when verify cannot answer), evaluates the gate on that exact snapshot, and
stores the release in one transaction with the read-model row, conditioned on that
version: if a newer version arrived meanwhile, the release is refused. A change made in
verify after that answer is a newer version: it reaches publish as an event and, for a
released revision, flags the story ``needs_correction``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from publish.feeds.claimreview import review_dates
from publish.feeds.links import story_url
from publish.feeds.render import item_of, json_item
from publish.stories import repository
from publish.stories.model import (
    Action,
    CorrectionNote,
    Departure,
    Publication,
    ReleaseRow,
    Retraction,
    State,
    StoryRow,
)
from publish.stories.states import build_row
from publish.webhooks import repository as subscriptions
from publish.webhooks import service as webhooks
from services.contracts import StoryChanged, StoryPublished, StoryReviewed
from services.errors import Conflict, NotFound, PreconditionFailed
from services.language import DEFAULT_LANGUAGE
from services.log import current_trace_id, get_logger, traceparent_of
from services.rule.gate import Verdict, evaluate, held
from services.store import Session

log = get_logger(__name__)


class SnapshotSource(Protocol):
    """Verify, as publish sees it: the current snapshot of a story, or an error of
    ``services.errors`` (Unavailable when it cannot be trusted to answer). ``desk``: the
    snapshot without detection's findings (each claim's signals, detected attributions
    and hedges empty), which is all the read model shows and gates; a release reads the
    whole one."""

    def fetch(self, story_id: str, *, desk: bool = False) -> StoryReviewed: ...


class Blocked(Conflict):
    code = "blocked"
    title = "The story does not pass the publish rule"


@dataclass(frozen=True)
class Desk:
    """What the rules need from outside: settings-derived values and the clock."""

    base_url: str  # public: links given to readers and subscribers
    now: Callable[[], datetime]
    newsroom: str = "Newsroom"
    language: str = DEFAULT_LANGUAGE  # the newsroom's, for a story that states none


@dataclass(frozen=True)
class Released:
    action: Action | None  # None: nothing new (already released as asked)
    publication: Publication
    release: ReleaseRow | None
    # Webhook deliveries of the story's withdrawn text its retraction stopped unsent.
    superseded: int = 0


# --- the read model -----------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    row: StoryRow
    # The snapshot flagged a released claim anew: subscribers are told (needs_correction).
    flagged: Released | None = None


def apply_snapshot(desk: Desk, snapshot: StoryReviewed) -> Applied | None:
    """Store ``snapshot`` if it is newer than what publish has; None when it is not."""
    verdict = evaluate(snapshot)

    def work(session: Session) -> Applied | None:
        now = desk.now()
        previous = repository.story(snapshot.story_id, session=session)
        if previous is not None and previous.version >= snapshot.version:
            return None
        publication = repository.publication(snapshot.story_id, session=session)
        row = build_row(snapshot, verdict, publication, previous, now)
        row.verdict_json = verdict_json(verdict)
        row.trace_id = current_trace_id()
        repository.save_story(session, row)
        known = set(previous.correction_reasons) if previous else set()
        fresh = [reason for reason in row.correction_reasons if reason not in known]
        if not fresh or publication is None:
            return Applied(row)
        # Told once, when the change is first seen: a later snapshot finds the same reasons.
        release = record_release(
            session, desk, publication, "needs_correction", now, "; ".join(fresh)
        )
        return Applied(row, Released("needs_correction", publication, release))

    applied = repository.transaction(work)
    if applied is not None:
        log.info(
            "snapshot_applied",
            story_id=snapshot.story_id,
            version=snapshot.version,
            revision=snapshot.revision,
            state=applied.row.state.value,
            flagged=applied.flagged is not None,
        )
    return applied


def apply_change(desk: Desk, event: StoryChanged, source: SnapshotSource) -> Applied | None:
    """Apply a change that came without its whole snapshot (``StoryChanged``).

    Only the leases changed and publish has the story's content as of the last whole
    snapshot: the holders are patched in. Otherwise (the snapshot was too large for an
    event, or publish missed the last whole one) the snapshot is read from verify, in its
    desk view (what the read model needs; a release reads it whole); an error of
    ``services.errors`` says verify could not answer (catch-up heals it later).
    """
    row = repository.story(event.story_id)
    if row is not None and row.version >= event.version:
        return None
    if event.reason == "leases" and row is not None and row.version >= event.content_version:
        holders = {h.claim_id: h.holder for h in event.holders}
        claims = [
            c.model_copy(update={"holder": holders.get(c.claim_id)}) for c in row.snapshot.claims
        ]
        patched = row.snapshot.model_copy(
            update={
                "version": event.version,
                "claims": claims,
                "cleared": event.cleared,
                "held": event.held,
                "updated_at": event.updated_at,
            }
        )
        return apply_snapshot(desk, patched)
    return apply_snapshot(desk, source.fetch(event.story_id, desk=True))


def current(story_id: str) -> StoryRow:
    row = repository.story(story_id)
    if row is None:
        raise NotFound(f"Publish has not seen story {story_id!r}.")
    return row


# --- release, correction, retraction ------------------------------------------------------


def release(
    desk: Desk,
    source: SnapshotSource,
    story_id: str,
    *,
    actor: str,
    revision: int | None = None,
    version: int | None = None,
    note: str | None = None,
    automatic: bool = False,
) -> Released:
    """Release the story's current version (or correct a released story).

    ``version``: the version the editor looked at; a story that changed since (a claim
    marked again, an attribution changed, a lease taken: anything that raised its
    version) is refused with 412 and nothing is released, so nothing goes out that the
    editor did not see."""
    snapshot = source.fetch(story_id)  # fails closed: raises when verify cannot answer
    if snapshot.story_id != story_id:
        raise Conflict("Verify answered with another story; nothing was released.")
    apply_snapshot(desk, snapshot)  # publish's view is now at least this fresh
    if revision is not None and revision != snapshot.revision:
        raise Conflict(
            f"Revision {revision} is not the story's current revision ({snapshot.revision}).",
            extra={"revision": snapshot.revision, "version": snapshot.version},
        )
    if version is not None and version != snapshot.version:
        raise PreconditionFailed(
            f"The story changed since you looked at version {version}: it is at version "
            f"{snapshot.version} now. Check the gate again; nothing was released.",
            extra={"revision": snapshot.revision, "version": snapshot.version},
        )
    verdict = evaluate(snapshot)
    if not verdict.publishable:
        raise Blocked(
            f"Revision {snapshot.revision} is held: {'; '.join(held(verdict))}.",
            extra=verdict_body(verdict),
        )

    def work(session: Session) -> Released:
        now = desk.now()
        row = repository.story(story_id, session=session)
        if row is None or row.version != snapshot.version:
            known = row.version if row else None
            raise Conflict(
                f"Version {known} of this story arrived while releasing version "
                f"{snapshot.version}; check the gate again.",
                extra={"version": known},
            )
        published = repository.publication(story_id, session=session)
        if published is not None and published.retracted is not None:
            raise Conflict("This story was retracted; a retracted story is not released again.")
        if published is not None and published.version == snapshot.version:
            return Released(None, published, None)
        if automatic and published is not None and snapshot.revision <= published.revision:
            return Released(None, published, None)  # corrections of a revision: editors only
        action: Action = "published" if published is None else "corrected"
        seq = repository.next_seq(session)
        publication = _publication(snapshot, published, seq, now, actor, note)
        repository.save_publication(session, publication)
        if published is not None and published.section != snapshot.section:
            # The old section's feed lost an item: its Last-Modified must not go back,
            # and its followers learn where the story went (a marker in its place).
            repository.mark_section_left(session, published.section, now)
            repository.save_departure(session, departure(published, publication))
            repository.drop_departure(session, publication.section, story_id)
        repository.save_story(
            session,
            row.model_copy(
                update={
                    "state": State.PUBLISHED,
                    "needs_correction": False,
                    "correction_reasons": [],
                    "correction_flags": [],
                    "auto_release": False,
                    "published_revision": snapshot.revision,
                    "changed_at": now,
                }
            ),
        )
        # An automatic release continues the trace of the snapshot that cleared the story.
        trace = (row.trace_id if automatic else None) or current_trace_id()
        release_row = record_release(session, desk, publication, action, now, None, trace)
        return Released(action, publication, release_row)

    outcome = repository.transaction(work)
    if outcome.action is not None:
        log.info(
            "story_released",
            story_id=story_id,
            action=outcome.action,
            revision=snapshot.revision,
            version=snapshot.version,
            actor=actor,
        )
    return outcome


def _publication(
    snapshot: StoryReviewed,
    previous: Publication | None,
    seq: int,
    now: datetime,
    actor: str,
    note: str | None,
) -> Publication:
    corrections = list(previous.corrections) if previous else []
    former = [*previous.former_sections, previous.section] if previous else []
    if previous is not None:
        text = (note or "").strip() or f"Updated: revision {snapshot.revision}"
        corrections.append(
            CorrectionNote(revision=snapshot.revision, version=snapshot.version, note=text, at=now)
        )
    return Publication(
        story_id=snapshot.story_id,
        seq=seq,
        section=snapshot.section,
        revision=snapshot.revision,
        version=snapshot.version,
        report_id=snapshot.report_id,
        headline=snapshot.headline,
        body=snapshot.body,
        byline=snapshot.byline,
        claims=list(snapshot.claims),
        reviews=review_dates(list(snapshot.claims), previous, now),
        first_published_at=previous.first_published_at if previous else now,
        modified_at=now,
        previous_modified_at=previous.modified_at if previous else None,
        edition=previous.next_edition() if previous else 1,
        released_by=actor,
        corrections=corrections,
        former_sections=[s for s in dict.fromkeys(former) if s != snapshot.section],
        language=snapshot.language,
    )


def departure(previous: Publication, moved: Publication) -> Departure:
    """The marker ``moved`` leaves in ``previous``'s section: only what readers have now."""
    return Departure(
        departure_id=Departure.key(previous.section, moved.story_id),
        story_id=moved.story_id,
        section=previous.section,
        moved_to=moved.section,
        seq=moved.seq,
        at=moved.modified_at,
        revision=moved.revision,
        edition=moved.edition_number(),
        headline=moved.headline,
        first_published_at=moved.first_published_at,
        language=moved.language,
    )


def record_release(
    session: Session,
    desk: Desk,
    publication: Publication,
    action: Action,
    now: datetime,
    reason: str | None,
    trace_id: str | None = None,
    review_url: str | None = None,
) -> ReleaseRow:
    """The release row (outbox of ``stories.published``) and one delivery per subscriber,
    in the caller's transaction.

    Its ``seq`` orders the story's releases, whatever they did: a release, correction or
    retraction has just taken the publication's; a flag (``needs_correction``) changes no
    publication and takes the next number itself. ``version`` cannot order them (a flag
    and a retraction keep the released one), so subscribers get ``seq`` as
    ``data.sequence``: a site keeps the highest it applied and ignores anything lower."""
    url = story_url(desk.base_url, publication.story_id)
    seq = repository.next_seq(session) if action == "needs_correction" else publication.seq
    event = StoryPublished(
        story_id=publication.story_id,
        revision=publication.revision,
        version=publication.version,
        report_id=publication.report_id,
        action=action,
        url=url,
        at=now,
        reason=reason,
        review_url=review_url,
    )
    row = ReleaseRow(
        release_id=f"rel_{uuid.uuid4().hex}",
        story_id=publication.story_id,
        action=action,
        revision=publication.revision,
        version=publication.version,
        seq=seq,
        event=event.model_dump(mode="json"),
        created_at=now,
        trace_id=trace_id or current_trace_id(),
    )
    repository.add_release(session, row)
    payload = {
        **event.model_dump(mode="json"),
        "sequence": seq,
        "item": json_item(item_of(publication, desk.base_url, desk.newsroom, desk.language)),
    }
    subscriptions.add_deliveries(
        webhooks.fan_out(
            subscriptions.matching_subscriptions(
                [publication.section, *publication.former_sections], action, session=session
            ),
            release_id=row.release_id,
            story_id=publication.story_id,
            event=action,
            payload=payload,
            now=now,
            source=desk.base_url,
            traceparent=traceparent_of(row.trace_id) if row.trace_id else None,
        ),
        session=session,
    )
    return row


def retract(desk: Desk, story_id: str, *, reason: str, actor: str) -> Released:
    def work(session: Session) -> Released:
        now = desk.now()
        published = repository.publication(story_id, session=session)
        if published is None:
            raise Conflict("This story was never released; there is nothing to retract.")
        if published.retracted is not None:
            return Released(None, published, None)
        publication = published.model_copy(
            update={
                "seq": repository.next_seq(session),
                "modified_at": now,
                "previous_modified_at": published.modified_at,
                "edition": published.next_edition(),
                "retracted": Retraction(reason=reason, at=now, by=actor),
            }
        )
        repository.save_publication(session, publication)
        row = repository.story(story_id, session=session)
        if row is not None:
            repository.save_story(
                session,
                row.model_copy(
                    update={"state": State.RETRACTED, "auto_release": False, "changed_at": now}
                ),
            )
        release_row = record_release(session, desk, publication, "retracted", now, reason)
        # Deliveries made before carry the story's text: none may be redelivered now, and
        # one still waiting (for a retry, or behind an older one) is not sent at all, in
        # this transaction: the retraction goes in their place, at once.
        superseded = subscriptions.withdraw(session, story_id, now, release_row.release_id)
        return Released("retracted", publication, release_row, superseded)

    outcome = repository.transaction(work)
    if outcome.action is not None:
        log.info(
            "story_retracted",
            story_id=story_id,
            actor=actor,
            deliveries_superseded=outcome.superseded,
        )
    return outcome


# --- views --------------------------------------------------------------------------------


def verdict_body(verdict: Verdict) -> dict[str, object]:
    return {
        "publishable": verdict.publishable,
        "revision": verdict.revision,
        "version": verdict.version,
        "blockers": [
            {
                "claim_id": b.claim_id,
                "claim_text": b.claim_text,
                "status": b.status,
                "reason": b.reason.value,
                "lacks": b.lacks,
                "holder": b.holder,
            }
            for b in verdict.blockers
        ],
    }


def verdict_json(verdict: Verdict) -> str:
    return json.dumps(verdict_body(verdict), ensure_ascii=False, separators=(",", ":"))


def gate_verdict(story_id: str) -> tuple[State, str]:
    """The story's state and its verdict as JSON: the one stored with the snapshot, or
    (a row stored before verdicts were kept) worked out from the snapshot now."""
    found = repository.story_verdict(story_id)
    if found is None:
        raise NotFound(f"Publish has not seen story {story_id!r}.")
    state, stored = found
    if stored is not None:
        return state, stored
    row, verdict = gate(story_id)
    return row.state, verdict_json(verdict)


def gate(story_id: str) -> tuple[StoryRow, Verdict]:
    row = current(story_id)
    return row, evaluate(row.snapshot)


def list_stories(
    state: State | None, section: str | None, before: tuple[datetime, str] | None, limit: int
) -> list[StoryRow]:
    return repository.stories(state, section, before, limit)
