"""Intake: a report arrives as a revision of its story, with its detected claims; the
claims of the story's previous revision are carried, changed or dropped (closed later by
:func:`sweep`).

Exactly once: a report id is stored once (unique index) with its revision and claims in
one transaction. A report seen again gets a receipt marked ``duplicate`` and changes
nothing. Revisions may arrive out of order: the highest is current; an older one arriving
late is stored, and its claims are closed at once as superseded.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from services.auth import Role
from services.contracts import ReportReceived, ReportSubmitted
from services.errors import InvalidMessage, RetryableError
from services.log import get_logger
from verify.common import Actor
from verify.signoff.coverage import at_receipt
from verify.stories import repository, unit_of_work
from verify.stories.analysis import Analysis, Candidate
from verify.stories.carry import match
from verify.stories.records import (
    ClaimRecord,
    ClaimWrite,
    RevisionRecord,
    StaleClaim,
    StoryRecord,
    closed,
    moved,
    new_claim,
)

log = get_logger(__name__)


# --- receiving reports -------------------------------------------------------------------


def _receipt(revision: RevisionRecord, *, duplicate: bool, now: datetime) -> ReportReceived:
    return ReportReceived(
        report_id=revision.report_id,
        story_id=revision.story_id,
        revision=revision.revision,
        claims=revision.claims,
        duplicate=duplicate,
        received_at=now,
    )


def _revision_record(
    report: ReportSubmitted, claims: int, superseded: bool, now: datetime, over: int
) -> RevisionRecord:
    return RevisionRecord(
        story_id=report.story_id,
        revision=report.revision,
        report_id=report.report_id,
        reporter_id=report.reporter_id,
        byline=report.byline,
        headline=report.headline,
        body=report.body,
        section=report.section,
        publish_when_cleared=report.publish_when_cleared,
        language=report.language,
        accepted_at=report.accepted_at,
        received_at=now,
        claims=claims,
        superseded=superseded,
        claims_over_limit=over,
    )


def _plan_late(
    report: ReportSubmitted, candidates: list[Candidate], current: int, now: datetime, over: int
) -> unit_of_work.RevisionPlan:
    writes: list[ClaimWrite] = []
    for candidate in candidates:
        claim = _new(report, candidate, now)
        writes.append(ClaimWrite(claim, None, "created", f"in revision {report.revision}"))
        reason = f"superseded by revision {current}"
        writes.append(ClaimWrite(closed(claim, reason, now), claim, "closed", reason))
    revision = _revision_record(report, len(candidates), True, now, over)
    return unit_of_work.RevisionPlan(revision, current=False, writes=writes)


def _new(report: ReportSubmitted, candidate: Candidate, now: datetime) -> ClaimRecord:
    return new_claim(
        candidate.found,
        story_id=report.story_id,
        revision=report.revision,
        section=report.section,
        origin=candidate.origin,
        declared_sources=candidate.declared_sources,
        now=now,
    )


def _plan_current(
    report: ReportSubmitted,
    story: StoryRecord | None,
    previous: list[ClaimRecord],
    candidates: list[Candidate],
    now: datetime,
    over: int,
) -> unit_of_work.RevisionPlan:
    n = report.revision
    found = match(report.body, candidates, previous)
    old_body = story.body if story is not None else ""
    old_headline = story.headline if story is not None else ""
    writes: list[ClaimWrite] = []

    def place(claim: ClaimRecord, candidate: Candidate, keep: bool) -> ClaimRecord:
        origin = "declared" if candidate.origin == "declared" else claim.origin
        # A headline's claim and its attributions' spans live in the headline.
        in_headline = candidate.in_headline
        return moved(
            claim,
            candidate.found,
            revision=n,
            section=report.section,
            origin=origin,
            old_body=old_headline if in_headline else old_body,
            new_body=report.headline if in_headline else report.body,
            keep_review=keep,
            now=now,
        )

    for claim, candidate in found.kept:
        writes.append(
            ClaimWrite(place(claim, candidate, True), claim, "carried", f"carried to revision {n}")
        )
    for claim, candidate in found.changed:
        writes.append(
            ClaimWrite(
                place(claim, candidate, False),
                claim,
                "changed",
                f"changed in revision {n}: back to pending",
            )
        )
    for candidate in found.new:
        writes.append(
            ClaimWrite(
                _new(report, candidate, now), None, "created", f"{candidate.origin} in revision {n}"
            )
        )
    # found.removed: closed after the commit, in chunks (unit_of_work.close_superseded).
    count = len(found.kept) + len(found.changed) + len(found.new)
    to_check, confirmed = at_receipt(
        report.body,
        n,
        story.checked_sentences if story is not None else (),
        story.claims_confirmed_revision if story is not None else None,
    )
    revision = dataclasses.replace(
        _revision_record(report, count, False, now, over),
        sentences_to_check=to_check,
        claims_confirmed_revision=confirmed,
    )
    return unit_of_work.RevisionPlan(revision, True, writes, dropped=len(found.removed))


# Plans a revision again when the story changed between the read and the commit.
MAX_PLANS = 5
# Claims of an older revision closed per transaction after a revision that dropped them:
# the store holds the claims collection for a whole update statement, 3-5 ms a claim
# (100 held it for 0.4-1.2 s in the fault test; 10, about 40 ms).
CLOSE_CHUNK = 10
# After each chunk the sweep rests this many times as long as the chunk took: the store
# runs one statement at a time, and chunks back to back held ordinary stories' writes
# (and so the consumer) for the whole sweep; closing late changes no snapshot.
SWEEP_REST = 1.0


def rest(seconds: float) -> None:
    """The sweep's pause between chunks (see ``SWEEP_REST``)."""
    time.sleep(seconds * SWEEP_REST)


