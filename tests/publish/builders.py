"""Story snapshots for publish's tests, built from a body and the claims' text.

Offsets are computed from the body, and each claim's context window is its sentence and
the one before, the way verify computes it.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from publish.stories.model import Publication
from services.contracts import (
    AnonymousApproval,
    Attribution,
    ClaimSnapshot,
    ObtainedVia,
    ReviewStatus,
    SourceKind,
    StoryReviewed,
)

_SENTENCE_END = re.compile(r"[.!?][\"”’)]*\s+")


def sentence_window(body: str, start: int, end: int) -> tuple[int, int]:
    """(start of the previous sentence, end of the claim's sentence)."""
    boundaries = [0] + [m.end() for m in _SENTENCE_END.finditer(body)]
    index = max(i for i, b in enumerate(boundaries) if b <= start)
    context_start = boundaries[index - 1] if index > 0 else 0
    after = [b for b in boundaries if b >= end]
    context_end = after[0] if after else len(body)
    return context_start, context_end


def attribution(
    source_name: str,
    kind: str = "person",
    via: str = "interview",
    *,
    approved: bool | str = False,
    **extra: Any,
) -> Attribution:
    approval = None
    if approved:
        reason = approved if isinstance(approved, str) else "Source would face reprisals"
        approval = AnonymousApproval(approved_by="editor-1", reason=reason, at=datetime.now(UTC))
    return Attribution(
        attribution_id=f"a_{uuid.uuid4().hex[:8]}",
        source_name=source_name,
        source_kind=SourceKind(kind),
        obtained_via=ObtainedVia(via),
        approval=approval,
        **extra,
    )


def claim(
    body: str,
    text: str,
    status: str = "verified",
    *,
    attributions: list[Attribution] | None = None,
    contested: bool | None = None,
    holder: str | None = None,
    claim_id: str | None = None,
    version: int = 1,
) -> ClaimSnapshot:
    start = body.index(text)
    end = start + len(text)
    context_start, context_end = sentence_window(body, start, end)
    review = ReviewStatus(status)
    return ClaimSnapshot(
        claim_id=claim_id or f"c_{uuid.uuid4().hex[:10]}",
        text=text,
        start=start,
        end=end,
        contested=review == ReviewStatus.CONTESTED if contested is None else contested,
        contest_signals=[],
        status=review,
        version=version,
        detected_attributions=[],
        attributions=attributions or [],
        context_start=context_start,
        context_end=context_end,
        holder=holder,
    )


def story(
    body: str,
    claims: list[ClaimSnapshot],
    *,
    story_id: str | None = None,
    version: int = 1,
    revision: int = 1,
    section: str = "world",
    headline: str = "Council approves the budget",
    byline: str = "A. Reporter",
    publish_when_cleared: bool = False,
    updated_at: datetime | None = None,
    confirmed: bool = True,
    sentences_to_check: int = 0,
    language: str | None = None,
) -> StoryReviewed:
    """A snapshot; ``confirmed`` (the default) means a reviewer confirmed this revision's
    claim list (rule 0), so a test of another rule sees only what it is about."""
    return StoryReviewed(
        story_id=story_id or f"s_{uuid.uuid4().hex[:12]}",
        version=version,
        revision=revision,
        report_id=f"r_{uuid.uuid4().hex[:8]}",
        reporter_id="u_reporter",
        byline=byline,
        headline=headline,
        body=body,
        section=section,
        publish_when_cleared=publish_when_cleared,
        cleared=all(c.status != ReviewStatus.PENDING for c in claims),
        claims=claims,
        updated_at=updated_at or datetime.now(UTC),
        claim_list_confirmed_revision=revision if confirmed else None,
        sentences_to_check=sentences_to_check,
        language=language,
    )


def bump(snapshot: StoryReviewed, **changes: Any) -> StoryReviewed:
    """The next version of ``snapshot`` (version + 1, now), with ``changes``."""
    update = {"version": snapshot.version + 1, "updated_at": datetime.now(UTC), **changes}
    return snapshot.model_copy(update=update)


def with_status(snapshot: StoryReviewed, claim_id: str, status: str) -> StoryReviewed:
    claims = [
        c.model_copy(update={"status": ReviewStatus(status)}) if c.claim_id == claim_id else c
        for c in snapshot.claims
    ]
    return bump(snapshot, claims=claims)


BODY = (
    "The city council approved the budget on Monday. "
    "Spending on roads will rise by 12 percent, the finance office said. "
    "Mayor Ana Ruiz said the plan would cut potholes by half. "
    "Critics doubted that. "
    "The vote was 7 to 2."
)


def cleared_story(**kwargs: Any) -> StoryReviewed:
    """A story that passes the gate: one verified claim and one attributed contested one."""
    body = kwargs.pop("body", BODY)
    claims = [
        claim(body, "The city council approved the budget on Monday", "verified"),
        claim(
            body,
            "the plan would cut potholes by half",
            "contested",
            attributions=[attribution("Ana Ruiz", "person", "press_conference")],
        ),
    ]
    return story(body, claims, **kwargs)


def publication_of(snapshot: StoryReviewed, seq: int = 1, **changes: Any) -> Publication:
    """What a release of ``snapshot`` stores (for rendering tests without a store)."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "story_id": snapshot.story_id,
        "seq": seq,
        "section": snapshot.section,
        "revision": snapshot.revision,
        "version": snapshot.version,
        "report_id": snapshot.report_id,
        "headline": snapshot.headline,
        "body": snapshot.body,
        "byline": snapshot.byline,
        "claims": list(snapshot.claims),
        "first_published_at": now,
        "modified_at": now,
        "released_by": "editor-1",
    }
    values.update(changes)
    return Publication(**values)
