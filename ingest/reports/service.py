"""The rules for reports: what a valid report is, idempotency, revisions, rate, timeline.

No FastAPI, Kafka or mongoengine here: the routes hand in a parsed request and the
caller, the repository stores plain records.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ingest.reports import repository as repo
from ingest.reports.rate import RateLimiter
from ingest.reports.schemas import ReportIn
from services import text
from services.auth import Principal, Role
from services.clock import json_time, utcnow
from services.contracts import (
    MAX_EVENT_BYTES,
    DeclaredClaim,
    ReportReceived,
    ReportSubmitted,
    StoryChanged,
    StoryPublished,
    StoryReviewed,
)
from services.cursors import decode_keyset, encode_keyset
from services.errors import (
    BadRequest,
    Conflict,
    IdempotencyConflict,
    NotFound,
    NotYours,
    PayloadTooLarge,
    TooManyRequests,
    ValidationFailed,
)
from services.ids import random_hex
from services.language import DEFAULT_LANGUAGE
from services.settings import Settings

STATES = (
    "accepted", "queued", "in_review", "cleared", "published", "needs_correction", "corrected",
    "retracted",
)  # fmt: skip
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:~")


@dataclass(frozen=True)
class Submission:
    """A report that passed validation, normalised to NFC."""

    headline: str
    body: str
    section: str
    claims: list[DeclaredClaim]
    story_id: str | None
    publish_when_cleared: bool
    request_hash: str
    # As the reporter gave it (normalised), None if not given: the story's language so
    # far stands, else ``default_language`` (:func:`language_of`).
    language: str | None = None
    default_language: str = DEFAULT_LANGUAGE
    # The revision this one replaces, as the reporter saw it (None: whatever is latest).
    revises: int | None = None


@dataclass(frozen=True)
class Accepted:
    report_id: str
    story_id: str
    revision: int
    replayed: bool


# --- validation ----------------------------------------------------------------------


def check_idempotency_key(value: str | None) -> str:
    if value is None:
        raise BadRequest(
            "An Idempotency-Key header is required, so that a retried request is not "
            "queued twice. Use a new random value (a UUID) for each new report."
        )
    if not 1 <= len(value) <= 200 or any(c not in _KEY_CHARS for c in value):
        raise BadRequest(
            "The Idempotency-Key must be 1-200 characters of letters, digits and - _ . : ~"
        )
    return value


def _refused(where: tuple[str, ...], detail: str, msg: str, kind: str) -> ValidationFailed:
    """A 422 whose ``loc`` reads as the request validation's own (``["body", "claims",
    "0", "text"]``), so a client maps every refusal of a report to its field one way."""
    return ValidationFailed(detail, [{"loc": ["body", *where], "msg": msg, "type": kind}])


def _check_text(where: tuple[str, ...], value: str, *, multiline: bool) -> str:
    """The shared text policy (``services.text``), NFC out."""
    try:
        return text.normalise(value, multiline=multiline)
    except text.TextRejected as exc:
        if where == ("body",) and exc.rule == "markup":
            raise _refused(
                where,
                "The body is Markdown; raw HTML is not accepted. Write plain text (it is "
                "escaped for readers).",
                "markup not allowed",
                "text_markup",
            ) from exc
        name = ".".join(where)
        raise _refused(where, f"{name}: {exc.detail}.", exc.detail, f"text_{exc.rule}") from exc


def request_hash(values: dict[str, Any]) -> str:
    """The request as stored (NFC, trimmed): the NFC and NFD forms of one text are one
    request under one Idempotency-Key."""
    canonical = json.dumps(values, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def validate(payload: ReportIn, settings: Settings) -> Submission:
    """Normalise and check a report; raise a problem naming the first thing wrong."""
    body_size = len(payload.body.encode("utf-8", errors="surrogatepass"))
    if body_size > settings.max_body_bytes:
        raise PayloadTooLarge(
            f"The body is {body_size} bytes; the limit is {settings.max_body_bytes} bytes."
        )
    headline = _check_text(("headline",), payload.headline, multiline=False).strip()
    if not 1 <= len(headline) <= 300:
        raise _refused(
            ("headline",),
            "The headline must be 1 to 300 characters.",
            f"{len(headline)} characters",
            "string_too_long" if headline else "string_too_short",
        )
    body = _check_text(("body",), payload.body, multiline=True)
    if not body.strip():
        raise _refused(("body",), "The body is empty.", "empty", "string_too_short")
    if payload.section not in settings.sections:
        raise _refused(
            ("section",),
            f"Unknown section {payload.section!r}; one of: {', '.join(settings.sections)}.",
            "unknown section",
            "enum",
        )
    normalised_size = len(body.encode("utf-8"))
    if normalised_size > settings.max_body_bytes:
        # NFC can lengthen text (up to three times): the limit holds for what is stored.
        raise PayloadTooLarge(
            f"The body is {normalised_size} bytes in NFC; the limit is "
            f"{settings.max_body_bytes} bytes."
        )
    claims = []
    for index, claim in enumerate(payload.claims):
        where = ("claims", str(index))
        text = _check_text((*where, "text"), claim.text, multiline=False).strip()
        if not text or text not in body:
            raise _refused(
                (*where, "text"),
                f"Claim {index + 1} is not in the body: a declared claim must quote the body "
                "exactly.",
                "not found in body",
                "value_error",
            )
        sources = [
            _check_text((*where, "sources", str(k)), s, multiline=False).strip()
            for k, s in enumerate(claim.sources)
        ]
        claims.append(DeclaredClaim(text=text, contested=claim.contested, sources=sources))
    check_event_size(headline, body, claims)
    story_id = payload.story_id
    if story_id is not None and not _looks_like_id(story_id, "s_"):
        raise _refused(
            ("story_id",),
            "story_id is not a story id (s_ followed by 32 hex digits).",
            "malformed",
            "value_error",
        )
    if payload.revises is not None and story_id is None:
        raise _refused(
            ("revises",),
            "revises names the revision of your story this one replaces: give story_id "
            "with it, or leave both out for a new story.",
            "needs story_id",
            "value_error",
        )
    values: dict[str, Any] = {
        "headline": headline,
        "body": body,
        "section": payload.section,
        "claims": [c.model_dump(mode="json") for c in claims],
        "story_id": story_id,
        "publish_when_cleared": payload.publish_when_cleared,
    }
    if payload.language is not None:
        # Only when given: a request without it hashes as it did before reports had a
        # language, so a retry across the upgrade is the same request under its key.
        values["language"] = payload.language
    if payload.revises is not None:
        values["revises"] = payload.revises  # only when given, as the language
    return Submission(
        headline=headline,
        body=body,
        section=payload.section,
        claims=claims,
        story_id=story_id,
        publish_when_cleared=payload.publish_when_cleared,
        request_hash=request_hash(values),
        language=payload.language,
        default_language=settings.default_language,
        revises=payload.revises,
    )


# What a report's event carries besides its headline, body and claims: ids, byline,
# section, times, the CloudEvents envelope (generously: it is about 600 bytes).
EVENT_OVERHEAD_BYTES = 8 * 1024


def check_event_size(headline: str, body: str, claims: list[DeclaredClaim]) -> None:
    """Refuse a report whose ``reports.submitted`` event would not fit the event limit.

    The body and request limits keep ordinary reports far under it; this holds the
    bound for every accepted report, whatever its claims and escaping add."""
    content = [headline, body, [c.model_dump() for c in claims]]
    size = len(json.dumps(content, ensure_ascii=False).encode()) + EVENT_OVERHEAD_BYTES
    if size > MAX_EVENT_BYTES:
        raise PayloadTooLarge(
            f"The report would be a {size}-byte event; events are limited to "
            f"{MAX_EVENT_BYTES} bytes. Send fewer or shorter declared claims."
        )


def _looks_like_id(value: str, prefix: str) -> bool:
    rest = value[len(prefix) :]
    return (
        value.startswith(prefix) and len(rest) == 32 and all(c in "0123456789abcdef" for c in rest)
    )


# --- submitting ----------------------------------------------------------------------


async def submit(
    principal: Principal,
    submission: Submission,
    idempotency_key: str,
    limiter: RateLimiter,
    trace_id: str | None,
) -> Accepted:
    """Store the report (answered 202 only once stored). Same key and same request: the
    same answer and nothing new; same key and another request: 409.

    The insert comes first and the key's unique index decides: a replay costs a lookup
    only when it is one, so a new report is one write to the store, grouped with the
    concurrent ones. Async, so that a submission holds no worker thread while it waits
    for the store: the lookups of the rarer paths (a revision, a replay) run in one."""
    for _ in range(5):
        story_id, latest = await _story_of(principal, submission.story_id)
        if latest is not None and submission.revises not in (None, latest.revision):
            replayed = await _replay(principal, submission, idempotency_key)
            if replayed is not None:
                return replayed  # a retry of the report that made the latest revision
            raise _out_of_order(story_id, latest, submission.revises)
        language = language_of(submission, latest)
        if latest is not None and _unchanged(latest, submission, language):
            # Nothing to revise: a new revision would go through review and out to readers
            # and subscribers as a correction that corrects nothing.
            replayed = await _replay(principal, submission, idempotency_key)
            if replayed is not None:
                return replayed
            raise Conflict(
                f"This is revision {latest.revision} of story {story_id} again (report "
                f"{latest.report_id}): the same headline, body, section, claims, "
                "publish_when_cleared and language. Change something to make a new revision."
            )
        revision = latest.revision + 1 if latest is not None else 1
        now = utcnow()
        wait = limiter.reserve(principal.user_id, now)
        if wait is not None:
            replayed = await _replay(principal, submission, idempotency_key)
            if replayed is not None:
                return replayed
            raise TooManyRequests(
                f"You have submitted {limiter.limit} reports in the last minute, the limit.",
                retry_after=wait,
            )
        record = repo.ReportRecord(
            report_id=f"r_{random_hex()}",
            story_id=story_id,
            revision=revision,
            reporter_id=principal.user_id,
            byline=principal.byline,
            request_hash=submission.request_hash,
            headline=submission.headline,
            body=submission.body,
            section=submission.section,
            claims=[c.model_dump() for c in submission.claims],
            publish_when_cleared=submission.publish_when_cleared,
            language=language,
            trace_id=trace_id,
            accepted_at=now,
            timeline={"accepted": now},
        )
        try:
            await repo.insert(record, idempotency_key)
        except repo.DuplicateKey:
            limiter.release(principal.user_id, now)
            replayed = await _replay(principal, submission, idempotency_key)
            if replayed is not None:
                return replayed
            continue
        except repo.DuplicateRevision:
            limiter.release(principal.user_id, now)
            continue  # a concurrent revision took the number: number again
        except BaseException:
            limiter.release(principal.user_id, now)
            raise
        return Accepted(record.report_id, story_id, revision, False)
    raise TooManyRequests("Too many concurrent revisions of this story; retry.", retry_after=1)


def _out_of_order(story_id: str, latest: repo.ReportRecord, revises: int | None) -> Conflict:
    if revises is not None and revises > latest.revision:
        return Conflict(
            f"Story {story_id} has {latest.revision} revision(s); yours says it replaces "
            f"revision {revises}, which does not exist. Set revises to {latest.revision}."
        )
    return Conflict(
        f"Story {story_id} already has revision {latest.revision} (report "
        f"{latest.report_id}, accepted {json_time(latest.accepted_at)}), later than revision "
        f"{revises} this one replaces: it was written before the latest, and nothing was "
        f"stored. Read the latest; to replace it with this text, send it again with "
        f"revises {latest.revision}."
    )


async def _replay(principal: Principal, submission: Submission, key: str) -> Accepted | None:
    """The answer already given for this key, or None if the key is new."""
    existing = await asyncio.to_thread(repo.find_by_key, principal.user_id, key)
    if existing is None:
        return None
    if existing.request_hash != submission.request_hash:
        raise IdempotencyConflict(
            "This Idempotency-Key was used for a different report. Use a new key for "
            "a new report; resend the same body to retry the old one."
        )
    return Accepted(existing.report_id, existing.story_id, existing.revision, True)


async def _story_of(
    principal: Principal, story_id: str | None
) -> tuple[str, repo.ReportRecord | None]:
    """The story a submission goes to, with its latest revision (None for a new story)."""
    if story_id is None:
        return f"s_{random_hex()}", None
    latest = await asyncio.to_thread(repo.latest_revision, story_id)
    if latest is None:
        raise NotFound(f"No story {story_id}.")
    if latest.reporter_id != principal.user_id:
        raise NotYours("This story belongs to another reporter; only its reporter can revise it.")
    retracted = await asyncio.to_thread(repo.retracted_at, story_id)
    if retracted is not None:
        # Publish never releases a retracted story again: a revision would wait in the
        # reviewers' queue for a release that cannot come.
        raise Conflict(
            f"Story {story_id} was retracted at {json_time(retracted)}; a retracted story "
            "is not published again. Submit it as a new story (without story_id)."
        )
    return story_id, latest


def language_of(submission: Submission, latest: repo.ReportRecord | None) -> str:
    """The language a submission's revision has: as given, else the story's so far (a
    reporter fixing a typo in an Arabic story need not say again that it is Arabic),
    else the newsroom's default."""
    if submission.language is not None:
        return submission.language
    if latest is not None and latest.language is not None:
        return latest.language
    return submission.default_language


