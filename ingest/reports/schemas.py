"""The HTTP shapes of reports. Strict: no coercion, unknown fields refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.language import LanguageTag

Text = Annotated[str, StringConstraints(max_length=2000)]
SourceName = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class DeclaredClaimIn(Strict):
    text: Text = Field(description="The claim, exactly as it appears in the body.")
    contested: bool = Field(False, description="The reporter knows somebody disputes it.")
    sources: list[SourceName] = Field(default_factory=list, max_length=20)


class ReportIn(Strict):
    headline: str = Field(description="1 to 300 characters, plain text.")
    body: str = Field(description="The story, Markdown without raw HTML.")
    section: str = Field(description="One of the configured sections.")
    claims: list[DeclaredClaimIn] = Field(default_factory=list, max_length=200)
    story_id: str | None = Field(None, description="Your own story's id, for a new revision.")
    publish_when_cleared: bool = Field(
        False, description="Release automatically once the publish rule holds."
    )
    revises: int | None = Field(
        None,
        ge=1,
        le=1_000_000,
        description="With story_id: the revision this one replaces, the latest you have "
        "seen. When the story has a later one (your versions arrived out of order, or "
        "another was sent meanwhile), the report is refused with 409 and nothing is "
        "stored. Omitted: it follows the latest revision, whatever that is.",
    )
    # Checked here, by the model both ways in share (the route and the shortcut before
    # the router): one rule, one refusal.
    language: LanguageTag | None = Field(
        None,
        description="The story's language, a BCP 47 tag (en, fr, ar, pt-BR, zh-Hant), up to "
        "35 characters, written back in RFC 5646's case. Omitted: the story's language so far "
        "(a revision), else the newsroom's default.",
    )


class ReportAccepted(BaseModel):
    report_id: str
    story_id: str
    revision: int
    status_url: str


class TimelineEntry(BaseModel):
    status: str
    at: datetime


class ReportView(BaseModel):
    report_id: str
    story_id: str
    revision: int
    headline: str
    section: str
    byline: str
    status: str
    timeline: list[TimelineEntry]
    held: list[str] = Field(
        default_factory=list,
        description="Why the revision does not pass the publish rule now, one line per "
        "reason (empty once it is cleared, or before verify has reviewed it)",
    )
    corrections: list[str] = Field(
        default_factory=list,
        description="Why publish flagged this released revision for a correction "
        "(status 'needs_correction'): which claim was found false or changed, and where. "
        "Submit a new revision with story_id; an editor may also retract the story. Once "
        "publish released the story again after the last flag (the correction readers see "
        "now), the revision reads 'corrected' and these say why it was flagged",
    )
    claims_declared: int
    publish_when_cleared: bool
    language: str = Field(description="The story's language, a BCP 47 tag.")
    superseded_by: int | None = Field(
        None,
        description="The story's latest revision, when it is later than this one. A "
        "revision never released that a later one replaced is 'superseded': it will not be "
        "published",
    )


class ReportPage(BaseModel):
    items: list[ReportView]
    next_cursor: str | None
