"""Feeds over HTTP from a running publish: public, parse and validate, 304 on ETag and
Last-Modified, cursor pages, nothing that can run, retractions in every format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

import httpx
import pytest

from services.contracts import StoryReviewed
from tests.publish.builders import bump, claim, cleared_story, story
from tests.publish.conftest import Solo
from tests.publish.feedcheck import (
    EVIL_BODY,
    EVIL_HEADLINE,
    assert_nothing_runs,
    parsed_xml_feed,
    valid_json_feed,
)
from tests.support.servers import wait_for

FORMATS = ("json", "atom", "rss")
MEDIA = {
    "json": "application/feed+json",
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
}


def release(solo: Solo, snapshot: StoryReviewed) -> StoryReviewed:
    solo.reviewed(snapshot)
    solo.gate(snapshot.story_id, snapshot.version)
    with solo.client("editor") as editor:
        response = editor.post(f"/v1/stories/{snapshot.story_id}/publish")
        assert response.status_code == 200, response.text
    return snapshot


def urn(snapshot: StoryReviewed) -> str:
    return f"urn:newsroom:story:{snapshot.story_id}"


def test_feeds_are_public_parse_and_answer_304_for_etag_and_last_modified(solo: Solo) -> None:
    section = solo.section()
    first = release(solo, cleared_story(section=section))
    with solo.client() as public:  # no token
        for fmt in FORMATS:
            response = public.get(f"/feeds/{section}.{fmt}")
            assert response.status_code == 200, response.text
            assert response.headers["content-type"].startswith(MEDIA[fmt])
            if fmt == "json":
                ids = [i["id"] for i in valid_json_feed(response.content)["items"]]
            else:
                ids = [e.id for e in parsed_xml_feed(response.content, fmt).entries]
            assert ids == [urn(first)]

            etag, modified = response.headers["etag"], response.headers["last-modified"]
            url = f"/feeds/{section}.{fmt}"
            same = public.get(url, headers={"If-None-Match": etag})
            assert same.status_code == 304
            assert same.content == b""
            assert same.headers["etag"] == etag
            assert etag.startswith('W/"')  # gzip sends the same tag: weak (RFC 9110 8.8.3)
            strong = etag.removeprefix("W/")  # compared weakly, either form matches
            assert public.get(url, headers={"If-None-Match": f'{strong}, "x"'}).status_code == 304
            assert public.get(url, headers={"If-Modified-Since": modified}).status_code == 304
            earlier = format_datetime(
                parsedate_to_datetime(modified) - timedelta(hours=1), usegmt=True
            )
            assert public.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
            assert public.get(url, headers={"If-None-Match": '"other"'}).status_code == 200

        etag = public.get(f"/feeds/{section}.json").headers["etag"]
        second = release(solo, cleared_story(section=section))
        changed = public.get(f"/feeds/{section}.json", headers={"If-None-Match": etag})
        assert changed.status_code == 200  # the new release is seen at once
        assert [i["id"] for i in changed.json()["items"]] == [urn(second), urn(first)]


def test_feeds_page_with_a_cursor(solo: Solo) -> None:
    section = solo.section()  # the solo publish serves 3 items per page
    released = [release(solo, cleared_story(section=section)) for _ in range(4)]
    newest_first = [urn(s) for s in reversed(released)]
    with solo.client() as public:
        page = valid_json_feed(public.get(f"/feeds/{section}.json").content)
        assert [i["id"] for i in page["items"]] == newest_first[:3]
        following = public.get(solo.local(page["next_url"]))
        rest = valid_json_feed(following.content)
        assert [i["id"] for i in rest["items"]] == newest_first[3:]
        assert "next_url" not in rest
        # Every page names the feed itself, at its public address, and the same home page.
        feed_url = f"{solo.public_url}/feeds/{section}.json"
        assert page["feed_url"] == rest["feed_url"] == feed_url
        assert (
            page["home_page_url"]
            == rest["home_page_url"]
            == (f"{solo.public_url}/sections/{section}")
        )

        atom = parsed_xml_feed(public.get(f"/feeds/{section}.atom").content, "atom")
        next_link = next(link.href for link in atom.feed.links if link.rel == "next")
        assert [
            e.id for e in parsed_xml_feed(public.get(solo.local(next_link)).content, "atom").entries
        ] == newest_first[3:]
        rss = public.get(f"/feeds/{section}.rss").text
        assert 'rel="next"' in rss
        assert "cursor=" in rss
        assert public.get(f"/feeds/{section}.json", params={"cursor": "nope"}).status_code == 400


def test_markup_in_a_story_never_reaches_a_feed_or_ninjs(solo: Solo) -> None:
    section = solo.section()
    body = EVIL_BODY + "\n\nThe mayor said the plan would work."
    snapshot = story(
        body, [claim(body, "The mayor said the plan would work", "verified")],
        section=section, headline=EVIL_HEADLINE,
    )  # fmt: skip
    release(solo, snapshot)
    with solo.client() as public:
        for fmt in FORMATS:
            raw = public.get(f"/feeds/{section}.{fmt}").content
            assert_nothing_runs(raw)
            if fmt == "json":
                item = valid_json_feed(raw)["items"][0]
                assert item["id"] == urn(snapshot)
                assert "The mayor said the plan would work." in item["content_html"]
            else:
                assert parsed_xml_feed(raw, fmt).entries[0].id == urn(snapshot)
        all_feed = public.get("/feeds/all.json").content
        assert_nothing_runs(all_feed)
        assert_nothing_runs(public.get(f"/v1/published/{snapshot.story_id}").content)


def test_a_retraction_reaches_every_feed(solo: Solo) -> None:
    section = solo.section()
    snapshot = release(solo, cleared_story(section=section, headline="Bridge reopens"))
    with solo.client("editor") as editor:
        retracted = editor.post(
            f"/v1/stories/{snapshot.story_id}/retract",
            json={"reason": "The bridge is still closed; we regret the error."},
        )
        assert retracted.status_code == 200, retracted.text
        assert retracted.json()["action"] == "retracted"
        again = editor.post(f"/v1/stories/{snapshot.story_id}/retract", json={"reason": "x"})
        assert again.json()["action"] == "unchanged"
        assert editor.post(f"/v1/stories/{snapshot.story_id}/publish").status_code == 409
        listed = editor.get("/v1/stories", params={"state": "retracted", "limit": 200}).json()
        assert snapshot.story_id in {s["story_id"] for s in listed["items"]}
    with solo.client() as public:
        for feed in (section, "all"):
            item = next(
                i
                for i in public.get(f"/feeds/{feed}.json").json()["items"]
                if i["id"] == urn(snapshot)
            )
            assert item["title"] == "Retracted: Bridge reopens"
            assert item["_newsroom"]["retracted"] is True
            assert "still closed" in item["content_html"]
            assert "potholes" not in item["content_html"]
            assert item["date_modified"] >= item["date_published"]
            for fmt in ("atom", "rss"):
                entries = parsed_xml_feed(public.get(f"/feeds/{feed}.{fmt}").content, fmt).entries
                entry = next(e for e in entries if e.id == urn(snapshot))
                assert entry.title == "Retracted: Bridge reopens"
        ninjs = public.get(f"/v1/published/{snapshot.story_id}").json()
        assert ninjs["pubStatus"] == "canceled"
        assert any(d["role"] == "retraction" for d in ninjs["descriptions"])


@pytest.mark.parametrize("path", ["/feeds/nosuchsection.json", "/feeds/nosuch.atom"])
def test_an_unknown_feed_is_a_problem(solo: Solo, path: str) -> None:
    with solo.client() as public:
        response = public.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_retract_needs_an_editor_a_reason_and_a_released_story(solo: Solo) -> None:
    snapshot = solo.reviewed(cleared_story())
    solo.gate(snapshot.story_id, 1)
    path = f"/v1/stories/{snapshot.story_id}/retract"
    with solo.client("reviewer") as reviewer:
        assert reviewer.post(path, json={"reason": "no"}).status_code == 403
    with solo.client() as anonymous:
        assert anonymous.post(path, json={"reason": "no"}).status_code == 401
    with solo.client("editor") as editor:
        assert editor.post(path, json={"reason": "never released"}).status_code == 409
        assert editor.post(path, json={}).status_code == 422
        assert editor.post(path, json={"reason": "<b></b>"}).status_code == 422
        assert editor.post(path, json={"reason": "x", "extra": 1}).status_code == 422


def test_a_matching_etag_is_answered_304_with_the_same_validators(solo: Solo) -> None:
    def shortcuts(client: httpx.Client) -> float:
        for line in client.get("/metrics").text.splitlines():
            if line.startswith("newsroom_feed_not_modified_shortcuts_total "):
                return float(line.split()[1])
        return 0.0

    with solo.client() as public:
        first = public.get("/feeds/all.json")
        assert first.status_code == 200
        before = shortcuts(public)
        again = public.get("/feeds/all.json", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        assert again.content == b""
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["last-modified"] == first.headers["last-modified"]
        # answered from the cache ahead of routing
        assert shortcuts(public) == before + 1
        other = public.get("/feeds/all.json", headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200
        assert other.content == first.content


def test_a_section_feed_that_loses_a_story_is_modified_after_its_last_answer(
    solo: Solo,
) -> None:
    section, elsewhere = solo.section(), solo.section()
    first = release(solo, cleared_story(section=section))
    second = release(solo, cleared_story(section=section))
    url = f"/feeds/{section}.json"
    with solo.client() as public:
        before = public.get(url)
        modified = before.headers["last-modified"]
        # HTTP dates count whole seconds: move the story in a later one than that answer's.
        wait_for(
            lambda: datetime.now(UTC).replace(microsecond=0) > parsedate_to_datetime(modified),
            5,
            what="the next second",
        )
        moved = bump(second, revision=2, section=elsewhere, claim_list_confirmed_revision=2)
        release(solo, moved)
        after = public.get(url, headers={"If-Modified-Since": modified})
    assert after.status_code == 200
    # the moved story's marker took its place at the top (the next test says what it is)
    assert [i["id"] for i in after.json()["items"]] == [urn(second), urn(first)]
    assert after.json()["items"][0]["_newsroom"]["moved_to"] == elsewhere
    assert parsedate_to_datetime(after.headers["last-modified"]) > parsedate_to_datetime(modified)


def test_a_story_moved_to_another_section_leaves_a_marker_in_every_feed_of_the_old_one(
    solo: Solo,
) -> None:
    """A site that follows only the old section learns the story went and where, as a
    retraction tells it: the item keeps its id, says it moved (``_newsroom.moved_to``,
    Atom's RFC 6721 tombstone, ``newsroom:moved``), and carries nothing of the text."""
    section, elsewhere = solo.section(), solo.section()
    first = release(solo, cleared_story(section=section))
    second = release(solo, cleared_story(section=section))
    with solo.client() as public:
        held = public.get(f"/feeds/{section}.json").json()["items"][0]["_newsroom"]["edition"]
    moved = release(
        solo,
        bump(
            second,
            revision=2,
            section=elsewhere,
            headline="Council budget: the vote, moved",
            claim_list_confirmed_revision=2,
        ),
    )
    with solo.client() as public:
        feeds = {fmt: public.get(f"/feeds/{section}.{fmt}") for fmt in FORMATS}
        new_home = valid_json_feed(public.get(f"/feeds/{elsewhere}.json").content)
        every = valid_json_feed(public.get("/feeds/all.json").content)

    items = valid_json_feed(feeds["json"].content)["items"]
    assert [i["id"] for i in items] == [urn(moved), urn(first)]
    marker = items[0]
    assert marker["title"] == "Moved: Council budget: the vote, moved"
    assert marker["url"].endswith(f"/stories/{moved.story_id}")
    assert marker["_newsroom"]["moved_to"] == elsewhere
    assert marker["_newsroom"]["moved_from"] == section
    assert marker["_newsroom"]["claims"] == []
    assert marker["_newsroom"]["edition"] > held  # a syncing site sees its item changed
    assert elsewhere in marker["content_text"]
    raw = feeds["json"].text
    assert "potholes" not in raw.split(urn(first))[0]  # no text or claim of the story

    for fmt in ("atom", "rss"):
        parsed = parsed_xml_feed(feeds[fmt].content, fmt)
        assert [e.id for e in parsed.entries] == [urn(moved), urn(first)]
        assert parsed.entries[0].title.startswith("Moved: ")
        assert f">{elsewhere}</newsroom:moved>" in feeds[fmt].text
    assert f'<at:deleted-entry ref="{urn(moved)}"' in feeds["atom"].text
    assert "deleted-entry" not in feeds["rss"].text

    # The story itself, in its new section and in every section's feed: no marker.
    for feed in (new_home, every):
        item = next(i for i in feed["items"] if i["id"] == urn(moved))
        assert "moved_to" not in item["_newsroom"]
        assert item["title"] == "Council budget: the vote, moved"

    # Back in its first section: the story stands there once, the marker moves over.
    back = release(solo, bump(moved, revision=3, section=section, claim_list_confirmed_revision=3))
    with solo.client() as public:
        home = valid_json_feed(public.get(f"/feeds/{section}.json").content)["items"]
        left = valid_json_feed(public.get(f"/feeds/{elsewhere}.json").content)["items"]
    assert [i["id"] for i in home] == [urn(back), urn(first)]
    assert "moved_to" not in home[0]["_newsroom"]
    assert [(i["id"], i["_newsroom"]["moved_to"]) for i in left] == [(urn(back), section)]