def _unchanged(latest: repo.ReportRecord, submission: Submission, language: str) -> bool:
    return (
        (latest.language or submission.default_language) == language
        and latest.headline == submission.headline
        and latest.body == submission.body
        and latest.section == submission.section
        and latest.publish_when_cleared == submission.publish_when_cleared
        and latest.claims == [c.model_dump() for c in submission.claims]
    )


# --- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportStatus:
    record: repo.ReportRecord
    status: str
    timeline: list[tuple[str, datetime]]
    superseded_by: int | None = None


# A revision never released that a later one replaced: it will not be (publish releases
# a story's latest revision), so it no longer waits in review, whatever it last heard.
UNRELEASED = ("accepted", "queued", "in_review", "cleared")


def status_of(record: repo.ReportRecord, story: repo.StoryFacts | None = None) -> ReportStatus:
    """``story``: what the story's reports say (its latest revision, its retraction, its
    latest release), when the caller read it. A retraction marks the revision it withdrew;
    the story's other revisions (an earlier release, a later one still in review) are
    retracted with it: none of them will reach readers, and the story takes no more.

    A revision flagged ``needs_correction`` reads ``corrected`` once publish released the
    story again after the last flag (this revision or a later one: what readers see now),
    at that release. Times decide, not the order events came in: a release replayed from
    before the flag corrects nothing, and a new flag after the correction flags it again."""
    marks = dict(record.timeline)
    if story is not None and story.retracted is not None:
        marks.setdefault("retracted", story.retracted)
    flagged, released = record.last_flagged, story.released if story is not None else None
    retracted = marks.get("retracted")
    if (
        flagged is not None
        and released is not None
        and flagged < released
        and (retracted is None or released < retracted)  # none can come after a retraction
    ):
        marks["corrected"] = released
    timeline = [(state, marks[state]) for state in STATES if state in marks]
    status = timeline[-1][0] if timeline else "accepted"
    if status == "cleared" and record.held:
        status = "in_review"  # it passed the rule once, and no longer does (``held`` says why)
    latest = story.latest if story is not None else None
    newer = latest if latest is not None and latest > record.revision else None
    if newer is not None and status in UNRELEASED:
        status = "superseded"
    return ReportStatus(record, status, timeline, newer)