def check_report(report: ReportSubmitted) -> None:
    if report.revision < 1:
        raise InvalidMessage("invalid_revision", f"revision {report.revision} is below 1")


def known_receipts(reports: list[ReportSubmitted], now: datetime) -> dict[str, ReportReceived]:
    """Receipts (``duplicate``) for the reports already stored, by report id: one read."""
    stored = repository.revisions_by_report([r.report_id for r in reports])
    return {rid: _receipt(rev, duplicate=True, now=now) for rid, rev in stored.items()}


def large_stories(story_ids: list[str], claims: int) -> list[str]:
    """The stories among these with a stored revision of at least ``claims`` claims."""
    return repository.stories_with_claims(story_ids, claims)


# The large lane's writes go this many claims to a statement, and rest this many times as
# long as each slice took (``repository.paced``): ordinary stories' writes go on between
# the slices. An insert holds the claims collection about 2-3 ms a claim (10 claims
# 28 ms, 25: 61 ms, 100: 190-390 ms), plus about 8 ms a statement.
LANE_SLICE = 20
LANE_REST = 1.0


class Remembered:
    """The open claims the large lane's last few commits left, by story: a revision that
    follows at once is planned from them instead of reading a thousand claims again, the
    read that landed with the outbox's and publish's just after a large write. Kept only
    from a commit that left no claim of an older revision open (``RevisionPlan.sweep``
    False), and used only while the story is at the version that commit gave it
    (``unit_of_work.read_for_planning``); a few stories, in this process only."""

    def __init__(self, stories: int = 4) -> None:
        self._stories = stories
        self._lock = threading.Lock()
        self._written: OrderedDict[str, unit_of_work.Written] = OrderedDict()

    def get(self, story_id: str) -> unit_of_work.Written | None:
        with self._lock:
            return self._written.get(story_id)

    def keep(self, story: StoryRecord, planned: unit_of_work.RevisionPlan) -> None:
        with self._lock:
            self._written.pop(story.story_id, None)
            if not planned.current or planned.sweep:
                return
            last = {w.after.claim_id: w.after for w in planned.writes}  # a claim's last write
            claims = sorted((c for c in last.values() if c.open), key=lambda c: (c.start, c.end))
            self._written[story.story_id] = unit_of_work.Written(story.version, tuple(claims))
            while len(self._written) > self._stories:
                self._written.popitem(last=False)


REMEMBERED = Remembered()


def store_large_report(
    report: ReportSubmitted, analysis: Analysis, now: datetime
) -> ReportReceived:
    """:func:`store_report` for a report with many claims (the consumer's large lane): a
    copy of a report already stored is answered from one read, before any planning (ingest
    sends a report again until it sees the receipt, and a copy that came while the first
    was written would read and plan a thousand claims only to find the revision taken);
    the claims are inserted with rests between the slices; what the commit left is
    remembered for the story's next revision (:class:`Remembered`)."""
    stored = repository.revision_by_report(report.report_id)
    if stored is not None:
        log.info("report_duplicate", report_id=report.report_id, story_id=report.story_id)
        return _receipt(stored, duplicate=True, now=now)
    with repository.paced(LANE_REST, LANE_SLICE):
        return store_report(report, analysis, now, REMEMBERED)


