"""Event contracts: CloudEvents 1.0 in structured JSON mode, one pydantic model per event.

Every event carries ``schemaversion`` (a CloudEvents extension attribute); a consumer
refuses a version it does not know (to the DLQ) rather than guess. Topics are keyed by
story id so one story's events stay in order.

Text fields are typed with the text policy's event types (``services.text``): where an
event is decoded (:meth:`CloudEvent.payload`) a field that breaks the policy sends the
event to the DLQ (reason ``text_policy``), as an HTTP input with it would be refused.
Models read back from a service's own store are not checked again.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from services.clock import utcnow
from services.errors import InvalidMessage
from services.ids import random_hex
from services.language import LanguageTag
from services.text import (
    ON_DECODE,
    PlainText,
    SentFragment,
    SentLines,
    SentText,
    SentUrl,
    WebUrl,
)

SCHEMA_VERSION = 1
CONTENT_TYPE = "application/cloudevents+json"

# The broker's message limit as kafka-python's producer (``max_request_size``) and Apache
# Kafka (``message.max.bytes``) default to; Tansu 0.6.0 took 5 MB, so ours is the binding one.
BROKER_MESSAGE_BYTES = 1024 * 1024
# The largest event value a service sends: a quarter of the broker's limit is left for the
# key, headers and record-batch framing. The outbox sets aside anything larger, and the
# input limits (DEVELOPERS.md, "Limits") keep every accepted input's events under it.
MAX_EVENT_BYTES = 768 * 1024


class Topic(StrEnum):
    REPORTS_SUBMITTED = "reports.submitted"
    # Verify's own queue of large reports (a long body, many claims), handed on from
    # reports.submitted so that they wait apart from every other story (verify/consumer.py).
    REPORTS_LARGE = "reports.submitted.large"
    REPORTS_RECEIVED = "reports.received"
    STORIES_REVIEWED = "stories.reviewed"
    STORIES_PUBLISHED = "stories.published"


def dlq_of(topic: str) -> str:
    return f"{topic}.dlq"


class Contract(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- shared shapes -----------------------------------------------------------------------


class ReviewStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    CONTESTED = "contested"
    UNVERIFIABLE = "unverifiable"
    FALSE = "false"
    NOT_A_CLAIM = "not_a_claim"


class SourceKind(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    DOCUMENT = "document"
    MEDIA = "media"
    SOCIAL_POST = "social_post"
    ANONYMOUS = "anonymous"


class ObtainedVia(StrEnum):
    INTERVIEW = "interview"
    STATEMENT = "statement"
    PRESS_CONFERENCE = "press_conference"
    POST = "post"
    REPORT = "report"
    DOCUMENT = "document"


class DeclaredClaim(Contract):
    text: SentText
    contested: bool = False
    sources: list[SentText] = Field(default_factory=list)


class SignalOut(Contract):
    kind: str
    cue: SentFragment
    start: int
    end: int
    detail: SentFragment = ""


class DetectedAttributionOut(Contract):
    source: SentFragment
    source_kind: str = "unknown"
    cue: SentFragment
    start: int
    end: int
    # the source's role or affiliation in apposition ("the firm's lawyer, X"), if any
    role: SentFragment = ""


class AnonymousApproval(Contract):
    approved_by: SentFragment
    reason: SentLines
    at: datetime


class Attribution(Contract):
    attribution_id: str | None = None  # given by verify when the record is stored
    source_name: SentText
    source_kind: SourceKind
    obtained_via: ObtainedVia
    affiliation: SentText | None = None
    url: SentUrl | None = None
    quote: SentLines | None = None
    start: int | None = None
    end: int | None = None
    approval: AnonymousApproval | None = None


class ClaimSnapshot(Contract):
    claim_id: str
    text: SentFragment
    start: int
    end: int
    contested: bool
    contest_signals: list[SignalOut]
    status: ReviewStatus
    version: int
    detected_attributions: list[DetectedAttributionOut]
    attributions: list[Attribution]
    # The claim's sentence and the one before: where readers must see the attribution.
    context_start: int
    context_end: int
    origin: Literal["declared", "detected", "reviewer"] = "detected"
    # Who has the claim now: the reviewer holding its lease, if any.
    holder: SentFragment | None = None
    reviewed_by: SentFragment | None = None
    # The headline's claim: ``start``, ``end`` and the context are offsets in the headline.
    in_headline: bool = False
    # Detection's words of uncertainty ("may", "expects", "if"): not a dispute.
    hedges: list[SignalOut] = Field(default_factory=list)


# --- event data --------------------------------------------------------------------------


class ReportSubmitted(Contract):
    report_id: str
    story_id: str
    revision: int
    reporter_id: str
    byline: SentText
    headline: SentText
    body: SentLines
    section: SentText
    claims: list[DeclaredClaim] = Field(default_factory=list)
    publish_when_cleared: bool = False
    accepted_at: datetime
    # The story's BCP 47 tag (``services.language``). None: an event sent before reports
    # had one, which means the newsroom's ``default_language``, resolved where a story is
    # shown (publish's pages and feeds), never stored in its place.
    language: LanguageTag | None = None


class ReportReceived(Contract):
    """Verify's receipt: ingest stops re-sending a report once it sees this."""

    report_id: str
    story_id: str
    revision: int
    claims: int
    duplicate: bool = False
    received_at: datetime