def _may_read_all(principal: Principal) -> bool:
    return principal.role in (Role.EDITOR, Role.REVIEWER)


def get_report(principal: Principal, report_id: str) -> ReportStatus:
    record = repo.find(report_id) if _looks_like_id(report_id, "r_") else None
    # Another reporter's report is answered like a missing one: its existence is not theirs.
    if record is None or (not _may_read_all(principal) and record.reporter_id != principal.user_id):
        raise NotFound(f"No report {report_id} of yours.")
    return status_of(record, repo.stories([record.story_id]).get(record.story_id))


def list_reports(
    principal: Principal, cursor: str | None, limit: int
) -> tuple[list[ReportStatus], str | None]:
    before = decode_keyset(cursor) if cursor else None
    owner = None if principal.role == Role.EDITOR else principal.user_id
    records = repo.page(owner, before, limit)
    last = records[-1] if len(records) == limit else None
    next_cursor = encode_keyset(last.accepted_at, last.report_id) if last else None
    stories = repo.stories(list({r.story_id for r in records}))
    return [status_of(r, stories.get(r.story_id)) for r in records], next_cursor


# --- events that move the timeline -----------------------------------------------------


def as_event(record: repo.ReportRecord) -> ReportSubmitted:
    return ReportSubmitted(
        report_id=record.report_id,
        story_id=record.story_id,
        revision=record.revision,
        reporter_id=record.reporter_id,
        byline=record.byline,
        headline=record.headline,
        body=record.body,
        section=record.section,
        claims=[DeclaredClaim.model_validate(c) for c in record.claims],
        publish_when_cleared=record.publish_when_cleared,
        accepted_at=record.accepted_at,
        language=record.language,
    )


