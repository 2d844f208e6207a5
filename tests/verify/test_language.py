"""A story's language goes through verify: stored with each revision, in every snapshot,
changed by a revision that says another; a report sent before reports had one (no field
on the event) is taken all the same, its story with no language (the newsroom's default
is publish's to apply)."""

from __future__ import annotations

from tests.verify.support import Newsroom


def test_the_language_of_the_current_revision_is_in_the_snapshot(newsroom: Newsroom) -> None:
    first = newsroom.submit(newsroom.report(language="ar"))
    assert newsroom.wait_story(first.story_id)["language"] == "ar"
    second = newsroom.submit(
        newsroom.report(story_id=first.story_id, revision=2, language="fr", claims=[])
    )
    revised = newsroom.wait_story(second.story_id, until=lambda s: s["revision"] == 2)
    assert revised["language"] == "fr"


def test_a_report_event_without_a_language_is_still_taken(newsroom: Newsroom) -> None:
    old = newsroom.report()
    assert "language" not in old.model_dump(exclude_none=True)  # as sent before it existed
    newsroom.submit(old)
    story = newsroom.wait_story(old.story_id)
    assert story["language"] is None
    assert story["headline"] == old.headline
