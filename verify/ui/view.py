"""Pure helpers of the reviewers' console: the story text with its marks, what the publish
rule still needs of a claim (from ``services/rule``, the gate's own words), and the audit
read as rows a person scans."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.contracts import ClaimSnapshot, ReviewStatus, SourceKind
from services.rule.gate import (
    NEED_WORDS,
    NEEDS_ATTRIBUTION,
    Need,
    attribution_check,
    claim_blocker,
)
from services.ui.marks import Mark, Paragraph, cut
from verify.stories.analysis import REPORTER_FLAG, REVIEWER_FLAG
from verify.stories.records import AttributionRecord, ClaimRecord
from verify.stories.schemas import AttributionDraft

SIGNAL_LABELS = {
    "denial": "Denial",
    "hedge": "Hedge",
    "allegation": "Allegation",
    "vague_source": "Vague source",
    "anonymous_source": "Anonymous source",
    "conflicting_sources": "Conflicting sources",
    REPORTER_FLAG: "Flagged by the reporter",
    REVIEWER_FLAG: "Marked contested by a reviewer",
}


def signal_label(kind: str) -> str:
    return SIGNAL_LABELS.get(kind, kind.replace("_", " ").capitalize())


def signal_labels(claim: ClaimRecord) -> list[str]:
    """What contests the claim, each kind once, in the order found."""
    labels: list[str] = []
    for signal in claim.contest_signals:
        label = signal_label(signal.kind)
        if label not in labels:
            labels.append(label)
    return labels


def _marks(body: str, claim: ClaimRecord, siblings: list[Any]) -> list[Mark]:
    size = len(body)

    def ok(start: int, end: int) -> bool:
        return 0 <= start < end <= size

    found: list[Mark] = []
    for other in siblings:
        in_body = not getattr(other, "headline", False)
        if other.claim_id != claim.claim_id and in_body and ok(other.start, other.end):
            found.append(Mark(other.start, other.end, "other"))
    if claim.headline:
        return found  # its offsets, cues and sources are in the headline, not the body
    if ok(claim.start, claim.end):
        found.insert(0, Mark(claim.start, claim.end, "claim", anchor="claim-start"))
    for attribution in claim.detected_attributions:
        kind = (attribution.source_kind or "unknown").replace("_", " ")
        who = (
            f"{attribution.source}, {attribution.role}" if attribution.role else attribution.source
        )
        label = f"Attribution found: {who} ({kind}), cue “{attribution.cue}”"
        if ok(attribution.start, attribution.end):
            found.append(Mark(attribution.start, attribution.end, "attr", label))
    for signal in claim.contest_signals:
        # A reviewer's flag spans the whole claim: it is a status, not a cue in the text.
        if signal.kind != REVIEWER_FLAG and ok(signal.start, signal.end):
            detail = signal.detail or ""
            label = f"Contest signal: {signal_label(signal.kind)}" + (
                f" ({detail})" if detail else ""
            )
            found.append(Mark(signal.start, signal.end, "cue", label))
    return found


def paragraphs(body: str, claim: ClaimRecord, siblings: list[Any]) -> list[Paragraph]:
    """The body as paragraphs of pieces: the claim under review, the story's other
    claims, the attributions and contest cues detection found for it."""
    return cut(body, _marks(body, claim, siblings))


def story_paragraphs(body: str, claims: list[ClaimSnapshot]) -> list[Paragraph]:
    """The body with every claim marked by its status (the end of a story)."""
    return cut(
        body,
        [Mark(c.start, c.end, "claim-" + c.status.value, anchor=f"c-{c.claim_id}") for c in claims],
    )


ORIGIN_LABELS = {
    "declared": "Declared by the reporter",
    "detected": "Found by detection",
    "reviewer": "Added by a reviewer",
}


def origin_label(origin: str) -> str:
    return ORIGIN_LABELS.get(origin, origin.replace("_", " ").capitalize())


def unused_suggestions(
    drafts: list[AttributionDraft], recorded: list[AttributionRecord]
) -> list[AttributionDraft]:
    """The drafts not yet recorded: once added, a suggestion is no longer offered."""
    names = {r.source_name.casefold().strip() for r in recorded}
    return [d for d in drafts if d.source_name.casefold().strip() not in names]


# --- what the publish rule still needs --------------------------------------------------


@dataclass(frozen=True)
class RuleView:
    """The publish rule on one claim, as the desk will read it (``services/rule``)."""

    status: str  # the claim's status
    supposed: bool  # a pending claim, judged as if marked contested
    passes: bool
    lacks: str | None  # the gate's words
    who: str | None  # who can act, in the gate's words
    needs: list[tuple[str, bool]]  # each thing rule 3 asks, and whether it is there
    about: str | None  # the attribution the needs are about


def rule_view(claim: ClaimSnapshot, body: str) -> RuleView | None:
    """None for a claim the rule asks nothing more of (verified, not a claim)."""
    supposed = claim.status == ReviewStatus.PENDING
    judged = claim.model_copy(update={"status": ReviewStatus.CONTESTED}) if supposed else claim
    blocker = claim_blocker(judged, body)
    if judged.status not in NEEDS_ATTRIBUTION:
        if blocker is None:
            return None
        return RuleView(claim.status.value, False, False, blocker.lacks, blocker.holder, [], None)
    check = attribution_check(judged, body)
    shown = [Need.SOURCE, Need.KIND, Need.OBTAINED, Need.IN_TEXT]
    if any(a.source_kind == SourceKind.ANONYMOUS for a in claim.attributions):
        shown.insert(3, Need.APPROVAL)  # asked of anonymous sources only
    needs = [(NEED_WORDS[need], need not in check.needs) for need in shown]
    return RuleView(
        status=claim.status.value,
        supposed=supposed,
        passes=blocker is None,
        lacks=blocker.lacks if blocker else None,
        who=blocker.holder if blocker else None,
        needs=needs,
        about=check.source_name,
    )


# --- the audit ---------------------------------------------------------------------------


# A value of a change: text, a time (the template shows times in one style), or names
# (attributions), each of which the template isolates (``<bdi>``) as it does every value:
# "none → <name>, <name>" with two names in Arabic script would otherwise be one
# right-to-left run, the second name read first, and so would "<note> → <note>".
Value = str | datetime | tuple[str, ...]

# Actions whose detail is what someone wrote (a review's note, a reason to dismiss or to
# approve an anonymous source): shown in its own direction, not the console's.
WRITTEN = frozenset({"reviewed", "dismissed", "attribution_approved"})


@dataclass(frozen=True)
class Row:
    at: datetime
    actor: str
    role: str
    action: str
    detail: list[str | datetime]  # its text, with the times in it as times
    changes: list[tuple[str, Value, Value]]  # field, before, after
    written: bool = False  # the detail is someone's words (``WRITTEN``)


_FIELD_NAMES = {
    "status": "status",
    "contested": "contested",
    "attributions": "attributions",
    "note": "note",
    "lease_holder": "held by",
    "lease_until": "lease until",
    "reviewed_by": "reviewed by",
    "open": "open",
    "closed_reason": "closed",
    "text": "text",
    "start": "start",
    "end": "end",
    "revision": "revision",
    "origin": "origin",
}


STATUS_WORDS = {
    "pending": "pending",
    "verified": "verified",
    "contested": "contested",
    "unverifiable": "unverifiable",
    "false": "false",
    "not_a_claim": "not a claim",
}


def _short(value: Any, key: str = "") -> Value:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value
    if key == "status":
        return STATUS_WORDS.get(str(value), str(value))
    if key == "origin":
        return origin_label(str(value)).lower()
    if isinstance(value, list):
        names = tuple(str(v.get("source_name", "?")) for v in value if isinstance(v, dict))
        return names or "none"
    text = str(value).replace("_", " ") if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:59] + "…"


_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[+-]\d{2}:\d{2}|Z)?")


def _with_times(text: str) -> list[str | datetime]:
    """The audit's detail ("until 2026-05-04T13:02:11+00:00"), its stamps as times."""
    parts: list[str | datetime] = []
    at = 0
    for found in _STAMP.finditer(text):
        try:
            when = datetime.fromisoformat(found.group(0))
        except ValueError:
            continue
        parts += [text[at : found.start()], when]
        at = found.end()
    parts.append(text[at:])
    return [p for p in parts if p != ""]


def history_rows(entries: list[dict[str, Any]]) -> list[Row]:
    """Newest first, each change as (field, before, after)."""
    rows: list[Row] = []
    for entry in entries:
        before, after = entry.get("before") or {}, entry.get("after") or {}
        changes = []
        if entry.get("action") != "created":
            for key, name in _FIELD_NAMES.items():
                if key in after or key in before:
                    changes.append(
                        (name, _short(before.get(key), key), _short(after.get(key), key))
                    )
        actor = entry.get("actor") or {}
        action = str(entry.get("action", ""))
        rows.append(
            Row(
                at=entry["at"],
                actor=str(actor.get("name", "?")),
                role=str(actor.get("role", "")),
                action=action.replace("_", " "),
                detail=_with_times(str(entry.get("detail") or "")),
                changes=changes,
                written=action in WRITTEN,
            )
        )
    rows.reverse()
    return rows
