"""A story's state in publish, from its newest snapshot, its verdict and its publication.
Pure functions: nothing about a released story may change silently, so any change to a
released revision's claims is listed and flags the story ``needs_correction``."""

from __future__ import annotations

from datetime import datetime

from publish.stories.model import Publication, State, StoryRow
from services.contracts import ClaimSnapshot, ReviewStatus, StoryReviewed
from services.rule.gate import Verdict


def claim_changes(released: list[ClaimSnapshot], current: StoryReviewed) -> list[str]:
    """What changed about a released revision's claims (nothing may change silently)."""
    now = {claim.claim_id: claim for claim in current.claims}
    changes: list[str] = []
    for claim in released:
        after = now.get(claim.claim_id)
        label = _short(claim.text)
        if after is None:
            changes.append(f"Claim '{label}' was removed after release")
        elif after.status != claim.status:
            changes.append(
                f"Claim '{label}' changed from {claim.status.value} to {after.status.value}"
            )
    known = {claim.claim_id for claim in released}
    for claim in current.claims:
        if claim.claim_id not in known:
            changes.append(f"Claim '{_short(claim.text)}' was added after release")
    return changes


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def state_of(verdict: Verdict, publication: Publication | None, needs_correction: bool) -> State:
    if publication is not None and publication.retracted is not None:
        return State.RETRACTED
    if needs_correction:
        return State.NEEDS_CORRECTION
    if publication is not None and publication.revision == verdict.revision:
        return State.PUBLISHED
    if verdict.publishable:
        return State.PUBLISHABLE
    # A newer revision waiting for review does not unpublish the released one.
    return State.PUBLISHED if publication is not None else State.HELD


def released_changes(
    snapshot: StoryReviewed, verdict: Verdict, publication: Publication
) -> list[str]:
    """What changed about the released revision's claims, as of ``snapshot``."""
    if snapshot.revision == publication.revision:
        found = claim_changes(publication.claims, snapshot)
        # A revision's confirmed claim list stays confirmed: only claims can start to block.
        return found + [
            f"Claim '{_short(b.claim_text)}' now blocks: {b.lacks}"
            for b in verdict.blockers
            if b.claim_id is not None
        ]
    # A later revision corrects by dropping and adding claims, and its own claims block
    # until reviewed; but a released claim it carries (same id) is still what readers
    # have, so a new verdict on it flags the story whatever revision is in review.
    # ``pending`` is no verdict: verify sets it when the reporter reworded the sentence
    # in the new revision, and a flag then would tell subscribers (needs_correction)
    # that an unreleased revision changed that claim before anything of it is released.
    now = {claim.claim_id: claim for claim in snapshot.claims}
    return [
        f"Claim '{_short(claim.text)}' changed from {claim.status.value} to "
        f"{now[claim.claim_id].status.value}"
        for claim in publication.claims
        if claim.claim_id in now
        and now[claim.claim_id].status not in (claim.status, ReviewStatus.PENDING)
    ]


def build_row(
    snapshot: StoryReviewed,
    verdict: Verdict,
    publication: Publication | None,
    previous: StoryRow | None,
    now: datetime,
) -> StoryRow:
    needs = previous.needs_correction if previous else False
    reasons = list(previous.correction_reasons) if previous else []
    flags = list(previous.correction_flags) if previous else []
    live = publication is not None and publication.retracted is None
    if live and publication is not None:
        found = released_changes(snapshot, verdict, publication)
        if found:
            needs = True
            reasons += [reason for reason in found if reason not in reasons]
    state = state_of(verdict, publication, needs)
    newer_revision = publication is None or snapshot.revision > publication.revision
    return StoryRow(
        story_id=snapshot.story_id,
        version=snapshot.version,
        revision=snapshot.revision,
        section=snapshot.section,
        headline=snapshot.headline,
        snapshot=snapshot,
        state=state,
        publishable=verdict.publishable,
        blockers=len(verdict.blockers),
        # A new revision that passes is the correction a flagged story waits for: it goes
        # out by itself too (the same revision again needs an editor).
        auto_release=(
            snapshot.publish_when_cleared
            and verdict.publishable
            and newer_revision
            and state in (State.PUBLISHABLE, State.NEEDS_CORRECTION)
        ),
        needs_correction=needs,
        correction_reasons=reasons[-20:],
        correction_flags=flags[-20:],
        published_revision=publication.revision if publication else None,
        snapshot_updated_at=snapshot.updated_at,
        changed_at=now,
    )
