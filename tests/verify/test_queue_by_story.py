"""The queue by story (``GET /v1/queue/stories``): a section's stories with a contested
claim first, then the oldest; each story's waiting claims in body order, counted; cursor
pages that add up to the whole list. The per-claim queue is unchanged beside it."""

from __future__ import annotations

from typing import Any

import httpx

from services.contracts import DeclaredClaim
from tests.verify.support import Newsroom, whole_queue

SECTION = "queue-by-story"  # owned: tests/support/stack.py OWNED_SECTIONS
PLAIN = (
    "The observatory opened in 1932 on the northern ridge. It records the sky every night. "
    "Its main mirror measures 2.5 metres across."
)
DISPUTED = (
    "The observatory's budget was cut by a third this year, the director said. "
    "Staff claimed the cut would close the night programme, which the ministry denied."
)


def whole_by_story(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        answer = client.get("/v1/queue/stories", params=params)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["items"]
        if not page["next_cursor"]:
            return items
        params["cursor"] = page["next_cursor"]


def test_stories_come_by_section_contested_first_then_oldest(newsroom: Newsroom) -> None:
    older = newsroom.submit(
        newsroom.report(
            section=SECTION,
            headline="Observatory marks anniversary",
            body=PLAIN,
            claims=[
                DeclaredClaim(text="Its main mirror measures 2.5 metres across."),
                DeclaredClaim(text="The observatory opened in 1932 on the northern ridge."),
            ],
        )
    )
    newsroom.wait_story(older.story_id)
    newer = newsroom.submit(
        newsroom.report(
            section=SECTION,
            headline="Observatory budget cut",
            body=DISPUTED,
            claims=[DeclaredClaim(text="the cut would close the night programme", contested=True)],
        )
    )
    snapshot = newsroom.wait_story(newer.story_id)
    newest = newsroom.submit(
        newsroom.report(
            section=SECTION,
            headline="Observatory again",
            body=PLAIN,
            claims=[DeclaredClaim(text="It records the sky every night.")],
        )
    )
    newsroom.wait_story(newest.story_id)

    with newsroom.reviewer() as client:
        stories = whole_by_story(client, section=SECTION)
        ids = [s["story_id"] for s in stories]
        assert {older.story_id, newer.story_id, newest.story_id} <= set(ids)
        # Every story with a contested claim comes before every story without one; among
        # each kind, the oldest waiting claim first.
        flags = [s["contested"] > 0 for s in stories]
        assert flags == sorted(flags, reverse=True), flags
        for kind in (True, False):
            ages = [s["oldest_queued_at"] for s in stories if (s["contested"] > 0) is kind]
            assert ages == sorted(ages)
        assert ids.index(newer.story_id) < ids.index(older.story_id)
        assert ids.index(older.story_id) < ids.index(newest.story_id)

        mine = {s["story_id"]: s for s in stories}
        disputed = mine[newer.story_id]
        assert disputed["headline"] == "Observatory budget cut"
        assert disputed["section"] == SECTION
        assert disputed["contested"] == sum(1 for c in snapshot["claims"] if c["contested"]) > 0
        starts = [c["start"] for c in mine[older.story_id]["claims"]]
        assert starts == sorted(starts)
        for story in stories:
            assert story["claims_waiting"] == len(story["claims"])
            assert {c["story_id"] for c in story["claims"]} == {story["story_id"]}
            assert {c["status"] for c in story["claims"]} == {"pending"}

        # Pages of one story add up to the same list, in the same order.
        assert [s["story_id"] for s in whole_by_story(client, section=SECTION, limit=1)] == ids

        # Filters: the contested ones only; another status.
        contested = whole_by_story(client, section=SECTION, contested="true")
        assert newer.story_id in {s["story_id"] for s in contested}
        assert older.story_id not in {s["story_id"] for s in contested}
        assert all(c["contested"] for s in contested for c in s["claims"])

        # The per-claim queue still lists the same claims, one item each.
        per_claim = {c["claim_id"] for c in whole_queue(client) if c["section"] == SECTION}
        assert {c["claim_id"] for s in stories for c in s["claims"]} == per_claim