TimelineEvent = ReportReceived | StoryReviewed | StoryChanged | StoryPublished


def marks_of(event: TimelineEvent) -> list[repo.Mark]:
    """What an event from verify or publish moves on its report's timeline.

    A receipt: verify has the report (stop re-sending it; it is in review). A change of
    the story in review: whether it is cleared (passes the publish rule), and why it is
    held while it does not. A release (or a correction) or retraction: published or
    retracted."""
    if isinstance(event, ReportReceived):
        return [repo.Delivered(event.report_id, event.received_at)]
    if isinstance(event, StoryPublished):
        if event.action == "needs_correction":
            # Not a release: the released revision was flagged, and its reporter is told why.
            reason = event.reason or "A claim of the released revision needs a correction."
            return [repo.Flagged(event.report_id, event.at, reason)]
        if event.action == "retracted":
            return [repo.Reached(event.report_id, "retracted", event.at)]
        # A release or a correction: after a flag, the story's flagged revision reads
        # ``corrected`` from it (:func:`status_of`).
        return [repo.Released(event.report_id, event.at)]
    held = repo.Held(event.report_id, [] if event.cleared else list(event.held), event.version)
    if not event.cleared:
        return [held]
    return [held, repo.Reached(event.report_id, "cleared", event.updated_at)]


def move_timeline(events: list[TimelineEvent]) -> None:
    """Store what a batch of events moves (a consumer's poll): one command to the store
    for them all, in their order. Idempotent: a batch written again changes nothing."""
    repo.apply_marks([mark for event in events for mark in marks_of(event)])


def view_fields(status: ReportStatus, default_language: str) -> dict[str, Any]:
    """``default_language``: what a report stored before reports had a language is."""
    record = status.record
    return {
        "report_id": record.report_id,
        "story_id": record.story_id,
        "revision": record.revision,
        "headline": record.headline,
        "section": record.section,
        "byline": record.byline,
        "status": status.status,
        "timeline": [{"status": s, "at": at} for s, at in status.timeline],
        # What held a superseded revision no longer matters: the later one's report says.
        "held": [] if status.status in ("superseded", "retracted") else record.held,
        "corrections": record.corrections,
        "superseded_by": status.superseded_by,
        "claims_declared": len(record.claims),
        "publish_when_cleared": record.publish_when_cleared,
        "language": record.language or default_language,
    }
