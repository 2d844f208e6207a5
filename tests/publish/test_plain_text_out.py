"""Plain text leaves exactly as approved, escaped for each format; no character breaks
an XML feed (issue 12). Rendering only: the HTTP path is in tests/invariants."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import feedparser
import pytest

from publish.feeds.ninjs import ninjs, reviews_of
from publish.feeds.render import RENDERERS, FeedMeta, item_of
from publish.stories.model import CorrectionNote, Retraction
from services.text import xml_safe
from tests.publish.builders import attribution, claim, publication_of, story

BASE = "http://publish.test"
ATOM = "{http://www.w3.org/2005/Atom}"
NEWSROOM = "{urn:newsroom:feed:1}"

# Text a reader must get back exactly: it looks like markup or entities, and is not.
LITERAL = [
    "Revenue <forecast, shares fall",
    "<script",
    "&lt;b&gt;x&lt;/b&gt;",
    "Profits & losses <> 3 > 2",
    "\"Quoted\" and 'apostrophes' & <b>bold</b>",
]
# Characters XML 1.0 cannot carry: they must not break the feed (replaced by U+FFFD).
# (A lone surrogate cannot be stored at all: BSON strings are UTF-8.)
NOT_XML = ["Budget\uffff vote", "Bell\x07 rings", "Nul\x00 byte", "Escape\x1b[31m red"]


def meta(fmt: str) -> FeedMeta:
    return FeedMeta(
        newsroom="Newsroom", section="world", base_url=BASE, extension=fmt, cursor=None,
        next_cursor=None, updated=datetime.now(UTC),
    )  # fmt: skip


def rendered(headline: str, *, source: str = "Ana Ruiz", note: str | None = None) -> dict:  # type: ignore[type-arg]
    body = "The council approved the budget. The mayor said the plan would work."
    snapshot = story(
        body,
        [
            claim(
                body,
                "The mayor said the plan would work.",
                "contested",
                attributions=[attribution(source, quote=headline, affiliation=headline)],
            )
        ],
        headline=headline,
    )
    corrections = (
        [CorrectionNote(revision=1, version=2, note=note, at=datetime.now(UTC))] if note else []
    )
    publication = publication_of(snapshot, corrections=corrections)
    item = item_of(publication, BASE, "Newsroom")
    out: dict = {fmt: RENDERERS[fmt]([item], meta(fmt)) for fmt in RENDERERS}  # type: ignore[type-arg]
    out["ninjs"] = ninjs(publication, base_url=BASE, newsroom="Newsroom")
    return out


def xml_texts(raw: bytes, fmt: str) -> dict[str, str]:
    """Title, source, quote and affiliation as a strict XML parser reads them."""
    root = ET.fromstring(raw)  # noqa: S314 - our own output, the strict parser is the point
    entry = root.find(f"{ATOM}entry") if fmt == "atom" else root.find("channel/item")
    assert entry is not None
    title = entry.find(f"{ATOM}title" if fmt == "atom" else "title")
    record = entry.find(f".//{NEWSROOM}attribution")
    assert title is not None
    assert record is not None
    return {
        "title": title.text or "",
        "source": record.findtext(f"{NEWSROOM}source") or "",
        "quote": record.findtext(f"{NEWSROOM}quote") or "",
        "affiliation": record.findtext(f"{NEWSROOM}affiliation") or "",
    }


@pytest.mark.parametrize("text", LITERAL)
def test_plain_text_reaches_every_format_exactly(text: str) -> None:
    out = rendered(text, source=text, note=text)
    item = json.loads(out["json"])["items"][0]
    assert item["title"] == text
    record = item["_newsroom"]["claims"][0]["attributions"][0]
    assert (record["source_name"], record["quote"], record["affiliation"]) == (text, text, text)
    assert item["_newsroom"]["corrections"][0]["note"] == text
    for fmt in ("atom", "rss"):
        assert xml_texts(out[fmt], fmt) == {
            "title": text,
            "source": text,
            "quote": text,
            "affiliation": text,
        }
        parsed = feedparser.parse(out[fmt])
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.entries[0].title == text
    assert out["ninjs"]["headlines"][0]["value"] == text
    assert out["ninjs"]["descriptions"][0]["value"] == text
    assert reviews_of(out["ninjs"])[0]["itemReviewed"]["author"]["name"] == text


@pytest.mark.parametrize("text", NOT_XML)
def test_a_character_xml_cannot_carry_never_breaks_atom_or_rss(text: str) -> None:
    out = rendered(text, source=text, note=text)
    for fmt in ("atom", "rss"):
        texts = xml_texts(out[fmt], fmt)  # a strict parser reads the whole feed
        assert texts["title"] == xml_safe(text) != text
        assert "\ufffd" in texts["source"]
        parsed = feedparser.parse(out[fmt])
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.entries[0].title == xml_safe(text)
    assert json.loads(out["json"])["items"][0]["title"] == text  # JSON can escape anything


def test_a_retraction_reason_is_text_in_every_format() -> None:
    reason = "Numbers were <wrong> & \x07 revised"
    body = "The council approved the budget."
    publication = publication_of(
        story(body, [claim(body, body)], headline="Budget <passes>"),
        retracted=Retraction(reason=reason, at=datetime.now(UTC), by="ed"),
    )
    item = item_of(publication, BASE, "Newsroom")
    assert item.extension["retraction_reason"] == reason
    assert "Numbers were &lt;wrong&gt; &amp;" in item.html
    for fmt in ("atom", "rss"):
        parsed = feedparser.parse(RENDERERS[fmt]([item], meta(fmt)))
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.entries[0].title == "Retracted: Budget <passes>"