def store_report(
    report: ReportSubmitted,
    analysis: Analysis,
    now: datetime,
    remembered: Remembered | None = None,
) -> ReportReceived:
    """Store the report as a revision of its story (once), and say so in a receipt.

    Planned outside the transaction from a consistent read, committed only while the story
    is still at the version read (else read and plan again); the claims a new revision
    dropped are closed afterwards in short transactions. ``analysis`` holds at most
    ``max_claims_per_revision`` claims (``analysis.analyse_report``); how many detected
    ones were left out is stored and shown to reviewers as ``claims_over_limit``."""
    candidates, over = analysis.candidates, analysis.over
    actor = Actor(report.reporter_id, report.byline, Role.REPORTER.value)
    for _ in range(MAX_PLANS):
        written = remembered.get(report.story_id) if remembered is not None else None
        story, previous = unit_of_work.read_for_planning(report.story_id, written)
        if story is not None and report.revision <= story.revision:
            planned = _plan_late(report, candidates, story.revision, now, over)
        else:
            current = [c for c in previous if story is None or c.revision == story.revision]
            planned = _plan_current(report, story, current, candidates, now, over)
        left = story is not None and any(c.revision < story.revision for c in previous)
        if planned.current and (planned.dropped or left):
            planned = dataclasses.replace(planned, sweep=True)
        try:
            bumped = unit_of_work.commit_revision(
                report.story_id, planned, actor, now,
                expect_version=story.version if story is not None else 0,
            )  # fmt: skip
        except (unit_of_work.StoryMoved, StaleClaim):
            continue
        except unit_of_work.RevisionTaken as exc:
            # Another consumer stored it meanwhile, or another report has this revision number.
            stored = repository.revision_by_report(report.report_id)
            if stored is not None:
                return _receipt(stored, duplicate=True, now=now)
            raise InvalidMessage(
                "revision_conflict",
                f"story {report.story_id} already has a revision {report.revision} "
                "from another report",
            ) from exc
        if remembered is not None:
            remembered.keep(bumped, planned)
        log.info(
            "report_received",
            report_id=report.report_id,
            story_id=report.story_id,
            revision=report.revision,
            claims=planned.revision.claims,
            claims_over_limit=over,
            superseded=not planned.current,
            dropped=planned.dropped,
            story_version=bumped.version,
        )
        return _receipt(planned.revision, duplicate=False, now=now)
    raise RetryableError(f"story {report.story_id} kept changing while its revision was stored")


# Claims stored per transaction when new stories are stored together.
GROUP_CLAIMS = 2000


@dataclass(frozen=True)
class NewStory:
    """A report that began a story, stored: its receipt, and the story with its claims as
    stored (its first snapshot is the caller's to send: ``repository.insert_stories``)."""

    receipt: ReportReceived
    story: StoryRecord
    claims: list[ClaimRecord]


def store_new_stories(
    reports: list[tuple[ReportSubmitted, Analysis]],
    now: datetime,
    messages: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, NewStory]:
    """Store the reports that begin a story not stored yet, several to a transaction (up
    to ``GROUP_CLAIMS`` claims each); what was stored, by report id. The others, and any
    group that fails (one of its stories or reports stored meanwhile), are left to
    :func:`store_report`, one at a time. ``messages``: by report id, what its message's
    log lines say (topic, event id and type, ``trace_id``): its ``report_received`` line
    says it too, as a revision's says what the consumer bound, and the story's first
    snapshot carries on its trace."""
    messages = messages or {}
    seen: dict[str, int] = {}
    for report, _ in reports:
        seen[report.story_id] = seen.get(report.story_id, 0) + 1
    existing = repository.existing_stories(list(seen))
    groups: list[list[unit_of_work.RevisionPlan]] = [[]]
    size = 0
    for report, analysis in reports:
        if seen[report.story_id] > 1 or report.story_id in existing or report.revision < 1:
            continue
        actor = Actor(report.reporter_id, report.byline, Role.REPORTER.value)
        plan = _plan_current(report, None, [], analysis.candidates, now, analysis.over)
        plan = dataclasses.replace(
            plan,
            writes=[dataclasses.replace(w, by=actor) for w in plan.writes],
            trace_id=messages.get(report.report_id, {}).get("trace_id"),
        )
        if groups[-1] and size + len(plan.writes) > GROUP_CLAIMS:
            groups.append([])
            size = 0
        groups[-1].append(plan)
        size += len(plan.writes)
    stored: dict[str, NewStory] = {}
    for group in groups:
        if not group:
            continue
        try:
            stories = unit_of_work.commit_new_stories(group, now)
        except Exception as exc:  # each of them again, alone, under the consumer's rules
            log.info("group_write_failed", reports=len(group), error=str(exc)[:200])
            continue
        for plan, story in zip(group, stories, strict=True):
            revision = plan.revision
            log.info(
                "report_received", report_id=revision.report_id, story_id=revision.story_id,
                revision=revision.revision, claims=revision.claims,
                claims_over_limit=revision.claims_over_limit, superseded=False, dropped=0,
                story_version=1, **messages.get(revision.report_id, {}),
            )  # fmt: skip
            stored[revision.report_id] = NewStory(
                _receipt(revision, duplicate=False, now=now),
                story,
                [w.after for w in plan.writes],
            )
    return stored


def sweep(now: datetime, stories: int = 10) -> bool:
    """Close the claims that revisions dropped, for a few marked stories; True when there
    may be more. Run by a worker beside the consumer, so a revision that drops thousands of
    claims holds neither the consumer nor the store (see ``unit_of_work.close_superseded``)."""
    story_ids = repository.stories_to_sweep(stories)

    def plan(story: StoryRecord, old: list[ClaimRecord]) -> list[ClaimWrite]:
        actor = Actor(story.reporter_id, story.byline, Role.REPORTER.value)
        reason = f"not in revision {story.revision}"
        return [
            ClaimWrite(closed(claim, reason, now), claim, "closed", reason, by=actor)
            for claim in old
        ]

    for story_id in story_ids:
        count = unit_of_work.close_superseded(story_id, plan, now, CLOSE_CHUNK, rest)
        log.info("claims_swept", story_id=story_id, closed=count)
    return len(story_ids) == stories
