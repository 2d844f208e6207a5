"""Feed rendering without a store: formats parse and validate, nothing in them can run,
corrections and retractions show as such, and ninjs/ClaimReview carry the claims."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from publish.feeds.content import body_html, html_to_text
from publish.feeds.ninjs import extension_schema, ninjs, reviews_of
from publish.feeds.render import EPOCH, RENDERERS, FeedMeta, item_id, item_of
from publish.stories.model import CorrectionNote, Retraction
from tests.publish.builders import attribution, claim, cleared_story, publication_of, story
from tests.publish.feedcheck import (
    EVIL_BODY,
    EVIL_HEADLINE,
    assert_nothing_runs,
    parsed_xml_feed,
    valid_json_feed,
)
from tests.publish.ninjscheck import assert_valid_ninjs

BASE = "http://publish.test"


def meta(fmt: str, *, next_cursor: int | None = None) -> FeedMeta:
    return FeedMeta(
        newsroom="Newsroom",
        section="world",
        base_url=BASE,
        extension=fmt,
        cursor=None,
        next_cursor=next_cursor,
        updated=datetime.now(UTC),
    )


def render(fmt: str, publications, next_cursor: int | None = None) -> bytes:  # type: ignore[no-untyped-def]
    items = [item_of(p, BASE, "Newsroom") for p in publications]
    return RENDERERS[fmt](items, meta(fmt, next_cursor=next_cursor))


def test_every_format_parses_and_the_json_feed_validates() -> None:
    first = publication_of(cleared_story(), seq=2)
    second = publication_of(cleared_story(headline="Profits < costs & more"), seq=1)
    feed = valid_json_feed(render("json", [first, second], next_cursor=1))
    assert [i["id"] for i in feed["items"]] == [item_id(first.story_id), item_id(second.story_id)]
    assert feed["next_url"] == f"{BASE}/feeds/world.json?cursor=1"
    assert feed["items"][1]["title"] == "Profits < costs & more"
    extension = feed["items"][0]["_newsroom"]
    contested = [c for c in extension["claims"] if c["status"] == "contested"]
    assert contested[0]["attributions"][0]["source_name"] == "Ana Ruiz"

    atom = parsed_xml_feed(render("atom", [first, second], next_cursor=1), "atom")
    assert [e.id for e in atom.entries] == [item_id(first.story_id), item_id(second.story_id)]
    assert any(link.rel == "next" for link in atom.feed.links)
    rss = parsed_xml_feed(render("rss", [first, second], next_cursor=1), "rss")
    assert [e.id for e in rss.entries] == [item_id(first.story_id), item_id(second.story_id)]
    assert rss.entries[1].title == "Profits < costs & more"


def test_stories_released_in_one_second_have_distinct_atom_updated_values() -> None:
    """W3C's feed validator warns "Two entries with the same value for atom:updated" for
    stories released in one second when the dates are written to the second; the store
    keeps milliseconds, and Atom carries them."""
    second = datetime(2026, 5, 1, 9, 0, 0, tzinfo=UTC)
    times = [second + timedelta(milliseconds=ms) for ms in (640, 120)]
    publications = [
        publication_of(cleared_story(), seq=2 - i, first_published_at=at, modified_at=at)
        for i, at in enumerate(times)
    ]
    atom = parsed_xml_feed(render("atom", publications), "atom")
    assert [e.updated for e in atom.entries] == [
        "2026-05-01T09:00:00.640Z",
        "2026-05-01T09:00:00.120Z",
    ]
    assert [e.published for e in atom.entries] == [e.updated for e in atom.entries]


@pytest.mark.parametrize("fmt", ["json", "atom", "rss"])
def test_an_empty_feed_is_still_a_valid_feed(fmt: str) -> None:
    empty = FeedMeta(
        newsroom="Newsroom", section="all", base_url=BASE, extension=fmt, cursor=None,
        next_cursor=None, updated=EPOCH,
    )  # fmt: skip
    raw = RENDERERS[fmt]([], empty)
    if fmt == "json":
        assert valid_json_feed(raw)["items"] == []
    else:
        assert parsed_xml_feed(raw, fmt).entries == []


@pytest.mark.parametrize("fmt", ["json", "atom", "rss"])
def test_nothing_in_a_story_body_or_headline_can_run_in_any_format(fmt: str) -> None:
    body = EVIL_BODY + "\n\nThe mayor said the plan would work."
    snapshot = story(
        body,
        [
            claim(
                body,
                "the plan would work",
                "contested",
                attributions=[
                    attribution(
                        "<b onclick=x()>Mayor</b> Ruiz",
                        url="javascript:alert(9)",
                        quote="<script>q()</script>it will work",
                    )
                ],
            )
        ],
        headline=EVIL_HEADLINE,
    )
    raw = render(fmt, [publication_of(snapshot)])
    assert_nothing_runs(raw)
    if fmt == "json":
        item = valid_json_feed(raw)["items"][0]
        html = item["content_html"]
        assert '<a href="https://example.org/?onload=1&amp;a=b"' in html  # safe links stay
        assert "<img" not in html
        assert "<iframe" not in html
        assert "<svg" not in html
        assert item["title"] == EVIL_HEADLINE  # the text as stored, escaped, never run
        record = item["_newsroom"]["claims"][0]["attributions"][0]
        assert "url" not in record
        assert record["source_name"] == "<b onclick=x()>Mayor</b> Ruiz"
    else:
        parsed_xml_feed(raw, fmt)


def test_the_body_is_turned_into_text_once_and_entities_in_it_stay_text() -> None:
    assert "<script" not in body_html("&lt;script&gt;x&lt;/script&gt;")
    assert html_to_text(body_html("&lt;b&gt;x&lt;/b&gt; & more")) == "<b>x</b> & more"
    assert html_to_text(body_html("Profits &amp;amp; losses")) == "Profits &amp; losses"


def test_what_the_allowlist_has_no_element_for_keeps_its_words() -> None:
    """An image is its alt text and a level-1 heading a subheading: the sanitiser would drop
    the ``<img>`` with the words a reviewer approved, and keep an ``<h1>``'s text with no
    element around it."""
    html = body_html(
        "# Bridge closed\n\nAn ![aerial *view* of the bridge](https://e.test/a.png) ran."
    )
    assert html == "<h2>Bridge closed</h2>\n<p>An aerial view of the bridge ran.</p>"
    assert html_to_text(html) == "Bridge closed\n\nAn aerial view of the bridge ran."


def test_line_breaks_read_the_same_in_html_and_in_text() -> None:
    """A soft break in the Markdown is a space in both (a browser shows it so); a line
    break in a plain-text note is a ``<br>`` in HTML and a newline in text, whatever its
    form (CR LF, CR), and each format carries the note with LF alone."""
    assert html_to_text(body_html("Line one\nline two.\r\n\r\nNext.")) == (
        "Line one line two.\n\nNext."
    )
    noted = publication_of(
        cleared_story(),
        revision=2,
        modified_at=datetime.now(UTC),
        corrections=[CorrectionNote(revision=2, version=5, note="First.\r\nSecond.\rThird.",
                                    at=datetime.now(UTC))],
    )  # fmt: skip
    item = valid_json_feed(render("json", [noted]))["items"][0]
    assert "First.<br>Second.<br>Third." in item["content_html"]
    assert item["content_text"].endswith("First.\nSecond.\nThird.")
    assert item["_newsroom"]["corrections"][0]["note"] == "First.\nSecond.\nThird."
    retracted = publication_of(
        cleared_story(),
        modified_at=datetime.now(UTC) + timedelta(seconds=5),
        retracted=Retraction(reason="Not held.\r\nSee the minutes.", at=datetime.now(UTC), by="ed"),
    )  # fmt: skip
    item = valid_json_feed(render("json", [retracted]))["items"][0]
    assert item["_newsroom"]["retraction_reason"] == "Not held.\nSee the minutes."
    assert item["summary"] == "Not held.\nSee the minutes."
    atom = parsed_xml_feed(render("atom", [retracted]), "atom").entries[0]
    assert atom.summary == item["summary"]


def test_a_correction_keeps_the_id_and_shows_the_note_and_date_modified() -> None:
    published_at = datetime.now(UTC) - timedelta(hours=2)
    corrected = publication_of(
        cleared_story(),
        revision=2,
        first_published_at=published_at,
        modified_at=datetime.now(UTC),
        corrections=[
            CorrectionNote(
                revision=2, version=5, note="The vote was 7 to 2, not 6 to 3.", at=datetime.now(UTC)
            )
        ],
    )
    item = valid_json_feed(render("json", [corrected]))["items"][0]
    assert item["id"] == item_id(corrected.story_id)
    assert item["date_modified"] > item["date_published"]
    assert "Correction" in item["content_html"]
    assert "7 to 2, not 6 to 3" in item["content_html"]
    atom = parsed_xml_feed(render("atom", [corrected]), "atom").entries[0]
    assert atom.id == item_id(corrected.story_id)
    assert atom.updated != atom.published


def test_a_retraction_replaces_the_body_with_the_reason_everywhere() -> None:
    retracted = publication_of(
        cleared_story(headline="Council approves the budget"),
        modified_at=datetime.now(UTC) + timedelta(seconds=5),
        retracted=Retraction(reason="The vote had not taken place.", at=datetime.now(UTC), by="ed"),
    )
    item = valid_json_feed(render("json", [retracted]))["items"][0]
    assert item["title"] == "Retracted: Council approves the budget"
    assert item["_newsroom"]["retracted"] is True
    assert "The vote had not taken place." in item["content_html"]
    assert "potholes" not in json.dumps(item)
    for fmt in ("atom", "rss"):
        entry = parsed_xml_feed(render(fmt, [retracted]), fmt).entries[0]
        assert entry.title.startswith("Retracted: ")
        assert "potholes" not in entry.get("summary", "") + str(entry.get("content", ""))


def test_ninjs_and_claim_review_of_a_released_story() -> None:
    body = "The ISI said the chief had reached Kabul. Ana Ruiz said the plan would work."
    snapshot = story(
        body,
        [
            claim(body, "the chief had reached Kabul", "unverifiable", attributions=[
                attribution("Inter-Services Intelligence", "organisation", "statement")]),
            claim(body, "the plan would work", "contested", attributions=[attribution("Ana Ruiz")]),
            claim(body, "Ana Ruiz said", "verified"),
        ],
        section="politics",
    )  # fmt: skip
    doc = ninjs(publication_of(snapshot), base_url=BASE, newsroom="Daily Test")
    assert doc["uri"] == item_id(snapshot.story_id)
    assert doc["type"] == "text"
    assert doc["pubStatus"] == "usable"
    assert doc["language"] == "en"
    assert {b["contentType"] for b in doc["bodies"]} == {"text/html", "text/plain"}
    assert doc["subjects"][0]["name"] == "politics"
    assert doc["by"] == "A. Reporter"
    assert_valid_ninjs(doc, extension_schema(BASE))
    reviews = reviews_of(doc)
    assert len(reviews) == 2  # contested and unverifiable, not verified
    assert len(doc["associations"]) == 2
    first = reviews[0]
    assert first["@type"] == "ClaimReview"
    assert first["claimReviewed"] == "the chief had reached Kabul"
    assert first["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Inter-Services Intelligence",
    }
    assert first["reviewRating"]["alternateName"] == "Unverified"
    assert first["author"] == {"@type": "Organization", "name": "Daily Test", "url": f"{BASE}/"}
    assert first["url"] == f"{BASE}/stories/{snapshot.story_id}#claim-{snapshot.claims[0].claim_id}"
    assert reviews[1]["itemReviewed"]["author"]["@type"] == "Person"

    retracted = publication_of(
        snapshot, retracted=Retraction(reason="Wrong", at=datetime.now(UTC), by="ed")
    )
    canceled = ninjs(retracted, base_url=BASE, newsroom="Daily Test")
    assert canceled["pubStatus"] == "canceled"
    assert canceled["headlines"][0]["value"].startswith("Retracted: ")
