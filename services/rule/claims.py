"""What keeps one claim from release, and who can act on it: rules 1-3 of the publish rule
(DESIGN.md) for a single claim, as pure functions over the event contract.

Publish's gate (``publish/stories/gate.py``) runs it over every claim of a snapshot; the
reviewers' console runs it over the claim under review (as it stands, or as it would
stand if marked contested), so a reviewer reads what the desk will read, from one place.

Rule 3 is checked per attribution record as a list of needs (a named source, its kind,
how it was obtained, an editor's approval for an anonymous source, the story text naming
it); the claim passes when one record needs nothing, and otherwise the record that got
furthest explains what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.contracts import Attribution, ClaimSnapshot, ReviewStatus, SourceKind
from services.rule.attribution import (
    anonymous_is_approved,
    is_vague,
    text_attributes,
)

NEEDS_ATTRIBUTION = frozenset({ReviewStatus.CONTESTED, ReviewStatus.UNVERIFIABLE})
REVIEWERS_QUEUE = "reviewers' queue"
EDITORS = "editors"
REPORTER = "reporter"


class Reason(StrEnum):
    PENDING = "pending"
    FALSE = "false"
    NO_ATTRIBUTION = "no_attribution"
    VAGUE_SOURCE = "vague_source"
    ANONYMOUS_UNAPPROVED = "anonymous_unapproved"
    NOT_ATTRIBUTED_IN_TEXT = "not_attributed_in_text"


LACKS: dict[Reason, str] = {
    Reason.PENDING: "Claim is still pending review",
    Reason.FALSE: "Claim was found false: the reporter must revise the story",
    Reason.NO_ATTRIBUTION: "No attribution record names a source and how it was obtained",
    Reason.VAGUE_SOURCE: (
        "The attribution does not name an identifiable source (only a placeholder such as "
        "'sources'): name who says it"
    ),
    Reason.ANONYMOUS_UNAPPROVED: "Anonymous source awaits an editor's approval",
    Reason.NOT_ATTRIBUTED_IN_TEXT: (
        "The text does not say who claims this in its sentence or the one before: "
        "add 'according to …'"
    ),
}


class Need(StrEnum):
    """One thing rule 3 asks of an attribution record, in the order it is checked."""

    SOURCE = "source"
    KIND = "kind"
    OBTAINED = "obtained"
    APPROVAL = "approval"
    IN_TEXT = "in_text"


NEED_WORDS: dict[Need, str] = {
    Need.SOURCE: "A named source (not a placeholder such as 'sources')",
    Need.KIND: "The kind of source",
    Need.OBTAINED: "How it was obtained",
    Need.APPROVAL: "An editor's approval, for an anonymous source",
    Need.IN_TEXT: "The story text names the source, in the claim's sentence or the one before",
}


@dataclass(frozen=True)
class Blocker:
    claim_id: str
    claim_text: str
    status: str
    reason: Reason
    lacks: str
    holder: str


def record_needs(record: Attribution, claim: ClaimSnapshot, body: str) -> list[Need]:
    """What ``record`` still lacks to carry ``claim`` through rule 3 (empty: it passes)."""
    needs: list[Need] = []
    anonymous = record.source_kind == SourceKind.ANONYMOUS
    # An anonymous record names a description of who ("an official at the ministry");
    # any other must name somebody identifiable.
    named = bool(record.source_name.strip()) if anonymous else not is_vague(record.source_name)
    if not named:
        needs.append(Need.SOURCE)
    # Kind and channel are required by the contract; checked anyway so a looser producer
    # cannot slip an empty one through.
    if not record.source_kind:
        needs.append(Need.KIND)
    if not record.obtained_via:
        needs.append(Need.OBTAINED)
    if anonymous and not anonymous_is_approved(record):
        needs.append(Need.APPROVAL)
    if not text_attributes(record, body, claim.context_start, claim.context_end):
        needs.append(Need.IN_TEXT)
    return needs


def _failure(record: Attribution, needs: list[Need]) -> Reason | None:
    if {Need.SOURCE, Need.KIND, Need.OBTAINED} & set(needs):
        named = record.source_name.strip() and record.source_kind != SourceKind.ANONYMOUS
        return (
            Reason.VAGUE_SOURCE if named and is_vague(record.source_name) else Reason.NO_ATTRIBUTION
        )
    if Need.APPROVAL in needs:
        return Reason.ANONYMOUS_UNAPPROVED
    if Need.IN_TEXT in needs:
        return Reason.NOT_ATTRIBUTED_IN_TEXT
    return None


# The further a record got through the checks, the more useful its failure is to report.
_PROGRESS = (
    Reason.NO_ATTRIBUTION,
    Reason.VAGUE_SOURCE,
    Reason.ANONYMOUS_UNAPPROVED,
    Reason.NOT_ATTRIBUTED_IN_TEXT,
)


@dataclass(frozen=True)
class AttributionCheck:
    """Rule 3 for one claim: the failure (None: it passes), and what the record that got
    furthest still needs (every need when there is no record)."""

    reason: Reason | None
    needs: tuple[Need, ...]
    source_name: str | None  # the record ``needs`` is about


def attribution_check(claim: ClaimSnapshot, body: str) -> AttributionCheck:
    best = AttributionCheck(Reason.NO_ATTRIBUTION, tuple(Need), None)
    for record in claim.attributions:
        needs = record_needs(record, claim, body)
        failure = _failure(record, needs)
        if failure is None:
            return AttributionCheck(None, (), record.source_name)
        assert best.reason is not None
        if _PROGRESS.index(failure) > _PROGRESS.index(best.reason):
            best = AttributionCheck(failure, tuple(needs), record.source_name)
    return best


def claim_blocker(claim: ClaimSnapshot, body: str) -> Blocker | None:
    """What keeps this claim from release, or None when it does not block."""
    reviewer = claim.holder or REVIEWERS_QUEUE
    if claim.status == ReviewStatus.PENDING:
        return _blocker(claim, Reason.PENDING, reviewer)
    if claim.status == ReviewStatus.FALSE:
        return _blocker(claim, Reason.FALSE, REPORTER)
    if claim.status not in NEEDS_ATTRIBUTION:
        return None  # verified and not_a_claim need nothing more
    reason = attribution_check(claim, body).reason
    if reason is None:
        return None
    return _blocker(claim, reason, who_acts(reason, reviewer))


def who_acts(reason: Reason, reviewer: str = REVIEWERS_QUEUE) -> str:
    """Who can lift a blocker of ``reason``: the reviewer holding the claim (or the
    reviewers' queue), the editors, or the reporter."""
    return {
        Reason.FALSE: REPORTER,
        Reason.ANONYMOUS_UNAPPROVED: EDITORS,
        Reason.NOT_ATTRIBUTED_IN_TEXT: REPORTER,
    }.get(reason, reviewer)


def _blocker(claim: ClaimSnapshot, reason: Reason, holder: str) -> Blocker:
    return Blocker(
        claim_id=claim.claim_id,
        claim_text=claim.text,
        status=claim.status.value,
        reason=reason,
        lacks=LACKS[reason],
        holder=holder,
    )
