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
from services.rule.gate import (
    EDITORS,
    HELD,
    REPORTER,
    REVIEWERS_QUEUE,
    Blocker,
    Reason,
    Verdict,
    evaluate,
)
from services.ui.marks import Mark, Paragraph, cut

BOARD = (State.NEEDS_CORRECTION, State.PUBLISHABLE, State.HELD, State.PUBLISHED)
BOARD_SIZE = 25
LIST_SIZE = 100


@dataclass(frozen=True)
class Column:
    state: State
    rows: list[StoryRow]
    more: bool


def board(only: State | None, section: str | None = None) -> list[Column]:
    """The newest stories of each state on the board (or of ``only``), of ``section``."""
    wanted = (only,) if only is not None else BOARD
    size = LIST_SIZE if only is not None else BOARD_SIZE
    columns = []
    for state in wanted:
        rows = stories.list_stories(state, section, None, size + 1)
        columns.append(Column(state, rows[:size], len(rows) > size))
    return columns


# --- who must act on a held story ------------------------------------------------------


@dataclass(frozen=True)
class Duty:
    """Who must act next on a held story, and on what."""

    who: str  # "Reviewer ana", "A reviewer", "An editor", "The reporter"
    kind: str  # reviewer, queue, editor, reporter: for the style
    what: list[str]  # the gate's words: "2 claims: pending review"


def _who(holder: str) -> tuple[str, str]:
    if holder == EDITORS:
        return "An editor", "editor"
    if holder == REPORTER:
        return "The reporter", "reporter"
    if holder == REVIEWERS_QUEUE:
        return "A reviewer (from the queue)", "queue"
    return f"Reviewer {holder}", "reviewer"


def duties(blockers: list[dict[str, Any]]) -> list[Duty]:
    """The gate's blockers as who must act: editors first, then the reporter, then the
    reviewers holding claims, then the queue."""
    counts: dict[str, dict[str, int]] = {}
    story_wide: list[str] = []
    for blocker in blockers:
        if not blocker.get("claim_id"):
            # Not a claim but the revision (its claim list): the gate's words as they are.
            story_wide.append(str(blocker.get("lacks") or ""))
            continue
        holder = str(blocker.get("holder") or REVIEWERS_QUEUE)
        reason = str(blocker.get("reason") or "")
        counts.setdefault(holder, {})
        counts[holder][reason] = counts[holder].get(reason, 0) + 1
    order = {"editor": 0, "reporter": 1, "reviewer": 2, "queue": 3}
    out = [Duty("A reviewer or an editor", "queue", story_wide)] if story_wide else []
    for holder, reasons in counts.items():
        who, kind = _who(holder)
        what = []
        for reason, n in reasons.items():
            # The gate's ``held`` words, so the desk and a reporter's timeline agree.
            words = HELD.get(Reason(reason)) if reason in set(Reason) else None
            what.append(f"{n} claim{'' if n == 1 else 's'}: {words or reason.replace('_', ' ')}")
        out.append(Duty(who, kind, what))
    return sorted(out, key=lambda d: (order[d.kind], d.who))


def _plain(blocker: Blocker) -> dict[str, Any]:
    """A blocker as the stored verdict (JSON) has it."""
    return {
        "claim_id": blocker.claim_id,
        "holder": blocker.holder,
        "reason": blocker.reason.value,
        "lacks": blocker.lacks,
    }


def row_duties(row: StoryRow) -> list[Duty]:
    """Who must act on the row's story (nothing once it passes the gate)."""
    if row.verdict_json is not None:
        blockers = list(json.loads(row.verdict_json).get("blockers", []))
    else:
        blockers = [_plain(b) for b in evaluate(row.snapshot).blockers]
    return duties(blockers)


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
    # The claim's version the page shows: the approval applies only to what was read.
    version: int
    approved_by: str | None
    reason: str | None


@dataclass(frozen=True)
class StoryView:
    row: StoryRow
    verdict: Verdict
    anonymous: list[Anonymous]
    entry: dict[str, Any] | None
    entry_json: str | None
    duties: list[Duty]
    # The text with every blocking claim marked (what it lacks on hover).
    paragraphs: list[Paragraph]

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
                    version=claim.version,
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
    spans = {c.claim_id: (c.start, c.end) for c in row.snapshot.claims}
    marks = [
        Mark(*spans[b.claim_id], "block", label=b.lacks, anchor=f"b-{b.claim_id}")
        for b in verdict.blockers
        if b.claim_id in spans
    ]
    return StoryView(
        row=row,
        verdict=verdict,
        anonymous=anonymous_sources(row),
        entry=entry,
        entry_json=json.dumps(entry, indent=2, ensure_ascii=False) if entry else None,
        duties=duties([_plain(b) for b in verdict.blockers]),
        paragraphs=cut(row.snapshot.body, marks),
    )
