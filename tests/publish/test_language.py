"""Readers and downstream sites are told each story's language: the page's ``<html lang>``
(and ``dir="rtl"`` for a right-to-left one), ninjs, the JSON Feed item, the Atom entry,
the ClaimReviews. The feeds themselves say the newsroom's language. A story whose
snapshot has no language (sent before stories had one) is in the newsroom's default."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from publish.feeds.ninjs import extension_schema, ninjs, reviews_of
from publish.feeds.render import FeedMeta, atom_feed, item_of, json_feed
from publish.pages import view
from tests.publish.builders import attribution, claim, publication_of, story
from tests.publish.conftest import Solo
from tests.publish.feedcheck import parsed_xml_feed, valid_json_feed
from tests.publish.ninjscheck import assert_valid_ninjs
from tests.publish.test_pages import Page, json_ld, page, release

ARABIC = (
    "قال وزير المالية إن الميزانية سترتفع بنسبة 12 في المئة. "
    "وشكك المنتقدون في ذلك. "
    "وكانت نتيجة التصويت 7 مقابل 2."
)
ENGLISH = (
    "Spending on roads will rise by 12 percent, the finance office said. "
    "Critics doubted that. "
    "The vote was 7 to 2."
)
HTML_TAG = re.compile(r"<html([^>]*)>")


def html_attributes(solo: Solo, story_id: str) -> dict[str, str]:
    with solo.client() as public:
        text = public.get(f"/stories/{story_id}").text
    found = HTML_TAG.search(text)
    assert found is not None, text[:200]
    return dict(re.findall(r'(\w+)="([^"]*)"', found.group(1)))


def test_an_arabic_story_is_arabic_everywhere_and_an_older_one_stays_english(
    solo: Solo,
) -> None:
    section = solo.section()
    arabic = story(
        ARABIC,
        [
            claim(ARABIC, "الميزانية سترتفع بنسبة 12 في المئة", "contested",
                  attributions=[attribution("وزير المالية", "person", "statement")]),
            claim(ARABIC, "وكانت نتيجة التصويت 7 مقابل 2", "verified"),
        ],
        section=section,
        headline="البرلمان يقر الميزانية",
        language="ar",
    )  # fmt: skip
    # No language: as verify sent snapshots before stories had one (the field left out).
    english = story(
        ENGLISH,
        [
            claim(ENGLISH, "Spending on roads will rise by 12 percent", "contested",
                  attributions=[attribution("finance office", "organisation", "statement")]),
            claim(ENGLISH, "The vote was 7 to 2", "verified"),
        ],
        section=section,
    )  # fmt: skip
    assert "language" not in english.model_dump(exclude_none=True)
    release(solo, arabic)
    release(solo, english)

    assert html_attributes(solo, arabic.story_id) == {"lang": "ar", "dir": "rtl"}
    assert html_attributes(solo, english.story_id) == {"lang": "en"}
    arabic_page = page(solo, f"/stories/{arabic.story_id}")
    english_page = page(solo, f"/stories/{english.story_id}")
    # OG's locale is language_TERRITORY: neither tag names a country, so none is claimed.
    assert "og:locale" not in arabic_page.meta
    assert "og:locale" not in english_page.meta
    assert [r["inLanguage"] for r in json_ld(arabic_page)] == ["ar"]
    assert [r["inLanguage"] for r in json_ld(english_page)] == ["en"]

    with solo.client() as public:
        documents = {
            s.story_id: public.get(f"/v1/published/{s.story_id}").json() for s in (arabic, english)
        }
        schema = public.get(
            documents[arabic.story_id]["standard"]["schema"].removeprefix(solo.public_url)
        ).json()
        feed = valid_json_feed(public.get(f"/feeds/{section}.json").content)
        atom_text = public.get(f"/feeds/{section}.atom").content
        rss = parsed_xml_feed(public.get(f"/feeds/{section}.rss").content, "rss")
    for document in documents.values():
        assert_valid_ninjs(document, schema)
    assert documents[arabic.story_id]["language"] == "ar"
    assert documents[english.story_id]["language"] == "en"
    assert [r["inLanguage"] for r in reviews_of(documents[arabic.story_id])] == ["ar"]

    languages = {i["_newsroom"]["story_id"]: i["language"] for i in feed["items"]}
    assert languages == {arabic.story_id: "ar", english.story_id: "en"}
    assert feed["language"] == "en"  # the newsroom's
    atom = parsed_xml_feed(atom_text, "atom")
    entries = {e.id: e.title_detail.language for e in atom.entries}
    assert entries == {f"urn:newsroom:story:{arabic.story_id}": "ar",
                       f"urn:newsroom:story:{english.story_id}": "en"}  # fmt: skip
    assert re.search(rb'<feed [^>]*xml:lang="en"', atom_text)
    assert rss.feed.language == "en"


BODY = "The vote was 7 to 2, the clerk said."


def _publication(**changes: Any) -> Any:
    snapshot = story(BODY, [claim(BODY, "The vote was 7 to 2", "verified")])
    return publication_of(snapshot, **changes)


def test_a_story_without_a_language_is_in_the_newsrooms_default() -> None:
    """NEWSROOM_DEFAULT_LANGUAGE=fr: the feed says fr, and so does a story stored before
    stories had a language; a story that says its own keeps it."""
    old, stated = _publication(), _publication(language="pt-BR")
    meta = FeedMeta(
        newsroom="N", section="all", base_url="https://n.example", extension="json",
        cursor=None, next_cursor=None, updated=datetime.now(UTC), language="fr",
    )  # fmt: skip
    items = [item_of(p, "https://n.example", "N", "fr") for p in (old, stated)]
    feed = json.loads(json_feed(items, meta))
    assert feed["language"] == "fr"
    assert [i["language"] for i in feed["items"]] == ["fr", "pt-BR"]
    atom = parsed_xml_feed(atom_feed(items, FeedMeta(**{**meta.__dict__, "extension": "atom"})),
                           "atom")  # fmt: skip
    assert [e.title_detail.language for e in atom.entries] == ["fr", "pt-BR"]
    document = ninjs(old, base_url="https://n.example", newsroom="N", default_language="fr")
    assert document["language"] == "fr"
    assert_valid_ninjs(
        ninjs(stated, base_url="https://n.example", newsroom="N"),
        extension_schema("https://n.example"),
    )


def test_a_story_page_says_its_locale_only_with_a_country_and_marks_the_pages_own_words() -> None:
    site = view.Site(newsroom="N", base_url="https://n.example", sections=("world",))
    brazilian = view.story(site, _publication(language="pt-BR"))
    assert (brazilian["lang"], brazilian["rtl"], brazilian["og_locale"]) == (
        "pt-BR",
        False,
        "pt_BR",
    )
    assert 'lang="en"' in brazilian["ui"]  # "Published", "How this story was checked"
    english = view.story(site, _publication())
    assert (english["lang"], english["og_locale"], str(english["ui"])) == ("en", None, "")
    persian = view.story(site, _publication(language="fa-IR"))
    assert (persian["rtl"], persian["og_locale"]) == (True, "fa_IR")


def test_a_listing_marks_a_story_in_another_language(solo: Solo) -> None:
    section = solo.section()
    snapshot = story(ARABIC, [claim(ARABIC, "وكانت نتيجة التصويت 7 مقابل 2", "verified")],
                     section=section, headline="البرلمان يقر الميزانية", language="ar")  # fmt: skip
    release(solo, snapshot)
    with solo.client() as public:
        text = public.get(f"/sections/{section}").text
    assert HTML_TAG.search(text).group(1) == ' lang="en"'  # type: ignore[union-attr]
    # The story's words take its language; the page's own ("By", the date) keep the page's.
    assert '<span dir="auto" lang="ar">البرلمان يقر الميزانية</span>' in text
    assert text.count(' lang="ar"') == 2, "the headline and the summary, nothing else"
    assert Page(text).words  # still a page a crawler reads
