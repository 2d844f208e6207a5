"""Attribution records: checking what a reviewer sends, and drafts prefilled from detection.

Pure: takes and returns plain values, raises ``ValidationFailed`` (422).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from services.contracts import ObtainedVia, SourceKind
from services.errors import ValidationFailed
from verify.stories.records import AttributionRecord, ClaimRecord, new_attribution_id
from verify.stories.schemas import AttributionDraft, AttributionIn

# The content of a record; a change of any of these needs an anonymous source approved again.
CONTENT = (
    "source_name",
    "source_kind",
    "obtained_via",
    "affiliation",
    "url",
    "quote",
    "start",
    "end",
)


def _invalid(index: int, name: str, message: str) -> ValidationFailed:
    loc = ["body", "attributions", str(index), name]
    return ValidationFailed(
        f"attributions.{index}.{name}: {message}",
        [{"loc": loc, "msg": message, "type": "value_error"}],
    )


def _check(index: int, given: AttributionIn, body: str) -> None:
    if given.url is not None:
        parts = urlsplit(given.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise _invalid(index, "url", "must be an http or https URL")
    if (given.start is None) != (given.end is None):
        raise _invalid(index, "end", "give both start and end, or neither")
    if given.start is not None and given.end is not None:
        if not given.start < given.end <= len(body):
            raise _invalid(
                index, "end", f"the span must satisfy start < end <= {len(body)} (body length)"
            )
        if not body[given.start : given.end].strip():
            raise _invalid(index, "start", "the span holds only whitespace")


def resolve(
    stored: list[AttributionRecord], given: list[AttributionIn], body: str
) -> list[AttributionRecord]:
    """The claim's new attribution list: records named by id are kept (an editor's approval
    stays while their content is unchanged), records without an id are new."""
    by_id = {a.attribution_id: a for a in stored}
    seen: set[str] = set()
    out: list[AttributionRecord] = []
    for index, item in enumerate(given):
        _check(index, item, body)
        content: dict[str, Any] = item.model_dump(mode="json", include=set(CONTENT))
        if item.attribution_id is None:
            out.append(AttributionRecord(attribution_id=new_attribution_id(), **content))
            continue
        old = by_id.get(item.attribution_id)
        if old is None:
            raise _invalid(index, "attribution_id", "no such attribution on this claim")
        if item.attribution_id in seen:
            raise _invalid(index, "attribution_id", "given twice")
        seen.add(item.attribution_id)
        unchanged = all(getattr(old, k) == content[k] for k in CONTENT)
        approval = old.approval if unchanged else None
        out.append(
            AttributionRecord(attribution_id=item.attribution_id, **content, approval=approval)
        )
    return out


_KINDS = {kind.value: kind for kind in SourceKind}
_VIA_OF_KIND = {
    SourceKind.SOCIAL_POST: ObtainedVia.POST,
    SourceKind.DOCUMENT: ObtainedVia.DOCUMENT,
    SourceKind.MEDIA: ObtainedVia.REPORT,
}
_VIA_WORDS = (
    ("press conference", ObtainedVia.PRESS_CONFERENCE),
    ("briefing", ObtainedVia.PRESS_CONFERENCE),
    ("statement", ObtainedVia.STATEMENT),
    ("interview", ObtainedVia.INTERVIEW),
    ("told", ObtainedVia.INTERVIEW),
    ("tweet", ObtainedVia.POST),
    ("posted", ObtainedVia.POST),
    ("report", ObtainedVia.REPORT),
)


def _via(kind: SourceKind | None, cue: str, sentence: str) -> ObtainedVia | None:
    if kind in _VIA_OF_KIND:
        return _VIA_OF_KIND[kind]
    words = f"{cue} {sentence}".lower()
    for word, via in _VIA_WORDS:
        if word in words:
            return via
    return None


def suggestions(claim: ClaimRecord, body: str) -> list[AttributionDraft]:
    """Drafts from the sources detection found in the text, then the reporter's declared ones."""
    drafts: list[AttributionDraft] = []
    named: set[str] = set()
    sentence = body[claim.context_start : claim.context_end]
    for found in claim.detected_attributions:
        kind = _KINDS.get(found.source_kind)
        drafts.append(
            AttributionDraft(
                source_name=found.source,
                source_kind=kind,
                obtained_via=_via(kind, found.cue, sentence),
                start=min(found.start, found.cue_start),
                end=max(found.end, found.cue_end),
                cue=found.cue,
                found_by="detection",
            )
        )
        named.add(found.source.casefold())
    for source in claim.declared_sources:
        if source.casefold() not in named:
            drafts.append(
                AttributionDraft(
                    source_name=source,
                    source_kind=None,
                    obtained_via=None,
                    start=None,
                    end=None,
                    cue=None,
                    found_by="reporter",
                )
            )
    return drafts
