"""The publish rule (DESIGN.md), as a pure function: a snapshot in, a verdict out.

A story revision may be released only when, for that exact revision:
0. a reviewer has confirmed its claim list (``claim_list_confirmed_revision`` is this
   revision): detection proposes claims, it never alone stands between a reporter and
   the readers;
1. no claim is ``pending``;
2. no claim is ``false``;
3. every ``contested`` or ``unverifiable`` claim has at least one attribution record that
   names a source, its kind and how it was obtained (an anonymous source only with an
   editor's recorded approval and reason), and the text attributes the claim in its
   sentence or the one before.

Every blocking claim (and an unconfirmed claim list) is reported with a reason code, what
it lacks in words an editor understands, and who holds it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.contracts import Attribution, ClaimSnapshot, ReviewStatus, SourceKind, StoryReviewed
from services.rule.attribution import (
    anonymous_is_approved,
    is_vague,
    record_is_complete,
    text_attributes,
)

NEEDS_ATTRIBUTION = frozenset({ReviewStatus.CONTESTED, ReviewStatus.UNVERIFIABLE})
REVIEWERS_QUEUE = "reviewers' queue"
EDITORS = "editors"
REPORTER = "reporter"
CONFIRMERS = "reviewers or editors: confirm the claim list in verify"


class Reason(StrEnum):
    CLAIM_LIST_UNCONFIRMED = "claim_list_unconfirmed"
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


@dataclass(frozen=True)
class Blocker:
    claim_id: str | None  # None: the revision's claim list, not one claim
    claim_text: str
    status: str
    reason: Reason
    lacks: str
    holder: str


@dataclass(frozen=True)
class Verdict:
    story_id: str
    revision: int
    version: int
    blockers: tuple[Blocker, ...]

    @property
    def publishable(self) -> bool:
        return not self.blockers


def evaluate(snapshot: StoryReviewed) -> Verdict:
    unconfirmed = claim_list_blocker(snapshot)
    blockers = (() if unconfirmed is None else (unconfirmed,)) + tuple(
        blocker
        for claim in snapshot.claims
        if (blocker := claim_blocker(claim, _text_of(claim, snapshot))) is not None
    )
    return Verdict(snapshot.story_id, snapshot.revision, snapshot.version, blockers)


def claim_list_blocker(snapshot: StoryReviewed) -> Blocker | None:
    """Rule 0: None when a reviewer confirmed the claim list of this exact revision."""
    if snapshot.claim_list_confirmed_revision == snapshot.revision:
        return None
    count = snapshot.sentences_to_check
    lacks = (
        f"{count} sentence{'' if count == 1 else 's'} of revision {snapshot.revision} "
        "not yet checked for claims"
        if count > 0
        else f"The claim list of revision {snapshot.revision} is not confirmed yet"
    )
    return Blocker(
        claim_id=None,
        claim_text="",
        status="unconfirmed",
        reason=Reason.CLAIM_LIST_UNCONFIRMED,
        lacks=lacks,
        holder=CONFIRMERS,
    )


def held(verdict: Verdict) -> list[str]:
    """Why the revision is held, one line per reason, for a reporter's timeline: the
    unconfirmed claim list as the gate says it, then how many claims block for each reason."""
    lines = [b.lacks for b in verdict.blockers if b.claim_id is None]
    counts: dict[Reason, int] = {}
    for b in verdict.blockers:
        if b.claim_id is not None:
            counts[b.reason] = counts.get(b.reason, 0) + 1
    for reason, count in counts.items():
        lines.append(f"{count} claim{'' if count == 1 else 's'}: {HELD[reason]}")
    return lines


# The same reasons as LACKS, said of any number of claims.
HELD: dict[Reason, str] = {
    Reason.PENDING: "pending review",
    Reason.FALSE: "found false (the reporter must revise the story)",
    Reason.NO_ATTRIBUTION: "contested or unverifiable, with no attribution record",
    Reason.VAGUE_SOURCE: "attributed to no identifiable source",
    Reason.ANONYMOUS_UNAPPROVED: "anonymous source awaiting an editor's approval",
    Reason.NOT_ATTRIBUTED_IN_TEXT: "the text does not say who claims it",
}


def _text_of(claim: ClaimSnapshot, snapshot: StoryReviewed) -> str:
    """The text a claim's offsets point into: the headline for the headline's claim."""
    return snapshot.headline if claim.in_headline else snapshot.body


def claim_blocker(claim: ClaimSnapshot, body: str) -> Blocker | None:
    """What keeps this claim from release, or None when it does not block."""
    reviewer = claim.holder or REVIEWERS_QUEUE
    if claim.status == ReviewStatus.PENDING:
        return _blocker(claim, Reason.PENDING, reviewer)
    if claim.status == ReviewStatus.FALSE:
        return _blocker(claim, Reason.FALSE, REPORTER)
    if claim.status not in NEEDS_ATTRIBUTION:
        return None  # verified and not_a_claim need nothing more
    reason = _attribution_failure(claim, body)
    if reason is None:
        return None
    holder = {
        Reason.ANONYMOUS_UNAPPROVED: EDITORS,
        Reason.NOT_ATTRIBUTED_IN_TEXT: REPORTER,
    }.get(reason, reviewer)
    return _blocker(claim, reason, holder)


# The further a record got through the checks, the more useful its failure is to report.
_PROGRESS = (
    Reason.NO_ATTRIBUTION,
    Reason.VAGUE_SOURCE,
    Reason.ANONYMOUS_UNAPPROVED,
    Reason.NOT_ATTRIBUTED_IN_TEXT,
)


def _attribution_failure(claim: ClaimSnapshot, body: str) -> Reason | None:
    """None when one record passes every check; else the failure of the best record."""
    return attribution_check(claim, body).reason


def _failure(record: Attribution, needs: list[Need]) -> Reason | None:
    if {Need.SOURCE, Need.KIND, Need.OBTAINED} & set(needs):
        named = record.source_name.strip() and record.source_kind != SourceKind.ANONYMOUS
        return (
            Reason.VAGUE_SOURCE
            if named and is_vague(record.source_name)
            else (Reason.NO_ATTRIBUTION)
        )
    if Need.APPROVAL in needs:
        return Reason.ANONYMOUS_UNAPPROVED
    if Need.IN_TEXT in needs:
        return Reason.NOT_ATTRIBUTED_IN_TEXT
    return None


def _blocker(claim: ClaimSnapshot, reason: Reason, holder: str) -> Blocker:
    return Blocker(
        claim_id=claim.claim_id,
        claim_text=claim.text,
        status=claim.status.value,
        reason=reason,
        lacks=LACKS[reason],
        holder=holder,
    )


# --- rule 3 as a checklist: what a record still needs ------------------------------------
# The reviewers' console shows it on a claim's page, so a reviewer reads, before marking
# a claim, what the desk will read: the failure above is the first unmet need.


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


def record_needs(record: Attribution, claim: ClaimSnapshot, body: str) -> list[Need]:
    """What ``record`` still lacks to carry ``claim`` through rule 3 (empty: it passes)."""
    needs: list[Need] = []
    anonymous = record.source_kind == SourceKind.ANONYMOUS
    if not record_is_complete(record):
        # An anonymous record names a description of who; any other, somebody identifiable.
        named = bool(record.source_name.strip()) if anonymous else not is_vague(record.source_name)
        needs += [Need.SOURCE] if not named else []
        needs += [Need.KIND] if not record.source_kind else []
        needs += [Need.OBTAINED] if not record.obtained_via else []
    if anonymous and not anonymous_is_approved(record):
        needs.append(Need.APPROVAL)
    if not text_attributes(record, body, claim.context_start, claim.context_end):
        needs.append(Need.IN_TEXT)
    return needs


@dataclass(frozen=True)
class AttributionCheck:
    """Rule 3 for one claim: its failure (None: it passes), and what the record that got
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
