"""Review: the rules of one claim: read, lease, review, dismiss, approve an anonymous source.

Every change is one conditional write of the claim (its version, and its lease where the
caller must hold it or find it free) with its audit entry and the story's new version,
in one transaction. When the write no longer applies, :func:`refusal` says why: 404,
409 (closed, or leased by another), or 412 (a stale ``If-Match``).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from services.auth import Role, is_revoked
from services.clock import json_time
from services.contracts import ReviewStatus, SourceKind
from services.errors import (
    Conflict,
    Held,
    NewsroomError,
    NotFound,
    NotYours,
    PreconditionFailed,
    ValidationFailed,
)
from verify.common import Actor, StoryChanged
from verify.stories import attributions, repository, unit_of_work
from verify.stories.analysis import REVIEWER_FLAG
from verify.stories.records import (
    REVIEWER_FLAG_DETAIL,
    Approval,
    AttributionRecord,
    ClaimRecord,
    ClaimWrite,
    Signal,
    StaleClaim,
)
from verify.stories.repository import leases
from verify.stories.schemas import AttributionDraft, ReviewIn


def get(claim_id: str) -> ClaimRecord:
    claim = repository.get_claim(claim_id)
    if claim is None:
        raise NotFound(f"No claim {claim_id!r}.")
    return claim


def lease_conflict(claim: ClaimRecord, now: datetime) -> Held:
    until = json_time(claim.lease_until) if claim.lease_until else None
    return Held(
        f"Claim {claim.claim_id} is held by {claim.lease_holder} until {until}.",
        until=claim.lease_until,
        now=now,
        extra={"holder": claim.lease_holder, "lease_until": until},
    )


def closed_conflict(claim: ClaimRecord) -> Conflict:
    return Conflict(
        f"Claim {claim.claim_id} is closed ({claim.closed_reason}); it is not under review.",
        extra={"closed_reason": claim.closed_reason},
    )


def stale(claim: ClaimRecord, expected: int) -> PreconditionFailed:
    return PreconditionFailed(
        f"Claim {claim.claim_id} is at version {claim.version}, not {expected}; read it again.",
        extra={"current_version": claim.version},
    )


def check_writable(
    claim: ClaimRecord, actor: Actor, now: datetime, expected: int | None = None
) -> None:
    """Raise what a change of ``claim`` by ``actor`` runs into, if anything."""
    if not claim.open:
        raise closed_conflict(claim)
    if expected is not None and claim.version != expected:
        raise stale(claim, expected)
    if claim.held_by_other(actor.user_id, now):
        raise lease_conflict(claim, now)


class Superseded(Conflict):
    code = "claim_superseded"
    title = "The claim is not in the story's current revision"


def superseded(claim: ClaimRecord) -> Superseded:
    story = repository.load_story(claim.story_id)
    current = story.revision if story is not None else None
    return Superseded(
        f"Claim {claim.claim_id} is of revision {claim.revision}, and the story is at "
        f"revision {current} now, without it: read the story again.",
        extra={"revision": current},
    )


def refusal(claim_id: str, actor: Actor, now: datetime, expected: int | None) -> NewsroomError:
    """Why a conditional write found nothing to change (it read the claim again)."""
    claim = repository.get_claim(claim_id)
    if claim is None:
        return NotFound(f"No claim {claim_id!r}.")
    try:
        check_writable(claim, actor, now, expected)
    except NewsroomError as error:
        return error
    return Conflict(f"Claim {claim_id} changed meanwhile; read it again and retry.")


def commit_one(
    write: ClaimWrite,
    actor: Actor,
    now: datetime,
    notify: StoryChanged,
    expected: int | None,
    *,
    leases_only: bool = False,
    current_only: bool = True,
) -> ClaimRecord:
    """Commit ``write``; ``current_only``: only while the claim's revision is still the
    story's current one. A revision that dropped the claim leaves it open until the sweep
    closes it (seconds later): a mark, lease or approval meanwhile would be answered 200
    and audited on a claim no longer in the story."""
    try:
        unit_of_work.commit_claims(
            write.after.story_id,
            [write],
            actor,
            now,
            expect_revision=write.after.revision if current_only else None,
            leases_only=leases_only,
        )
    except StaleClaim as exc:
        raise refusal(exc.claim_id, actor, now, expected) from exc
    except unit_of_work.StoryMoved as exc:
        raise superseded(write.after) from exc
    notify(write.after.story_id)
    return write.after


def _body_of(claim: ClaimRecord) -> str:
    story = repository.load_story(claim.story_id)
    if story is None or story.revision != claim.revision:
        raise Conflict(f"Claim {claim.claim_id} belongs to an older revision; read it again.")
    return story.body


# --- leases ------------------------------------------------------------------------------


def _leased(claim: ClaimRecord, actor: Actor, seconds: int, now: datetime) -> ClaimRecord:
    return dataclasses.replace(
        claim,
        lease_holder_id=actor.user_id,
        lease_holder=actor.name,
        lease_until=now + timedelta(seconds=seconds),
        updated_at=now,
    )


def contended(claim: ClaimRecord, actor: Actor, now: datetime, notify: StoryChanged) -> ClaimRecord:
    """``claim`` as ``actor`` may change it: a lease another holds ends here when its
    holder was revoked (audited as given back, with why), else the claim as it was.

    A revoked user's requests are refused, but their leases ran on: everybody else was
    refused the claim (409 naming them) for the rest of the lease, up to an hour, and
    the gate named them as the one to act. Read only when a lease is in the way."""
    holder = claim.lease_holder_id
    if holder is None or not claim.open or not claim.held_by_other(actor.user_id, now):
        return claim
    if not is_revoked(holder):
        return claim
    end_revoked_lease(claim, actor, now, notify)
    return get(claim.claim_id)


def end_revoked_lease(
    claim: ClaimRecord, actor: Actor, now: datetime, notify: StoryChanged
) -> bool:
    """Give back the lease of ``claim``, whose holder was revoked, audited as ``actor``'s
    release with why; the story's change goes out (publish names the holder no more).
    False when it no longer applied: another ended it first, or the claim changed."""
    assert claim.lease_holder_id is not None
    after = dataclasses.replace(
        claim, lease_holder_id=None, lease_holder=None, lease_until=None, updated_at=now
    )
    detail = f"{claim.lease_holder}'s access was revoked"
    write = ClaimWrite(after, claim, "released", detail, lease_held=True)
    try:
        commit_one(write, actor, now, notify, None, leases_only=True, current_only=False)
    except NewsroomError:  # ended first by another (a replica's pass, a contender), or changed
        return False
    return True


def lease(
    claim_id: str, actor: Actor, seconds: int, now: datetime, notify: StoryChanged
) -> ClaimRecord:
    """Check the claim out to ``actor`` (or renew their lease) for ``seconds``."""
    claim = contended(get(claim_id), actor, now, notify)
    check_writable(claim, actor, now)
    after = _leased(claim, actor, seconds, now)
    # Contenders are refused here, at once, before any transaction (see leases).
    if not leases.take(claim, after, now):
        raise refusal(claim_id, actor, now, None)
    until = after.lease_until.isoformat() if after.lease_until else ""
    write = ClaimWrite(
        after, claim, "leased", f"until {until}", lease_for=actor.user_id, lease_taken=True
    )
    try:
        return commit_one(write, actor, now, notify, None, leases_only=True)
    except BaseException:
        leases.give_back(claim, after)
        raise


def release(claim_id: str, actor: Actor, now: datetime, notify: StoryChanged) -> ClaimRecord:
    """Give the lease back: its holder, or an editor for anyone's."""
    claim = get(claim_id)
    if not claim.open:
        raise closed_conflict(claim)
    if claim.holder_at(now) is None:
        return claim
    if claim.lease_holder_id != actor.user_id and actor.role != Role.EDITOR.value:
        raise NotYours(
            f"Claim {claim_id} is held by {claim.lease_holder}; only they or an editor "
            "can release it."
        )
    after = dataclasses.replace(
        claim, lease_holder_id=None, lease_holder=None, lease_until=None, updated_at=now
    )
    # Conditional on the holder we saw: a lease someone took meanwhile is not released.
    write = ClaimWrite(after, claim, "released", "", lease_for=claim.lease_holder_id)
    # Giving back stays possible on a claim a newer revision dropped (the sweep closes it).
    return commit_one(write, actor, now, notify, None, leases_only=True, current_only=False)


