"""Feed documents from publications: JSON Feed 1.1, Atom 1.0 and RSS 2.0. Pure functions.

Atom and RSS are built with the standard library's ElementTree rather than feedgen: we
need our own namespaced elements (a claim's attribution travels with each entry) and a
``rel="next"`` link in RSS, which feedgen makes awkward, and ElementTree escapes every
text node for us and gives byte-identical output for identical input (stable ETags).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from publish.feeds.claimreview import anonymous, claim_reviews, public_link, sides, who
from publish.feeds.content import (
    body_html,
    escape_html,
    harden_json,
    harden_xml,
    html_to_text,
    plain_lines,
    strings_only,
    summary,
)
from publish.feeds.links import rfc3339, rfc3339_ms, section_url, story_url
from publish.stories.model import Departure, Publication
from services.contracts import ReviewStatus
from services.language import DEFAULT_LANGUAGE
from services.text import xml_safe

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
NEWSROOM = "urn:newsroom:feed:1"
TOMBSTONES = "http://purl.org/atompub/tombstones/1.0"  # RFC 6721
RETRACTED_PREFIX = "Retracted: "
MOVED_PREFIX = "Moved: "
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

ET.register_namespace("atom", ATOM)
ET.register_namespace("dc", DC)
ET.register_namespace("newsroom", NEWSROOM)
ET.register_namespace("at", TOMBSTONES)


@dataclass(frozen=True)
class FeedMeta:
    """Where a feed page lives and what it is called."""

    newsroom: str
    section: str  # a section name or "all"
    base_url: str  # publish's public URL
    extension: str  # json, atom, rss
    cursor: int | None
    next_cursor: int | None
    updated: datetime  # when anything in this feed last changed
    # The newsroom's (NEWSROOM_DEFAULT_LANGUAGE): a feed of stories in several languages
    # says its own, and each item says the story's.
    language: str = DEFAULT_LANGUAGE

    @property
    def home(self) -> str:
        """The page readers open for this feed: the section's page, or the front page."""
        return section_url(self.base_url, self.section)

    @property
    def description(self) -> str:
        """The one description every format gives."""
        return f"Stories released by {self.newsroom} once every claim was checked."

    def url(self, cursor: int | None = None) -> str:
        path = f"{self.base_url}/feeds/{self.section}.{self.extension}"
        return f"{path}?cursor={cursor}" if cursor is not None else path

    @property
    def title(self) -> str:
        scope = "all sections" if self.section == "all" else self.section
        return f"{self.newsroom}: {scope}"


def item_id(story_id: str) -> str:
    """Never changes across corrections and retraction."""
    return f"urn:newsroom:story:{story_id}"


# --- one item, the same in every format ---------------------------------------------------


@dataclass(frozen=True)
class Item:
    id: str
    url: str
    title: str
    html: str
    text: str
    summary: str
    byline: str
    section: str
    published: datetime
    modified: datetime | None
    retracted: bool
    retracted_at: datetime | None
    extension: dict[str, Any]
    language: str  # the story's BCP 47 tag
    moved_at: datetime | None = None  # a marker of a story that left the feed's section


def _attributions(publication: Publication, claim_index: int) -> list[dict[str, Any]]:
    """Each record with its ``role``: ``says`` (makes the claim) or ``disputes`` (named
    after it next to a denial: "..., a claim the authority denied"), as the story page
    and ClaimReview tell them apart (``claimreview.sides``)."""
    claim = publication.claims[claim_index]
    disputing = {id(record) for record in sides(claim, publication.body).disputes}
    out = []
    for record in claim.attributions:
        # An anonymous source is told as the story page tells it: what the reviewers
        # wrote of them (a name, an affiliation, a link, their words) stays inside.
        hidden = anonymous(record)
        out.append(
            {
                "source_name": who(record) if hidden else record.source_name,
                "role": "disputes" if id(record) in disputing else "says",
                "source_kind": record.source_kind.value,
                "obtained_via": record.obtained_via.value,
                "affiliation": None if hidden else record.affiliation or None,
                "url": public_link(record),
                "quote": plain_lines(record.quote) if record.quote and not hidden else None,
                "anonymous": hidden,
            }
        )
    return out


