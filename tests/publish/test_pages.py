"""Readers' pages from a running publish, behind a public base URL: the story page with
its checks box, ClaimReview JSON-LD, canonical and Open Graph; front and section pages;
corrections and retraction shown; feeds, ninjs and ClaimReview link to the page; public
reads answer HEAD, gzip, CORS and conditional requests alike."""

from __future__ import annotations

import gzip
import json
import time
from html.parser import HTMLParser
from typing import Any

import pytest

from publish.feeds.ninjs import reviews_of
from services.contracts import StoryReviewed
from tests.publish.builders import attribution, bump, claim, cleared_story, story
from tests.publish.conftest import Solo
from tests.publish.feedcheck import EVIL_BODY, parsed_xml_feed, valid_json_feed
from tests.publish.jsonldcheck import assert_complete_claim_review
from tests.publish.ninjscheck import assert_valid_ninjs
from tests.support.servers import wait_for


class Page(HTMLParser):
    """What a crawler reads from a page: links, meta, scripts, text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []
        self.meta: dict[str, str] = {}
        self.scripts: list[tuple[dict[str, str], str]] = []
        self.anchors: list[str] = []
        self.handlers: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []
        self._script: dict[str, str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.handlers += [k for k in values if k.startswith("on")]
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "link":
            self.links.append(values)
        elif tag == "meta":
            self.meta[values.get("property") or values.get("name", "")] = values.get("content", "")
        elif tag == "script":
            self._script = values
        elif tag == "a":
            self.anchors.append(values.get("href", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts.append((self._script, data))
        else:
            self.text.append(data)

    def link(self, rel: str) -> str:
        return next(link["href"] for link in self.links if link.get("rel") == rel)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


BODY = (
    "Reservoirs stand at 41 percent of capacity, according to the regional water authority. "
    "Farmers' groups said the figure was lower. "
    "Rain is forecast for Friday."
)


def checked_story(section: str) -> StoryReviewed:
    return story(
        BODY,
        [
            claim(BODY, "Reservoirs stand at 41 percent of capacity", "unverifiable",
                  attributions=[attribution("regional water authority", "organisation",
                                            "report")]),
            claim(BODY, "the figure was lower", "contested", attributions=[
                attribution("Farmers' groups", "organisation", "statement")]),
            claim(BODY, "Rain is forecast for Friday", "verified"),
        ],
        section=section,
        headline="Water authority restricts use after dry spring",
        byline="Dana Reyes",
    )  # fmt: skip


def release(solo: Solo, snapshot: StoryReviewed, note: str | None = None) -> None:
    solo.reviewed(snapshot)
    solo.gate(snapshot.story_id, snapshot.version)
    with solo.client("editor") as editor:
        body = {"correction": note} if note else None
        response = editor.post(f"/v1/stories/{snapshot.story_id}/publish", json=body)
        assert response.status_code == 200, response.text


def page(solo: Solo, path: str) -> Page:
    with solo.client() as public:
        response = public.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src" not in response.headers["content-security-policy"]  # none at all
    return Page(response.text)


def json_ld(found: Page) -> list[dict[str, Any]]:
    blocks = [
        json.loads(text)
        for attrs, text in found.scripts
        if attrs.get("type") == "application/ld+json"
    ]
    assert all(attrs.get("type") == "application/ld+json" for attrs, _ in found.scripts)
    if not blocks:
        return []
    (data,) = blocks
    return data if isinstance(data, list) else [data]


def test_a_story_page_shows_the_story_how_it_was_checked_and_its_claim_reviews(
    solo: Solo,
) -> None:
    section = solo.section()
    snapshot = checked_story(section)
    release(solo, snapshot)
    url = f"{solo.public_url}/stories/{snapshot.story_id}"
    found = page(solo, f"/stories/{snapshot.story_id}")

    assert found.link("canonical") == url
    assert found.meta["og:url"] == url
    assert found.meta["og:type"] == "article"
    assert found.meta["og:title"] == "Water authority restricts use after dry spring"
    assert found.meta["article:section"] == section
    assert "By Dana Reyes" in found.words
    assert "How this story was checked" in found.words
    assert "Regional water authority reported it." in found.words
    assert "Farmers' groups said so in a statement." in found.words
    assert "Rain is forecast for Friday." in found.words  # the body
    assert {f"claim-{c.claim_id}" for c in snapshot.claims[:2]} <= found.ids
    assert f"{solo.public_url}/sections/{section}" in found.anchors
    assert all(
        href.startswith(("https://", "http://")) for href in found.anchors if href != "#main"
    )

    reviews = json_ld(found)
    assert [r["claimReviewed"] for r in reviews] == [c.text for c in snapshot.claims[:2]]
    for review in reviews:
        assert_complete_claim_review(review)
        assert review["url"].startswith(url + "#claim-")
        assert review["url"].split("#")[1] in found.ids  # the review is shown on the page

    with solo.client() as public:
        ninjs = public.get(f"/v1/published/{snapshot.story_id}").json()
        extension = public.get(ninjs["standard"]["schema"].removeprefix(solo.public_url)).json()
        feed = valid_json_feed(public.get(f"/feeds/{section}.json").content)
        atom = parsed_xml_feed(public.get(f"/feeds/{section}.atom").content, "atom")
        rss = parsed_xml_feed(public.get(f"/feeds/{section}.rss").content, "rss")
    assert_valid_ninjs(ninjs, extension)
    assert reviews_of(ninjs) == reviews
    assert ninjs["altIds"] == [{"role": "url", "value": url}]
    assert feed["items"][0]["url"] == url
    assert feed["items"][0]["_newsroom"]["claim_reviews"] == reviews
    assert atom.entries[0].link == url
    assert rss.entries[0].link == url
    assert atom.feed.link == rss.feed.link == feed["home_page_url"]
    assert atom.feed.subtitle == rss.feed.description == feed["description"]

    front = page(solo, "/")
    listed = page(solo, f"/sections/{section}")
    assert url in front.anchors
    assert url in listed.anchors
    assert listed.link("canonical") == f"{solo.public_url}/sections/{section}"


def test_corrections_and_retraction_show_on_the_page_and_as_an_atom_tombstone(
    solo: Solo,
) -> None:
    section = solo.section()
    first = checked_story(section)
    release(solo, first)
    before = json_ld(page(solo, f"/stories/{first.story_id}"))
    body = first.body.replace("Friday", "Saturday")
    claims = [*first.claims[:2], claim(body, "Rain is forecast for Saturday", "verified")]
    second = bump(first, revision=2, body=body, claims=claims, claim_list_confirmed_revision=2)
    release(solo, second, note="Rain is forecast for Saturday, not Friday.")

    corrected = page(solo, f"/stories/{first.story_id}")
    assert "Corrections" in corrected.words
    assert "Rain is forecast for Saturday, not Friday." in corrected.words
    assert corrected.meta["article:modified_time"] >= corrected.meta["article:published_time"]
    after = json_ld(corrected)
    # The correction did not touch the reviewed claims: their dates stay put.
    assert [(r["datePublished"], r["dateModified"]) for r in after] == [
        (r["datePublished"], r["dateModified"]) for r in before
    ]

    with solo.client("editor") as editor:
        reason = "The authority withdrew its figures; we regret the error."
        assert (
            editor.post(
                f"/v1/stories/{first.story_id}/retract", json={"reason": reason}
            ).status_code
            == 200
        )
    retracted = page(solo, f"/stories/{first.story_id}")
    assert "This story was retracted" in retracted.words
    assert reason in retracted.words
    assert "Saturday." not in retracted.words.replace("Saturday, not", "")  # no body
    assert json_ld(retracted) == []  # no review of a withdrawn story
    with solo.client() as public:
        ninjs = public.get(f"/v1/published/{first.story_id}").json()
        extension = public.get(ninjs["standard"]["schema"].removeprefix(solo.public_url)).json()
        atom = public.get(f"/feeds/{section}.atom").text
    assert_valid_ninjs(ninjs, extension)
    parsed = parsed_xml_feed(atom.encode(), "atom")
    assert parsed.entries[0].title.startswith("Retracted: ")
    assert 'xmlns:at="http://purl.org/atompub/tombstones/1.0"' in atom
    assert f'<at:deleted-entry ref="urn:newsroom:story:{first.story_id}"' in atom


def test_markup_in_a_story_never_runs_on_its_page(solo: Solo) -> None:
    section = solo.section()
    body = EVIL_BODY + "\n\nAna Ruiz said the plan would work."
    snapshot = story(body, [claim(body, "the plan would work", "contested", attributions=[
        attribution("Ana Ruiz", "person", "interview")])], section=section)  # fmt: skip
    release(solo, snapshot)
    found = page(solo, f"/stories/{snapshot.story_id}")
    assert found.handlers == []
    assert [attrs.get("type") for attrs, _ in found.scripts] == ["application/ld+json"]
    assert not [a for a in found.anchors if a.lower().startswith(("javascript:", "data:"))]
    assert_complete_claim_review(json_ld(found)[0])


@pytest.mark.parametrize(
    "path",
    [
        "/feeds/all.json",
        "/feeds/all.atom",
        "/feeds/all.rss",
        "/",
        "/stories/{id}",
        "/v1/published/{id}",
    ],
)
def test_public_reads_answer_head_gzip_cors_and_conditional_requests(solo: Solo, path: str) -> None:
    snapshot = cleared_story(section=solo.section())
    # `all` feeds: the release alone in its second of the clock, or the date cannot tell it
    # from the change before (the previous test's) and If-Modified-Since answers 200.
    started = int(time.time())
    wait_for(lambda: int(time.time()) > started, 10, what="the next second")
    release(solo, snapshot)
    path = path.replace("{id}", snapshot.story_id)
    with solo.client() as public:
        plain = public.get(path, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200
        assert plain.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in plain.headers
        assert plain.headers["cache-control"] == "public, no-cache"

        head = public.head(path, headers={"Accept-Encoding": "identity"})
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers["etag"] == plain.headers["etag"]
        assert head.headers["content-type"] == plain.headers["content-type"]

        zipped = public.get(path, headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip"
        assert "accept-encoding" in zipped.headers["vary"].lower()
        assert zipped.content == plain.content  # httpx decodes; the bytes are the same
        # Identity and gzip bytes differ: one tag for both may only be a weak one (RFC 9110
        # 8.8.3), or a cache could mix their bytes; REDbot flags ETAG_DOESNT_CHANGE.
        if zipped.headers["etag"] == plain.headers["etag"]:
            assert plain.headers["etag"].startswith('W/"'), plain.headers["etag"]
        refreshed = public.get(
            path, headers={"If-None-Match": zipped.headers["etag"], "Accept-Encoding": "gzip"}
        )
        assert refreshed.status_code == 304
        assert refreshed.headers["etag"] == zipped.headers["etag"]

        etag, modified = plain.headers["etag"], plain.headers["last-modified"]
        unchanged = public.get(path, headers={"If-None-Match": etag})
        assert unchanged.status_code == 304
        assert "accept-encoding" in unchanged.headers["vary"].lower()
        assert public.get(path, headers={"If-Modified-Since": modified}).status_code == 304
        assert public.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    assert gzip.compress(b"x")  # gzip is importable: the decoding above used it


def test_gzip_goes_only_to_a_client_that_accepts_it(solo: Solo) -> None:
    """RFC 9110 12.5.3: ``q=0`` refuses a coding, and coding names ignore case."""
    release(solo, cleared_story(section=solo.section()))
    answers = {
        "gzip": "gzip",
        "GZip, br": "gzip",
        "x-gzip": "gzip",
        "*": "gzip",
        "br;q=1, *;q=0.5": "gzip",
        "gzip;q=0": None,
        "identity;q=1, gzip;q=0": None,
        "gzip;q=0.000, identity": None,
        "*;q=0, identity": None,
        "br, *;q=0": None,
        "identity": None,
        "br": None,
    }
    with solo.client() as public:
        for accept, coding in answers.items():
            answer = public.get("/feeds/all.json", headers={"Accept-Encoding": accept})
            assert answer.status_code == 200
            assert answer.headers.get("content-encoding") == coding, accept
            assert "accept-encoding" in answer.headers["vary"].lower(), accept


def test_the_ninjs_schema_is_revalidated_by_its_etag(solo: Solo) -> None:
    with solo.client() as public:
        first = public.get("/schemas/ninjs-3.1-newsroom.json")
        assert first.status_code == 200
        assert first.headers["content-type"] == "application/schema+json"
        etag = first.headers["etag"]
        again = public.get("/schemas/ninjs-3.1-newsroom.json", headers={"If-None-Match": etag})
        assert again.status_code == 304
        assert again.headers["etag"] == etag
        other = public.get("/schemas/ninjs-3.1-newsroom.json", headers={"If-None-Match": '"x"'})
        assert other.status_code == 200


def test_the_ninjs_schemas_former_address_redirects_to_todays(solo: Solo) -> None:
    """ninjs documents stored downstream before 3.1 name the 3.0 address in
    standard.schema; it moved for good, and a validator following it gets today's."""
    with solo.client() as public:
        moved = public.get("/schemas/ninjs-3.0-newsroom.json")
        assert moved.status_code == 308
        assert moved.headers["location"] == f"{solo.public_url}/schemas/ninjs-3.1-newsroom.json"
        today = public.get(solo.local(moved.headers["location"]))
        assert today.status_code == 200
        assert today.headers["content-type"] == "application/schema+json"


def test_unknown_pages_are_404(solo: Solo) -> None:
    """A page to a browser, in the site's frame and with a way back; a problem answer to
    an API client."""
    paths = ("/stories/s_never_released", "/sections/no-such-section", "/sections/all")
    with solo.client() as public:
        for path in paths:
            answer = public.get(path)
            assert answer.status_code == 404
            assert answer.headers["content-type"] == "application/problem+json"
            browser = public.get(path, headers={"Accept": "text/html,application/xhtml+xml,*/*"})
            assert browser.status_code == 404
            assert browser.headers["content-type"] == "text/html; charset=utf-8"
            assert "script-src" not in browser.headers["content-security-policy"]
            found = Page(browser.text)
            assert "Not found" in found.words
            assert solo.public_url + "/" in found.anchors  # the front page