# --- reviews -----------------------------------------------------------------------------


def _signals_for(claim: ClaimRecord, status: str) -> list[Signal]:
    signals = [s for s in claim.contest_signals if s.kind != REVIEWER_FLAG]
    if status == ReviewStatus.CONTESTED.value:
        signals.append(
            Signal(
                kind=REVIEWER_FLAG,
                cue=claim.text[:80],
                start=claim.start,
                end=claim.end,
                detail=REVIEWER_FLAG_DETAIL,
            )
        )
    return signals


def _reviewed(
    claim: ClaimRecord,
    actor: Actor,
    now: datetime,
    *,
    status: str,
    attributions: list[AttributionRecord],
    note: str | None,
) -> ClaimRecord:
    signals = _signals_for(claim, status)
    after = dataclasses.replace(
        claim,
        status=status,
        attributions=attributions,
        note=note,
        contested=bool(signals),
        contest_signals=signals,
        reviewed_by=actor.name,
        reviewed_at=now,
        version=claim.version + 1,
        updated_at=now,
    )
    # A review leaves the lease as it was: the reviewer's own stays theirs (they may add an
    # attribution next), and a free claim stays free, so the gate does not name as its
    # holder, for a whole lease, a reviewer who has finished with it.
    return after


def review(
    claim_id: str,
    given: ReviewIn,
    expected: int,
    actor: Actor,
    now: datetime,
    notify: StoryChanged,
    *,
    action: str = "reviewed",
    extra_audit: dict[str, Any] | None = None,
) -> ClaimRecord:
    """Mark the claim. ``action`` and ``extra_audit`` name where a review came from when
    it is not the caller's own (claim memory's ``applied_from_match``)."""
    claim = contended(get(claim_id), actor, now, notify)
    check_writable(claim, actor, now, expected)
    found = claim.attributions
    if given.attributions is not None:
        found = attributions.resolve(claim.attributions, given.attributions, _body_of(claim))
    after = _reviewed(
        claim,
        actor,
        now,
        status=given.status.value,
        attributions=found,
        note=given.note,
    )
    write = ClaimWrite(
        after,
        claim,
        action,
        given.note or "",
        lease_for=actor.user_id,
        extra_audit=dict(extra_audit or {}),
    )
    return commit_one(write, actor, now, notify, expected)


