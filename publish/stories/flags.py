"""A released story that carries a claim found false elsewhere: verify's ``ClaimFlagged``
marks it ``needs_correction`` on the desk, with the reason and a link to the review, and
tells subscribers through the same ``stories.published`` event and webhooks as other
corrections (action ``needs_correction``), in words of its own released claim only (the
other story may be unreleased: its id, claim and review link stay on the desk). The
story stays as released until an editor corrects or retracts it; a correction clears
the flags.

Idempotent on the flag's id; a story publish never released, or released without that
claim, or retracted, is left alone.
"""

from __future__ import annotations

from publish.stories import repository
from publish.stories.model import CorrectionFlag, State
from publish.stories.service import Desk, Released, record_release
from services.contracts import ClaimFlagged
from services.log import get_logger
from services.store import Session

log = get_logger(__name__)


def reason_of(event: ClaimFlagged) -> str:
    """The desk's words: which claim of which story, and the link to its review."""
    return (
        f"A claim of this story matches claim {event.source_claim_id} of story "
        f"{event.source_story_id}, now {event.status.value}: {event.reason} ({event.review_url})"
    )


def public_reason(event: ClaimFlagged, claim_text: str) -> str:
    """Subscribers' words: the released claim, and that a review elsewhere found it so.
    Not the other story's id, claim id, review link or verify's words of it: that story
    may never have been released, and the link is the reviewers' console."""
    short = claim_text if len(claim_text) <= 80 else claim_text[:79] + "…"
    return (
        f"Claim '{short}' makes the same assertion as a claim another review has since "
        f"found {event.status.value}"
    )


def flag(desk: Desk, event: ClaimFlagged) -> Released | None:
    """Mark the story ``needs_correction``; None when there is nothing to mark."""

    def work(session: Session) -> Released | None:
        row = repository.story(event.story_id, session=session)
        publication = repository.publication(event.story_id, session=session)
        if row is None or publication is None or publication.retracted is not None:
            return None
        carried = next((c for c in publication.claims if c.claim_id == event.claim_id), None)
        if carried is None:
            return None  # the released revision does not carry that claim
        if any(f.flag_id == event.flag_id for f in row.correction_flags):
            return None
        now = desk.now()
        found = CorrectionFlag(
            flag_id=event.flag_id,
            claim_id=event.claim_id,
            source_story_id=event.source_story_id,
            source_claim_id=event.source_claim_id,
            status=event.status.value,
            reason=event.reason,
            review_url=event.review_url,
            at=now,
        )
        reason = reason_of(event)
        repository.save_story(
            session,
            row.model_copy(
                update={
                    "needs_correction": True,
                    "state": State.NEEDS_CORRECTION,
                    "correction_reasons": [*row.correction_reasons, reason][-20:],
                    "correction_flags": [*row.correction_flags, found][-20:],
                    "auto_release": False,
                    "changed_at": now,
                }
            ),
        )
        release = record_release(
            session, desk, publication, "needs_correction", now, public_reason(event, carried.text)
        )
        return Released("needs_correction", publication, release)

    outcome = repository.transaction(work)
    log.info(
        "claim_flag_applied" if outcome else "claim_flag_ignored",
        story_id=event.story_id,
        claim_id=event.claim_id,
        source_claim_id=event.source_claim_id,
        flag_id=event.flag_id,
    )
    return outcome
