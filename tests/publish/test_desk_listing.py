"""The desk's listing of stories (newest change first, the story id breaking ties) gives
every story once, in order, page after page, and reads every later page from an index:
a later page's ``$or`` read every story publish ever held (SecantusDB answers a filter
with a top-level ``$or`` by reading the collection)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from publish.store import to_doc
from publish.stories import repository
from publish.stories.model import State, StoryRow
from services.store import ensure_indexes
from tests.publish.builders import story
from tests.support.plans import plan, watched
from tests.support.stack import Stack

# Long before any story a test stores: a listing from just after them sees only these.
LONG_AGO = datetime(1971, 1, 1)
JUST_AFTER = (LONG_AGO + timedelta(seconds=3), "s_")


def test_the_listings_indexes_end_in_the_story_id_and_their_old_forms_are_dropped(
    stack: Stack,
) -> None:
    """The same number of index entries a story as before: each listing index took the
    story id as its last field (the tie-breaker of a later page's first range)."""
    stories = repository.StoryDoc._get_collection()
    stories.create_index([("state", 1), ("changed_at", -1)])  # as an older version built them
    stories.create_index([("changed_at", -1)])
    ensure_indexes([repository.StoryDoc])  # what a service does at start
    assert set(stories.index_information()) == {
        "_id_",
        "state_1_changed_at_-1__id_-1",
        "changed_at_-1__id_-1",
        "auto_release_1",
    }


@pytest.fixture
def tied(stack: Stack) -> Iterator[tuple[str, list[StoryRow]]]:
    """21 stories changed at three times, seven at each (one round's ``now``), held and
    published in turn, in a section of their own, their ids in no order of their times;
    newest change first."""
    section = f"k{uuid.uuid4().hex[:8]}"
    rows = []
    for n in range(21):
        story_id = f"s_{uuid.uuid4().hex[:12]}"
        at = LONG_AGO + timedelta(seconds=n % 3)
        rows.append(
            StoryRow(
                story_id=story_id,
                version=1,
                revision=1,
                section=section,
                headline="H",
                snapshot=story("A body.", [], story_id=story_id, section=section),
                state=State.HELD if n % 2 else State.PUBLISHED,
                publishable=False,
                blockers=0,
                snapshot_updated_at=at,
                changed_at=at,
            )
        )
    stories = repository.StoryDoc._get_collection()
    stories.insert_many([to_doc(row, "story_id") for row in rows])
    try:
        yield section, sorted(rows, key=lambda r: (r.changed_at, r.story_id), reverse=True)
    finally:
        stories.delete_many({"_id": {"$in": [row.story_id for row in rows]}})


def _walk(state: State | None, section: str | None, limit: int) -> list[list[str]]:
    """Every page from just after the tied stories, each from the last one's cursor,
    until a short page."""
    pages: list[list[str]] = []
    before = JUST_AFTER
    while len(pages) <= 30:  # 21 items: a cursor that does not move fails, not loops
        page = repository.stories(state, section, before, limit)
        pages.append([row.story_id for row in page])
        if len(page) < limit:
            return pages
        before = (page[-1].changed_at, page[-1].story_id)
    return pages


@pytest.mark.parametrize("limit", [1, 4, 7, 22])
@pytest.mark.parametrize("by", ["all", "state", "section", "both"])
def test_the_desk_listing_gives_every_story_once_in_order_across_tied_pages(
    tied: tuple[str, list[StoryRow]], limit: int, by: str
) -> None:
    section, rows = tied
    state = State.PUBLISHED if by in ("state", "both") else None
    expected = [r.story_id for r in rows if state is None or r.state == state]
    pages = _walk(state, section if by in ("section", "both") else None, limit)
    assert [i for page in pages for i in page] == expected
    assert all(len(page) == limit for page in pages[:-1])
    # A last page as long as the limit is followed by an empty one.
    assert len(pages[-1]) == len(expected) % limit


def test_a_later_page_of_the_desk_is_read_from_an_index(
    tied: tuple[str, list[StoryRow]], stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By state or not (a section alone has no index: the store answers those filters
    from their change time's clause, which its explain does not show)."""
    _, rows = tied
    middle = rows[9]  # the third of seven at its time
    settings = stack.settings
    with (
        watched(settings.mongo_url, settings.database("publish"), "stories") as seen,
        monkeypatch.context() as patch,
    ):
        patch.setattr(repository, "_stories", lambda: seen.collection)
        cursor = (middle.changed_at, middle.story_id)
        listed = repository.stories(None, None, cursor, 8)
        published = repository.stories(State.PUBLISHED, None, JUST_AFTER, 3)
        later = repository.stories(
            State.PUBLISHED, None, (published[-1].changed_at, published[-1].story_id), 3
        )
        sent = [s.filter for s in seen.filters if s.command == "find"]
        found = [(filter, plan(seen.collection, filter)) for filter in sent]
    assert [r.story_id for r in listed] == [r.story_id for r in rows[10:18]]
    in_state = [r.story_id for r in rows if r.state == State.PUBLISHED]
    assert [r.story_id for r in published + later] == in_state[:6]
    for filter, answer in found:
        assert not answer.scans, (filter, answer)
        assert not any(key.startswith("$") for key in filter), filter
    assert len(sent) >= 4, sent