def dismiss(
    claim_id: str,
    reason: str,
    expected: int | None,
    actor: Actor,
    now: datetime,
    notify: StoryChanged,
) -> ClaimRecord:
    """Not a claim after all: status ``not_a_claim``, with the reason."""
    claim = contended(get(claim_id), actor, now, notify)
    check_writable(claim, actor, now, expected)
    after = _reviewed(
        claim,
        actor,
        now,
        status=ReviewStatus.NOT_A_CLAIM.value,
        attributions=claim.attributions,
        note=reason,
    )
    write = ClaimWrite(after, claim, "dismissed", reason, lease_for=actor.user_id)
    return commit_one(write, actor, now, notify, expected)


def approve(
    claim_id: str,
    attribution_id: str,
    reason: str,
    expected: int | None,
    actor: Actor,
    now: datetime,
    notify: StoryChanged,
) -> ClaimRecord:
    """An editor's recorded approval of an anonymous source, with the reason."""
    claim = get(claim_id)
    if not claim.open:
        raise closed_conflict(claim)
    if expected is not None and claim.version != expected:
        raise stale(claim, expected)
    record = next((a for a in claim.attributions if a.attribution_id == attribution_id), None)
    if record is None:
        raise NotFound(f"Claim {claim_id} has no attribution {attribution_id!r}.")
    if record.source_kind != SourceKind.ANONYMOUS.value:
        raise Conflict(f"Attribution {attribution_id} names its source; it needs no approval.")
    approval = Approval(approved_by=actor.name, reason=reason, at=now)
    updated = [
        dataclasses.replace(a, approval=approval) if a.attribution_id == attribution_id else a
        for a in claim.attributions
    ]
    after = dataclasses.replace(
        claim, attributions=updated, version=claim.version + 1, updated_at=now
    )
    write = ClaimWrite(
        after,
        claim,
        "attribution_approved",
        reason,
        extra_audit={"attribution_id": attribution_id},
    )
    return commit_one(write, actor, now, notify, expected)


# --- reads -------------------------------------------------------------------------------


def suggested(claim: ClaimRecord) -> list[AttributionDraft]:
    story = repository.load_story(claim.story_id)
    body = story.body if story is not None and story.revision == claim.revision else ""
    if not body:
        return []
    return attributions.suggestions(claim, body)


def history(claim_id: str) -> list[dict[str, Any]]:
    get(claim_id)
    return repository.history(claim_id)


def check_span(body: str, start: int, end: int, where: str = "start") -> tuple[int, int]:
    """``start:end`` inside the body, trimmed of whitespace; 422 otherwise."""
    if not 0 <= start < end <= len(body):
        raise ValidationFailed(
            f"{where}: the span must satisfy 0 <= start < end <= {len(body)} (body length)",
            [{"loc": ["body", where], "msg": "span outside the body", "type": "value_error"}],
        )
    text = body[start:end]
    start, end = start + len(text) - len(text.lstrip()), end - len(text) + len(text.rstrip())
    if start >= end:
        raise ValidationFailed(
            f"{where}: the span holds only whitespace",
            [{"loc": ["body", where], "msg": "empty span", "type": "value_error"}],
        )
    return start, end