class StoryReviewed(Contract):
    """The story's snapshot after every change; ``version`` only grows."""

    story_id: str
    version: int
    revision: int
    report_id: str
    reporter_id: str
    byline: SentText
    headline: SentText
    body: SentLines
    section: SentText
    publish_when_cleared: bool
    # The revision passes the publish rule (``services.rule``); ``held`` says why
    # not, in an editor's words, one line per reason.
    cleared: bool
    claims: list[ClaimSnapshot]
    updated_at: datetime
    # Claims detection found beyond the revision's limit (``max_claims_per_revision``):
    # not stored as claims; the reviewer is told so.
    claims_over_limit: int = 0
    # The revision whose claim list a reviewer confirmed (rule 0): released only when it is
    # this snapshot's ``revision``. None: never confirmed (or a snapshot from before it).
    claim_list_confirmed_revision: int | None = None
    # Sentences of this revision no reviewer has checked for claims yet.
    sentences_to_check: int = 0
    held: list[str] = Field(default_factory=list)
    # As ``ReportSubmitted.language``: None from a story received before it had one.
    language: LanguageTag | None = None


class ClaimHolder(Contract):
    claim_id: str
    holder: SentFragment


class StoryChanged(Contract):
    """A story changed and its whole snapshot does not travel with this event.

    ``reason`` says why: ``leases`` (only who holds which claim changed: ``holders``
    lists every claim held now), or ``too_large`` (the snapshot would not fit in an
    event with margin: read it at verify's ``GET /v1/stories/{story_id}``).
    ``content_version`` is the version of the story's last snapshot sent whole: a reader
    that has it (or newer) has the story's text, claims and reviews; one that has not
    reads the snapshot over HTTP."""

    story_id: str
    version: int
    content_version: int
    revision: int
    report_id: str
    cleared: bool
    reason: Literal["leases", "too_large"]
    held: list[str] = Field(default_factory=list)
    holders: list[ClaimHolder] = Field(default_factory=list)
    updated_at: datetime


class ClaimFlagged(Contract):
    """Verify to publish: a claim of ``story_id`` makes the same assertion as a claim of
    another story that was since found false (or lost its attribution). Publish marks
    the story ``needs_correction`` if it released that claim; ``flag_id`` makes a repeat
    change nothing."""

    flag_id: str = Field(min_length=1, max_length=200)
    story_id: str = Field(min_length=1, max_length=200)
    claim_id: str = Field(min_length=1, max_length=200)
    source_story_id: str = Field(min_length=1, max_length=200)
    source_claim_id: str = Field(min_length=1, max_length=200)
    status: ReviewStatus
    # Shown to editors and subscribers: the text policy, and a link they can follow.
    reason: PlainText = Field(min_length=1, max_length=2000)
    review_url: WebUrl
    flagged_at: datetime


class StoryPublished(Contract):
    story_id: str
    revision: int
    version: int
    report_id: str
    # needs_correction: the released story carries a claim found false elsewhere, or one
    # of its released claims changed status; it stays as released (pages and feeds) and
    # is flagged until an editor corrects or retracts it (publish/stories/flags.py).
    action: Literal["published", "corrected", "retracted", "needs_correction"]
    url: str
    at: datetime
    reason: SentLines | None = None
    review_url: str | None = None


EVENT_TYPES: dict[str, type[Contract]] = {
    "org.newsroom.report.submitted": ReportSubmitted,
    "org.newsroom.report.received": ReportReceived,
    "org.newsroom.story.reviewed": StoryReviewed,
    "org.newsroom.story.changed": StoryChanged,
    "org.newsroom.claim.flagged": ClaimFlagged,
    "org.newsroom.story.published": StoryPublished,
}
TYPE_OF: dict[type[Contract], str] = {model: name for name, model in EVENT_TYPES.items()}


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 envelope (structured mode) around one contract."""

    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(default_factory=random_hex)
    source: str
    type: str
    subject: str | None = None
    time: datetime = Field(default_factory=lambda: utcnow())
    datacontenttype: Literal["application/json"] = "application/json"
    schemaversion: int = SCHEMA_VERSION
    traceid: str | None = None
    data: dict[str, Any]
    _payload: Contract | None = PrivateAttr(None)

    @classmethod
    def wrap(cls, data: Contract, *, source: str, subject: str, trace_id: str | None) -> CloudEvent:
        return cls(
            source=source,
            type=TYPE_OF[type(data)],
            subject=subject,
            traceid=trace_id,
            data=data.model_dump(mode="json"),
        )

    def to_bytes(self) -> bytes:
        return self.model_dump_json(exclude_none=True).encode()

    def payload(self) -> Contract:
        """The event's data as its contract, text policy checked; decoded once (a
        consumer may ask more than once)."""
        if self._payload is None:
            model = EVENT_TYPES[self.type]
            try:
                self._payload = model.model_validate(self.data, context={ON_DECODE: True})
            except ValidationError as exc:
                text = any(str(e["type"]).startswith("text_") for e in exc.errors())
                raise InvalidMessage(
                    "text_policy" if text else "invalid_data", _short(exc)
                ) from exc
        return self._payload


def parse_event(raw: bytes | None) -> CloudEvent:
    """Parse and check an envelope; raise :class:`InvalidMessage` with a reason if it is not one."""
    if not raw:
        raise InvalidMessage("empty", "the message has no value")
    try:
        event = CloudEvent.model_validate_json(raw)
    except ValidationError as exc:
        errors = exc.errors()
        if errors and errors[0]["type"] in ("json_invalid", "json_type"):
            raise InvalidMessage("not_json", _short(exc)) from exc
        raise InvalidMessage("invalid_envelope", _short(exc)) from exc
    if event.schemaversion != SCHEMA_VERSION:
        raise InvalidMessage(
            "unsupported_schema_version",
            f"schemaversion {event.schemaversion}; this consumer reads {SCHEMA_VERSION}",
        )
    if event.type not in EVENT_TYPES:
        raise InvalidMessage("unknown_type", f"event type {event.type!r}")
    return event


def _short(exc: ValidationError) -> str:
    parts = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()[:5]]
    return "; ".join(parts)[:1000]
