"""What the public pages show, worked out from publications. Pure functions: the routes
fetch, these shape, the templates print.

The story page embeds the story's ClaimReview JSON-LD in a ``<script>`` data block. The
JSON there goes through :func:`~publish.feeds.content.harden_json`, which writes every
``<``, ``>`` and ``&`` as a ``\\u`` escape, so no text in a story can close the element.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from publish.feeds.claimreview import CheckedClaim, checked_claims, claim_reviews
from publish.feeds.content import body_html, harden_json, summary
from publish.feeds.links import front_url, rfc3339, section_url, story_url
from publish.stories.model import Publication
from services.language import DEFAULT_LANGUAGE, is_rtl, og_locale, primary

# The language of the pages' own words ("Published", "How this story was checked"):
# the templates are written in English, whatever the stories are.
UI_LANGUAGE = "en"
# Their attributes on a page in another language (a literal: nothing of a story's in it).
_UI_ATTRIBUTES = Markup(' lang="en" dir="ltr"')


@dataclass(frozen=True)
class Site:
    newsroom: str
    base_url: str  # public
    sections: tuple[str, ...]
    language: str = DEFAULT_LANGUAGE  # the newsroom's: its listings', a story's unstated


@dataclass(frozen=True)
class Teaser:
    url: str
    headline: str
    summary: str
    section: str
    section_url: str
    byline: str
    published: str
    retracted: bool
    language: str


class Rendered:
    """Markdown rendered once per story version, the most recent kept up to ``most``
    characters in all. A page is rendered for every request (its ETag is its bytes' hash,
    so even a 304 renders it first), and a body at the size limit made of "![" (image
    openings) takes about 2 s of CPU through Markdown and the sanitiser: without this a
    few such stories cost seconds of publish's CPU per request, for everybody's pages."""

    def __init__(self, most: int) -> None:
        self._most = most
        self._size = 0
        self._kept: OrderedDict[tuple[str, int, int], str] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, publication: Publication, render: Callable[[str], str]) -> str:
        key = (publication.story_id, publication.version, hash(publication.body))
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        made = render(publication.body)
        with self._lock:
            if key not in self._kept:
                self._kept[key] = made
                self._size += len(made)
            while self._size > self._most and len(self._kept) > 1:
                self._size -= len(self._kept.popitem(last=False)[1])
        return made


# A listing's summaries (about 280 characters each) and story pages' bodies (up to the
# body limit each, about 40 of them at the limit).
SUMMARIES = Rendered(most=2048 * 300)
BODIES = Rendered(most=8_000_000)


def teaser_summary(publication: Publication) -> str:
    """The summary a listing shows for ``publication``, rendered once per version."""
    return SUMMARIES(publication, lambda body: summary(body_html(body)))


def teaser(site: Site, publication: Publication) -> Teaser:
    retracted = publication.retracted is not None
    return Teaser(
        url=story_url(site.base_url, publication.story_id),
        headline=publication.headline,
        summary=publication.retracted.reason
        if publication.retracted
        else teaser_summary(publication),
        section=publication.section,
        section_url=section_url(site.base_url, publication.section),
        byline=publication.byline,
        published=rfc3339(publication.first_published_at),
        retracted=retracted,
        language=publication.language_of(site.language),
    )


def page_language(language: str) -> dict[str, Any]:
    """What a page says of its language: ``<html lang dir>``, and ``ui``, the attribute
    that marks the templates' own English words on a page in another language (a screen
    reader would read them with that language's voice)."""
    ui = primary(language) != UI_LANGUAGE
    return {
        "lang": language,
        "rtl": is_rtl(language),
        "ui": _UI_ATTRIBUTES if ui else Markup(""),
    }


def listing(
    site: Site, section: str | None, rows: list[Publication], next_cursor: int | None
) -> dict[str, Any]:
    """Context of the front page (``section`` None) or a section page."""
    here = section_url(site.base_url, section or "all")
    feed = f"{site.base_url}/feeds/{section or 'all'}"
    return {
        **page_language(site.language),
        "site": site,
        "home": front_url(site.base_url),
        "nav": [(s, section_url(site.base_url, s)) for s in site.sections],
        "section": section,
        "title": section.capitalize() if section else site.newsroom,
        "canonical": here,
        "stories": [teaser(site, row) for row in rows],
        "next_url": f"{here}?cursor={next_cursor}" if next_cursor is not None else None,
        "feeds": {"atom": f"{feed}.atom", "rss": f"{feed}.rss", "json": f"{feed}.json"},
    }


# A block of the sanitised body as it opens: the sanitiser leaves these tags no attributes.
_BLOCK_OPEN = re.compile(r"<(p|li|h[2-6]|blockquote)>")


def directed(body: str) -> str:
    """The body's blocks each take their direction from their own text (``dir="auto"``):
    a paragraph in Arabic or Pashto reads right to left, and the next one in English left
    to right, whatever the story's language says of the page."""
    return _BLOCK_OPEN.sub(r'<\1 dir="auto">', body)


@dataclass(frozen=True)
class Correction:
    at: str
    note: str


def story(site: Site, publication: Publication) -> dict[str, Any]:
    """Context of a story page."""
    url = story_url(site.base_url, publication.story_id)
    retraction = publication.retracted
    body = "" if retraction else BODIES(publication, body_html)
    language = publication.language_of(site.language)
    reviews = claim_reviews(
        publication, base_url=site.base_url, newsroom=site.newsroom, language=language
    )
    checks: list[CheckedClaim] = checked_claims(publication)
    description = retraction.reason if retraction else summary(body)
    modified = (
        rfc3339(publication.modified_at)
        if publication.modified_at > publication.first_published_at
        else None
    )
    return {
        **page_language(language),
        # OG wants language_TERRITORY: left out for a tag without a region.
        "og_locale": og_locale(language),
        "site": site,
        "home": front_url(site.base_url),
        "nav": [(s, section_url(site.base_url, s)) for s in site.sections],
        "section": publication.section,
        "section_url": section_url(site.base_url, publication.section),
        "title": publication.headline,
        "canonical": url,
        "description": description,
        "byline": publication.byline,
        "published": rfc3339(publication.first_published_at),
        "modified": modified,
        "body": directed(body),
        "corrections": [Correction(at=rfc3339(c.at), note=c.note) for c in publication.corrections],
        "retraction": retraction.reason if retraction else None,
        "retracted_at": rfc3339(retraction.at) if retraction else None,
        "checks": checks,
        "jsonld": jsonld(reviews) if reviews else None,
        "ninjs_url": f"{site.base_url}/v1/published/{publication.story_id}",
    }


def jsonld(reviews: list[dict[str, Any]]) -> str:
    """JSON-LD text safe inside ``<script type="application/ld+json">``."""
    data: Any = reviews[0] if len(reviews) == 1 else reviews
    return harden_json(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
