"""What the editors' desk shows: stories by state, one story's gate and claims, and its
entry in the JSON feed exactly as the feed serves it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from publish.feeds import service as feeds
from publish.feeds.cache import FeedCache
from publish.feeds.render import item_id
from publish.feeds.service import FeedSite
from publish.stories import service as stories
from publish.stories.model import State, StoryRow
from services.contracts import SourceKind
from services.rule.gate import Verdict

BOARD = (State.NEEDS_CORRECTION, State.PUBLISHABLE, State.HELD, State.PUBLISHED)
BOARD_SIZE = 25
LIST_SIZE = 100


@dataclass(frozen=True)
class Column:
    state: State
    rows: list[StoryRow]
    more: bool


def board(only: State | None) -> list[Column]:
    """The newest stories of each state on the board (or of ``only``)."""
    wanted = (only,) if only is not None else BOARD
    size = LIST_SIZE if only is not None else BOARD_SIZE
    columns = []
    for state in wanted:
        rows = stories.list_stories(state, None, None, size + 1)
        columns.append(Column(state, rows[:size], len(rows) > size))
    return columns


def change_marker() -> str:
    """Changes whenever any story's row in the desk changes."""
    newest = stories.list_stories(None, None, None, 1)
    if not newest:
        return "0"
    row = newest[0]
    return f"{row.changed_at.isoformat()}|{row.story_id}|{row.version}|{row.state.value}"


@dataclass(frozen=True)
class Anonymous:
    claim_id: str
    claim_text: str
    attribution_id: str
    source_name: str
    approved_by: str | None
    reason: str | None


@dataclass(frozen=True)
class StoryView:
    row: StoryRow
    verdict: Verdict
    anonymous: list[Anonymous]
    entry: dict[str, Any] | None
    entry_json: str | None

    @property
    def released(self) -> bool:
        return self.row.published_revision is not None

    @property
    def retracted(self) -> bool:
        return self.row.state == State.RETRACTED

    @property
    def current_is_out(self) -> bool:
        """The current version is what readers have (nothing to publish)."""
        return (
            self.row.state == State.PUBLISHED and self.row.published_revision == self.row.revision
        )


def anonymous_sources(row: StoryRow) -> list[Anonymous]:
    found = []
    for claim in row.snapshot.claims:
        for record in claim.attributions:
            if record.source_kind != SourceKind.ANONYMOUS or record.attribution_id is None:
                continue
            approval = record.approval
            found.append(
                Anonymous(
                    claim_id=claim.claim_id,
                    claim_text=claim.text,
                    attribution_id=record.attribution_id,
                    source_name=record.source_name,
                    approved_by=approval.approved_by if approval else None,
                    reason=approval.reason if approval else None,
                )
            )
    return found


def feed_entry(cache: FeedCache, site: FeedSite, row: StoryRow) -> dict[str, Any] | None:
    """The story's item in its section's JSON feed, from the bytes the feed serves (the
    first page: where a story is while it is news); None when it is not there."""
    if row.published_revision is None:
        return None
    page = feeds.page(cache, site, row.section, "json", None)
    wanted = item_id(row.story_id)
    for item in json.loads(page.body).get("items", []):
        if item.get("id") == wanted:
            return dict(item)
    return None


def story_view(cache: FeedCache, site: FeedSite, story_id: str) -> StoryView:
    row, verdict = stories.gate(story_id)
    entry = feed_entry(cache, site, row)
    return StoryView(
        row=row,
        verdict=verdict,
        anonymous=anonymous_sources(row),
        entry=entry,
        entry_json=json.dumps(entry, indent=2, ensure_ascii=False) if entry else None,
    )
