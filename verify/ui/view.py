"""Pure helpers of the reviewers' console: the story text cut at its marks, and the audit
read as rows a person scans.

Marks may overlap (a contest cue inside an attribution inside the claim): the text is
cut at every mark's edge, and each piece knows every mark it lies in, so the template
nests its tags per piece and the HTML stays well formed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from verify.stories.analysis import REPORTER_FLAG, REVIEWER_FLAG
from verify.stories.records import ClaimRecord

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")

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


@dataclass
class Piece:
    text: str
    claim: bool = False
    other: bool = False
    attr: list[str] = field(default_factory=list)  # what each attribution span says
    cue: list[str] = field(default_factory=list)  # what each contest cue says
    first_of_claim: bool = False


Paragraph = list[Piece]


@dataclass(frozen=True)
class _Mark:
    start: int
    end: int
    kind: str  # claim, other, attr, cue
    label: str = ""


def _marks(body: str, claim: ClaimRecord, siblings: list[Any]) -> list[_Mark]:
    size = len(body)

    def ok(start: int, end: int) -> bool:
        return 0 <= start < end <= size

    found: list[_Mark] = []
    for other in siblings:
        in_body = not getattr(other, "headline", False)
        if other.claim_id != claim.claim_id and in_body and ok(other.start, other.end):
            found.append(_Mark(other.start, other.end, "other"))
    if claim.headline:
        return found  # its offsets, cues and sources are in the headline, not the body
    if ok(claim.start, claim.end):
        found.append(_Mark(claim.start, claim.end, "claim"))
    for attribution in claim.detected_attributions:
        start, end = attribution.start, attribution.end
        if ok(start, end):
            kind = (attribution.source_kind or "unknown").replace("_", " ")
            label = f"Attribution found: {attribution.source} ({kind}), cue “{attribution.cue}”"
            found.append(_Mark(start, end, "attr", label))
    for signal in claim.contest_signals:
        start, end = signal.start, signal.end
        # A reviewer's flag spans the whole claim: it is a status, not a cue in the text.
        if ok(start, end) and signal.kind != REVIEWER_FLAG:
            detail = signal.detail or ""
            label = f"Contest signal: {signal_label(signal.kind)}" + (
                f" ({detail})" if detail else ""
            )
            found.append(_Mark(start, end, "cue", label))
    return found


def paragraphs(body: str, claim: ClaimRecord, siblings: list[Any]) -> list[Paragraph]:
    """The body as paragraphs of pieces, each piece inside the same set of marks."""
    marks = _marks(body, claim, siblings)
    spans: list[tuple[int, int]] = []
    at = 0
    for brk in _PARAGRAPH_BREAK.finditer(body):
        spans.append((at, brk.start()))
        at = brk.end()
    spans.append((at, len(body)))
    out: list[Paragraph] = []
    seen_claim = False
    for start, end in spans:
        if start >= end:
            continue
        cuts = {start, end}
        for mark in marks:
            for edge in (mark.start, mark.end):
                if start < edge < end:
                    cuts.add(edge)
        edges = sorted(cuts)
        paragraph: Paragraph = []
        for a, b in itertools.pairwise(edges):
            inside = [m for m in marks if m.start < b and m.end > a]
            piece = Piece(
                text=body[a:b],
                claim=any(m.kind == "claim" for m in inside),
                other=any(m.kind == "other" for m in inside),
                attr=[m.label for m in inside if m.kind == "attr"],
                cue=[m.label for m in inside if m.kind == "cue"],
            )
            if piece.claim and not seen_claim:
                piece.first_of_claim = seen_claim = True
            paragraph.append(piece)
        out.append(paragraph)
    return out


# --- the audit ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    at: datetime
    actor: str
    role: str
    action: str
    detail: str
    changes: list[str]


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


def _short(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%H:%M:%S")
    if isinstance(value, list):
        names = [str(v.get("source_name", "?")) for v in value if isinstance(v, dict)]
        return ", ".join(names) if names else "none"
    text = str(value).replace("_", " ") if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:59] + "…"


def history_rows(entries: list[dict[str, Any]]) -> list[Row]:
    """Newest first, each change as ``field: before → after``."""
    rows: list[Row] = []
    for entry in entries:
        before, after = entry.get("before") or {}, entry.get("after") or {}
        changes = []
        if entry.get("action") != "created":
            for key, name in _FIELD_NAMES.items():
                if key in after or key in before:
                    changes.append(f"{name}: {_short(before.get(key))} → {_short(after.get(key))}")
        actor = entry.get("actor") or {}
        rows.append(
            Row(
                at=entry["at"],
                actor=str(actor.get("name", "?")),
                role=str(actor.get("role", "")),
                action=str(entry.get("action", "")).replace("_", " "),
                detail=str(entry.get("detail") or ""),
                changes=changes,
            )
        )
    rows.reverse()
    return rows
