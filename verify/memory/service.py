"""The rules of claim memory: earlier reviews of a claim, applying one, refusing one, and
the flags for publish when a claim is found false.

A claim's statement is read once and stored with it (again when its text changes);
earlier reviews are the reviewed claims of other stories that make the same assertion,
closest first. Applying one goes through the ordinary review (lease, If-Match, audit),
recorded as ``applied_from_match`` with the claim it came from. When a claim is marked
``false`` or its last attribution is withdrawn, every claim of another story that makes
the same assertion gets a flag for publish (``ClaimFlagged``), which marks the stories
it released with that claim ``needs_correction``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.contracts import ClaimFlagged, ObtainedVia, ReviewStatus, SourceKind
from services.errors import Conflict
from services.log import get_logger
from verify.common import Actor, StoryChanged
from verify.memory import repository
from verify.memory.compare import Comparison, compare
from verify.memory.fingerprint import bands
from verify.memory.lookup import matches
from verify.memory.statement import Statement, read
from verify.stories import repository as stories
from verify.stories import review
from verify.stories.records import ClaimRecord
from verify.stories.schemas import AttributionIn, ReviewIn

log = get_logger(__name__)

SHOWN = 10  # earlier reviews offered for one claim, closest first
APPLIED = "applied_from_match"


@dataclass(frozen=True)
class EarlierReview:
    claim: ClaimRecord
    headline: str | None
    comparison: Comparison


def statement_of(claim: ClaimRecord) -> Statement:
    """The claim's statement: stored, or read now and stored (its text changed, or it
    was stored before claim memory)."""
    stored = repository.stored_statement(claim.claim_id, claim.norm)
    if stored is not None:
        return stored
    statement = read(claim.text)
    repository.store(claim.claim_id, statement, claim.norm)
    return statement


def earlier_reviews(claim_id: str) -> list[EarlierReview]:
    claim = review.get(claim_id)
    statement = statement_of(claim)
    docs = repository.reviewed_candidates(
        bands(statement.terms), claim.story_id, repository.refused(claim_id)
    )
    found = matches(statement, docs)[:SHOWN]
    headlines = {s.story_id: s.headline for s in stories.load_stories([m.story_id for m in found])}
    out: list[EarlierReview] = []
    for match in found:
        earlier = stories.get_claim(match.claim_id)
        if earlier is not None and earlier.status != ReviewStatus.PENDING.value:
            out.append(EarlierReview(earlier, headlines.get(earlier.story_id), match.comparison))
    return out


def apply(
    claim_id: str,
    from_claim_id: str,
    expected: int,
    actor: Actor,
    now: datetime,
    notify: StoryChanged,
) -> ClaimRecord:
    """Give the claim the status and attributions of an earlier review of the same claim.

    The attributions lose their spans (they pointed into the other story's text) and any
    editor's approval of an anonymous source (approval is given story by story)."""
    claim = review.get(claim_id)
    review.check_writable(claim, actor, now, expected)
    earlier = review.get(from_claim_id)
    if earlier.story_id == claim.story_id:
        raise Conflict(f"Claim {from_claim_id} is in the same story; it is not an earlier review.")
    if earlier.status == ReviewStatus.PENDING.value:
        raise Conflict(f"Claim {from_claim_id} has not been reviewed; there is nothing to apply.")
    if from_claim_id in repository.refused(claim_id):
        raise Conflict(f"Claim {from_claim_id} was marked as not the same claim.")
    comparison = compare(statement_of(claim), statement_of(earlier))
    if not comparison.same:
        raise Conflict(
            f"Claim {from_claim_id} does not make the same assertion "
            f"(it differs in: {comparison.differs}); review this claim on its own.",
            extra={"differs": comparison.differs},
        )
    given = ReviewIn(
        status=ReviewStatus(earlier.status),
        attributions=[
            AttributionIn(
                source_name=a.source_name,
                source_kind=SourceKind(a.source_kind),
                obtained_via=ObtainedVia(a.obtained_via),
                affiliation=a.affiliation,
                url=a.url,
                quote=a.quote,
            )
            for a in earlier.attributions
        ],
        note=f"Applied from the review of claim {earlier.claim_id} (story {earlier.story_id})",
    )
    return review.review(
        claim_id,
        given,
        expected,
        actor,
        now,
        notify,
        action=APPLIED,
        extra_audit={
            "from_claim_id": earlier.claim_id,
            "from_story_id": earlier.story_id,
            "score": comparison.score,
        },
    )


def not_same(claim_id: str, other_id: str, actor: Actor) -> None:
    """The reviewer says ``other_id`` is not the same claim: never offered again."""
    review.get(claim_id)
    review.get(other_id)
    repository.mark_not_same(claim_id, other_id)
    log.info("claim_match_refused", claim_id=claim_id, other_id=other_id, actor=actor.name)


# --- flags for publish ------------------------------------------------------------------


def _withdrawn(claim_id: str) -> bool:
    """The claim's last change took away every attribution record it had."""
    entries = stories.history(claim_id)
    if not entries:
        return False
    last = entries[-1]
    before = (last.get("before") or {}).get("attributions")
    after = (last.get("after") or {}).get("attributions")
    return bool(before) and after is not None and not after


def flag_id(source_claim_id: str, claim_id: str, status: str) -> str:
    return hashlib.sha256(f"{source_claim_id}:{claim_id}:{status}".encode()).hexdigest()[:32]


def reviewed(
    claim: ClaimRecord, review_url: Callable[[str], str], now: datetime
) -> list[ClaimFlagged]:
    """After a review: store the claim's statement, and when it was found false (or lost
    its attribution) flag every claim of another story that makes the same assertion."""
    statement = statement_of(claim)
    if claim.status == ReviewStatus.FALSE.value:
        reason = "found false"
    elif _withdrawn(claim.claim_id):
        reason = "its attribution was withdrawn"
    else:
        return []
    docs = repository.carrying_candidates(bands(statement.terms), claim.story_id)
    flags = [
        ClaimFlagged(
            flag_id=flag_id(claim.claim_id, m.claim_id, reason),
            story_id=m.story_id,
            claim_id=m.claim_id,
            source_story_id=claim.story_id,
            source_claim_id=claim.claim_id,
            status=ReviewStatus(claim.status),
            reason=f"The same claim in story {claim.story_id} was {reason}",
            review_url=review_url(claim.claim_id),
            flagged_at=now,
        )
        for m in matches(statement, docs)
    ]
    stored = repository.add_flags(flags, now)
    log.info("claim_flags_stored", claim_id=claim.claim_id, matched=len(flags), new=stored)
    return flags