def item_of(
    publication: Publication,
    base_url: str,
    newsroom: str,
    default_language: str = DEFAULT_LANGUAGE,
) -> Item:
    """What a reader gets for one story. A retraction keeps the id and replaces the body
    with the reason. ``default_language``: the newsroom's, for a story that states none."""
    headline = publication.headline
    language = publication.language_of(default_language)
    retraction = publication.retracted
    claims = [
        {
            "claim_id": claim.claim_id,
            "text": claim.text,
            "status": claim.status.value,
            "contested": claim.contested,
            "attributions": _attributions(publication, index),
        }
        for index, claim in enumerate(publication.claims)
        if claim.status != ReviewStatus.NOT_A_CLAIM
    ]
    corrections: list[dict[str, Any]] = [
        {"revision": c.revision, "note": plain_lines(c.note), "at": rfc3339(c.at)}
        for c in publication.corrections
    ]
    extension: dict[str, Any] = {
        "story_id": publication.story_id,
        "revision": publication.revision,
        "version": publication.version,
        # The version readers have (ninjs ``version``): one more at every correction and
        # the retraction, so a syncing site knows an item it holds is unchanged.
        "edition": publication.edition_number(),
        "section": publication.section,
        "retracted": retraction is not None,
        "retraction_reason": plain_lines(retraction.reason) if retraction else None,
        "corrections": corrections,
        "claims": [] if retraction else claims,
        "claim_reviews": claim_reviews(
            publication, base_url=base_url, newsroom=newsroom, language=language
        ),
    }
    if retraction is not None:
        reason = plain_lines(retraction.reason)
        html = f"<p><strong>Retracted.</strong> {escape_html(reason)}</p>"
        text = f"Retracted. {reason}"
        title = RETRACTED_PREFIX + headline
        story_summary = reason
    else:
        body = body_html(publication.body)
        html = body
        for note in corrections:
            html += f"\n<p><em>Correction ({note['at'][:10]}): {escape_html(note['note'])}</em></p>"
        text = html_to_text(html)
        title = headline
        story_summary = summary(body)
    modified = (
        publication.modified_at
        if publication.modified_at > publication.first_published_at
        else None
    )
    return Item(
        id=item_id(publication.story_id),
        url=story_url(base_url, publication.story_id),
        title=title,
        html=html,
        text=text,
        summary=story_summary,
        byline=publication.byline,
        section=publication.section,
        published=publication.first_published_at,
        modified=modified,
        retracted=retraction is not None,
        retracted_at=retraction.at if retraction else None,
        extension=extension,
        language=language,
    )


def moved_item_of(
    departure: Departure, base_url: str, default_language: str = DEFAULT_LANGUAGE
) -> Item:
    """What a section's readers get in place of a story a revision moved to another
    section: the same id, a notice naming the new section, no text or claims (the story
    lives on in its new section's feeds), ``_newsroom.moved_to``; Atom adds RFC 6721's
    tombstone, as for a retraction. Its ``edition`` is the one that moved it, so a site
    syncing by edition sees its item changed."""
    where = section_url(base_url, departure.moved_to)
    notice = f"This story moved to the {departure.moved_to} section."
    return Item(
        id=item_id(departure.story_id),
        url=story_url(base_url, departure.story_id),
        title=MOVED_PREFIX + departure.headline,
        html=(
            f"<p><strong>Moved.</strong> This story moved to the "
            f'<a href="{escape_html(where)}">{escape_html(departure.moved_to)}</a> section.</p>'
        ),
        text=f"Moved. {notice}",
        summary=notice,
        byline="",
        section=departure.section,
        published=departure.first_published_at,
        modified=departure.at,
        retracted=False,
        retracted_at=None,
        extension={
            "story_id": departure.story_id,
            "revision": departure.revision,
            "edition": departure.edition,
            "section": departure.moved_to,
            "moved_from": departure.section,
            "moved_to": departure.moved_to,
            "moved_at": rfc3339(departure.at),
            "retracted": False,
            "claims": [],
        },
        language=departure.language or default_language,
        moved_at=departure.at,
    )


# --- JSON Feed 1.1 ------------------------------------------------------------------------


def json_item(item: Item) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "url": item.url,
        "title": item.title,
        "content_html": item.html,
        "content_text": item.text,
        "summary": item.summary,
        "date_published": rfc3339(item.published),
        "date_modified": rfc3339(item.modified) if item.modified else None,
        "authors": [{"name": item.byline}] if item.byline else None,
        "tags": [item.section],
        "language": item.language,
        "_newsroom": item.extension,
    }
    return strings_only(data)  # type: ignore[no-any-return]


def public_json(data: Any) -> bytes:
    """Serialise for the outside: compact, UTF-8, hardened (see ``content``)."""
    return harden_json(json.dumps(data, ensure_ascii=False, separators=(",", ":"))).encode()


def json_feed(items: list[Item], meta: FeedMeta) -> bytes:
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": meta.title,
        "home_page_url": meta.home,
        # The feed's own URL on every page (JSON Feed 1.1); the page's is in next_url.
        "feed_url": meta.url(),
        "next_url": meta.url(meta.next_cursor) if meta.next_cursor is not None else None,
        "description": meta.description,
        "language": meta.language,
        "authors": [{"name": meta.newsroom}],
        "items": [json_item(item) for item in items],
    }
    return public_json(strings_only(feed))


