"""Restructure: reviewers reshape a story's claims: add one, split one, merge several,
keeping them apart.

Each is planned inside the transaction from the story and its open claims as the store
has them then (a change of the story meanwhile aborts it and it runs again), so two
reviewers cannot add overlapping claims or merge a claim another just split.
"""

from __future__ import annotations

import dataclasses
import itertools
from datetime import datetime
from typing import Any

from services.errors import Conflict, NotFound, ValidationFailed
from verify.common import Actor, StoryChanged
from verify.detection import analyse_span
from verify.stories import repository, unit_of_work
from verify.stories.analysis import overlaps
from verify.stories.records import (
    AttributionRecord,
    ClaimRecord,
    ClaimWrite,
    StaleClaim,
    StoryRecord,
    closed,
    new_attribution_id,
    new_claim,
)
from verify.stories.review import check_span, check_writable, get, refusal


def _commit(
    story_id: str,
    plan: unit_of_work.StoryPlanner,
    actor: Actor,
    now: datetime,
    notify: StoryChanged,
) -> list[ClaimRecord]:
    try:
        committed = unit_of_work.commit_planned(story_id, plan, actor, now)
    except StaleClaim as exc:
        raise refusal(exc.claim_id, actor, now, None) from exc
    except unit_of_work.StoryMoved as exc:
        raise Conflict(f"Story {story_id} changed meanwhile; read it again.") from exc
    notify(story_id)
    return committed.claims


def _clear_of(claims: list[ClaimRecord], start: int, end: int, skip: set[str]) -> None:
    hit = [
        c.claim_id
        for c in claims
        if c.claim_id not in skip and overlaps(c.start, c.end, start, end)
    ]
    if hit:
        raise Conflict(
            f"The span {start}:{end} overlaps claim(s) {', '.join(hit)}; split or merge those.",
            extra={"claim_ids": hit},
        )


def _new(story: StoryRecord, start: int, end: int, now: datetime, **more: Any) -> ClaimRecord:
    return new_claim(
        analyse_span(story.body, start, end),
        story_id=story.story_id,
        revision=story.revision,
        section=story.section,
        origin="reviewer",
        now=now,
        **more,
    )


def add(
    story_id: str,
    span: tuple[int, int] | None,
    text: str | None,
    actor: Actor,
    now: datetime,
    notify: StoryChanged,
) -> ClaimRecord:
    """A claim detection missed, by its offsets or by its (unique) text in the body."""
    if repository.load_story(story_id) is None:
        raise NotFound(f"No story {story_id!r}.")

    def plan(story: StoryRecord, claims: list[ClaimRecord]) -> list[ClaimWrite]:
        start, end = check_span(story.body, *span) if span else _only_place(story.body, text)
        _clear_of(claims, start, end, set())
        claim = _new(story, start, end, now)
        return [ClaimWrite(claim, None, "created", "added by a reviewer")]

    return _commit(story_id, plan, actor, now, notify)[0]


def _only_place(body: str, text: str | None) -> tuple[int, int]:
    """Where ``text`` occurs in the body: it must occur exactly once."""
    needle = text or ""
    count = body.count(needle) if needle else 0
    if count != 1:
        raise ValidationFailed(
            f"text: occurs {count} times in the body; it must occur once (or give start and end)",
            [{"loc": ["body", "text"], "msg": "not found once", "type": "value_error"}],
        )
    at = body.index(needle)
    return check_span(body, at, at + len(needle), "text")


def _copies(attributions: list[AttributionRecord]) -> list[AttributionRecord]:
    return [dataclasses.replace(a, attribution_id=new_attribution_id()) for a in attributions]


def split(
    claim_id: str,
    at: list[int],
    expected: int | None,
    actor: Actor,
    now: datetime,
    notify: StoryChanged,
) -> tuple[ClaimRecord, list[ClaimRecord]]:
    """Cut a claim at body offsets into pending parts; each keeps a copy of its attributions."""
    first = get(claim_id)

    def plan(story: StoryRecord, claims: list[ClaimRecord]) -> list[ClaimWrite]:
        claim = next((c for c in claims if c.claim_id == claim_id), None) or get(claim_id)
        check_writable(claim, actor, now, expected)
        cuts = sorted(set(at))
        if any(not claim.start < cut < claim.end for cut in cuts):
            raise ValidationFailed(
                f"at: every offset must lie inside the claim ({claim.start} < at < {claim.end})",
                [{"loc": ["body", "at"], "msg": "offset outside the claim", "type": "value_error"}],
            )
        bounds = [claim.start, *cuts, claim.end]
        parts = [
            _new(
                story,
                *check_span(story.body, a, b, "at"),
                now,
                attributions=_copies(claim.attributions),
            )
            for a, b in itertools.pairwise(bounds)
        ]
        names = ", ".join(p.claim_id for p in parts)
        writes = [ClaimWrite(p, None, "created", f"split from {claim_id}") for p in parts]
        reason = f"split into {names}"
        return [
            ClaimWrite(closed(claim, reason, now), claim, "split", reason, lease_for=actor.user_id),
            *writes,
        ]

    stored = _commit(first.story_id, plan, actor, now, notify)
    return stored[0], stored[1:]


def merge(
    claim_ids: list[str], actor: Actor, now: datetime, notify: StoryChanged
) -> tuple[list[ClaimRecord], ClaimRecord]:
    """One pending claim spanning the given claims of one story (with the text between)."""
    if len(set(claim_ids)) != len(claim_ids):
        raise ValidationFailed(
            "claim_ids: a claim is named twice",
            [{"loc": ["body", "claim_ids"], "msg": "duplicate claim id", "type": "value_error"}],
        )
    story_id = get(claim_ids[0]).story_id

    def plan(story: StoryRecord, claims: list[ClaimRecord]) -> list[ClaimWrite]:
        by_id = {c.claim_id: c for c in claims}
        chosen: list[ClaimRecord] = []
        for claim_id in claim_ids:
            claim = by_id.get(claim_id) or get(claim_id)
            if claim.story_id != story_id:
                raise ValidationFailed(
                    "claim_ids: the claims must belong to one story",
                    [{"loc": ["body", "claim_ids"], "msg": "other story", "type": "value_error"}],
                )
            check_writable(claim, actor, now)
            chosen.append(claim)
        start, end = min(c.start for c in chosen), max(c.end for c in chosen)
        _clear_of(claims, start, end, set(claim_ids))
        kept: dict[str, AttributionRecord] = {}
        for claim in sorted(chosen, key=lambda c: c.start):
            for a in claim.attributions:
                kept.setdefault(a.attribution_id, a)
        merged = _new(story, start, end, now, attributions=list(kept.values()))
        reason = f"merged into {merged.claim_id}"
        closing = [
            ClaimWrite(closed(c, reason, now), c, "merged", reason, lease_for=actor.user_id)
            for c in chosen
        ]
        return [
            *closing,
            ClaimWrite(merged, None, "created", f"merged from {', '.join(claim_ids)}"),
        ]

    stored = _commit(story_id, plan, actor, now, notify)
    return stored[:-1], stored[-1]