# --- Atom 1.0 -----------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """ElementTree escapes ``<`` and ``&`` but writes any character it is given, and one
    XML 1.0 cannot carry (U+FFFF, BEL) makes the whole feed unreadable: ``xml_safe``
    replaces those, whatever the input checks let through."""
    element = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


def _claims_xml(parent: ET.Element, item: Item) -> None:
    ns = f"{{{NEWSROOM}}}"
    ext = item.extension
    _sub(
        parent,
        ns + "story",
        ext["story_id"],
        revision=str(ext["revision"]),
        edition=str(ext["edition"]),
    )
    if ext["retracted"]:
        _sub(parent, ns + "retracted", "true")
    if ext.get("moved_to"):
        _sub(parent, ns + "moved", ext["moved_to"], when=ext["moved_at"])
    claims = _sub(parent, ns + "claims") if ext["claims"] else None
    for claim in ext["claims"]:
        assert claims is not None
        node = _sub(claims, ns + "claim", id=claim["claim_id"], status=claim["status"])
        _sub(node, ns + "text", claim["text"])
        for record in claim["attributions"]:
            attribution = _sub(
                node,
                ns + "attribution",
                kind=record["source_kind"],
                obtained=record["obtained_via"],
                role=record["role"],
            )
            _sub(attribution, ns + "source", record["source_name"])
            for field in ("affiliation", "url", "quote"):
                if record.get(field):
                    _sub(attribution, ns + field, record[field])


def _xml_bytes(root: ET.Element) -> bytes:
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + harden_xml(text)).encode()


def atom_feed(items: list[Item], meta: FeedMeta) -> bytes:
    # Atom elements are written unqualified under a default namespace declared by hand:
    # ElementTree's default_namespace cannot mix with unqualified attributes.
    a = ""
    feed = ET.Element("feed", {"xmlns": ATOM, "xml:lang": meta.language})
    _sub(feed, a + "id", f"urn:newsroom:feed:{meta.section}")
    _sub(feed, a + "title", meta.title)
    _sub(feed, a + "subtitle", meta.description)
    _sub(feed, a + "updated", rfc3339_ms(meta.updated))
    _sub(feed, a + "link", rel="self", href=meta.url(meta.cursor), type="application/atom+xml")
    _sub(feed, a + "link", rel="alternate", href=meta.home, type="text/html")
    if meta.next_cursor is not None:
        _sub(feed, a + "link", rel="next", href=meta.url(meta.next_cursor))
    author = _sub(feed, a + "author")
    _sub(author, a + "name", meta.newsroom)
    _sub(feed, a + "generator", "Newsroom publish")
    for item in items:
        # Each entry says its story's language (RFC 4287 xml:lang), the feed the newsroom's.
        entry = _sub(feed, a + "entry", **{"xml:lang": item.language})
        _sub(entry, a + "id", item.id)
        _sub(entry, a + "title", item.title, type="text")
        _sub(entry, a + "updated", rfc3339_ms(item.modified or item.published))
        _sub(entry, a + "published", rfc3339_ms(item.published))
        _sub(entry, a + "link", rel="alternate", href=item.url, type="text/html")
        if item.byline:
            _sub(_sub(entry, a + "author"), a + "name", item.byline)
        _sub(entry, a + "category", term=item.section)
        _sub(entry, a + "summary", item.summary, type="text")
        _sub(entry, a + "content", item.html, type="html")
        _claims_xml(entry, item)
        gone_at = item.retracted_at or item.moved_at
        if gone_at is not None:
            _tombstone(feed, item, gone_at)
    return _xml_bytes(feed)


def _tombstone(feed: ET.Element, item: Item, when: datetime) -> None:
    """RFC 6721: tell clients that understand it to drop the entry (retracted, or moved
    out of this feed's section); the entry itself stays for the others, with the notice."""
    ns = f"{{{TOMBSTONES}}}"
    gone = _sub(feed, ns + "deleted-entry", ref=item.id, when=rfc3339_ms(when))
    _sub(gone, ns + "comment", item.summary)
    _sub(gone, "link", rel="alternate", href=item.url, type="text/html")


# --- RSS 2.0 ------------------------------------------------------------------------------


def rss_feed(items: list[Item], meta: FeedMeta) -> bytes:
    a = f"{{{ATOM}}}"
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _sub(rss, "channel")
    _sub(channel, "title", meta.title)
    _sub(channel, "link", meta.home)
    _sub(channel, "description", meta.description)
    # RSS 2.0 has a channel's language only: the newsroom's (items have none to say).
    _sub(channel, "language", meta.language)
    _sub(channel, "lastBuildDate", format_datetime(meta.updated.astimezone(UTC), usegmt=True))
    _sub(channel, "generator", "Newsroom publish")
    _sub(channel, a + "link", rel="self", href=meta.url(meta.cursor), type="application/rss+xml")
    if meta.next_cursor is not None:
        _sub(channel, a + "link", rel="next", href=meta.url(meta.next_cursor))
    for item in items:
        node = _sub(channel, "item")
        _sub(node, "title", item.title)
        _sub(node, "link", item.url)
        _sub(node, "guid", item.id, isPermaLink="false")
        _sub(node, "pubDate", format_datetime(item.published.astimezone(UTC), usegmt=True))
        if item.modified:
            _sub(node, a + "updated", rfc3339_ms(item.modified))
        if item.byline:
            _sub(node, f"{{{DC}}}creator", item.byline)
        _sub(node, "category", item.section)
        _sub(node, "description", item.html)
        _claims_xml(node, item)
    return _xml_bytes(rss)


RENDERERS = {"json": json_feed, "atom": atom_feed, "rss": rss_feed}
MEDIA_TYPES = {
    "json": "application/feed+json",
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
}
