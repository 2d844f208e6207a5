"""A downstream site syncing a desk's week from a real publish process: it pages through
the feeds while stories keep arriving and changing, revalidates with ETag and
If-Modified-Since, keeps a copy from signed webhooks (deduped and ordered with what the
body gives it, as publish's README says), and shows who says what from each format.

The site's code (``Site``) uses what a site has: httpx, feedparser, ElementTree and the
README's signature check. It never reads publish's database."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import feedparser
import httpx

from services.contracts import SignalOut, StoryReviewed
from tests.publish.builders import attribution, bump, claim, cleared_story, story, with_status
from tests.publish.conftest import Solo
from tests.publish.servers import Received
from tests.support.servers import wait_for

NEWSROOM_NS = "{urn:newsroom:feed:1}"
README = Path(__file__).resolve().parents[2] / "publish" / "README.md"


def urn(story_id: str) -> str:
    return f"urn:newsroom:story:{story_id}"


def release(solo: Solo, snapshot: StoryReviewed, note: str | None = None) -> StoryReviewed:
    solo.reviewed(snapshot)
    solo.gate(snapshot.story_id, snapshot.version)
    body = {"correction": note} if note else None
    with solo.client("editor") as editor:
        response = editor.post(f"/v1/stories/{snapshot.story_id}/publish", json=body)
        assert response.status_code == 200, response.text
    return snapshot


def publish_now(solo: Solo, story_id: str) -> None:
    """Release a story publish already has (its gate answered): one request."""
    with solo.client("editor") as editor:
        response = editor.post(f"/v1/stories/{story_id}/publish")
        assert response.status_code == 200, response.text


def revise(snapshot: StoryReviewed, **changes: Any) -> StoryReviewed:
    """The next revision, its claim list confirmed."""
    revision = snapshot.revision + 1
    return bump(snapshot, revision=revision, claim_list_confirmed_revision=revision, **changes)


def retract(solo: Solo, story_id: str, reason: str = "The figures were wrong.") -> None:
    with solo.client("editor") as editor:
        response = editor.post(f"/v1/stories/{story_id}/retract", json={"reason": reason})
        assert response.status_code == 200, response.text


def subscribe(solo: Solo, path: str, **fields: Any) -> tuple[str, str]:
    with solo.client("editor") as editor:
        response = editor.post("/v1/subscriptions", json={"url": solo.receiver.url(path), **fields})
    assert response.status_code == 201, response.text
    return response.json()["id"], response.json()["secret"]


# --- the downstream site ------------------------------------------------------------------


def readme_python(after: str) -> str:
    """The ```python block that follows ``after`` in publish's README."""
    text = README.read_text()
    start = text.index("```python\n", text.index(after)) + len("```python\n")
    return text[start : text.index("```", start)]


@dataclass
class Copy:
    """What the site keeps of one story."""

    title: str
    modified: str | None
    retracted: bool
    edition: int


def copy_of(item: dict[str, Any]) -> Copy:
    extension = item["_newsroom"]
    return Copy(
        item["title"], item.get("date_modified"), extension["retracted"], extension["edition"]
    )


@dataclass
class Site:
    solo: Solo
    stories: dict[str, Copy] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)  # story id -> webhook sequence
    applied: list[tuple[str, str]] = field(default_factory=list)  # (story id, action)

    # Feeds: newest change first; a pass reads from the top and stops at the first item it
    # already has unchanged (everything below it changed before it).
    def sync_json(self, section: str, between_pages: Any = None) -> list[str]:
        """One pass over the JSON Feed; the ids in the order read."""
        read: list[str] = []
        url: str | None = f"/feeds/{section}.json"
        with self.solo.client() as public:
            while url is not None:
                page = public.get(url)
                assert page.status_code == 200, page.text
                feed = page.json()
                stop = False
                for item in feed["items"]:
                    read.append(item["id"])
                    kept = self.stories.get(item["id"])
                    if kept is not None and kept.edition == item["_newsroom"]["edition"]:
                        stop = True
                        break
                    self.stories[item["id"]] = copy_of(item)
                if stop or not feed.get("next_url"):
                    break
                url = self.solo.local(feed["next_url"])
                if between_pages is not None:
                    between_pages()
        return read

    def read_all(self, section: str, fmt: str, between_pages: Any = None) -> list[str]:
        """Every entry id of every page of an Atom or RSS feed, through ``rel=next``."""
        ids: list[str] = []
        url: str | None = f"/feeds/{section}.{fmt}"
        with self.solo.client() as public:
            while url is not None:
                parsed = feedparser.parse(public.get(url).content)
                assert not parsed.bozo, parsed.get("bozo_exception")
                ids.extend(entry.id for entry in parsed.entries)
                nexts = [link.href for link in parsed.feed.get("links", []) if link.rel == "next"]
                url = self.solo.local(nexts[0]) if nexts else None
                if url is not None and between_pages is not None:
                    between_pages()
        return ids

    # Webhooks: the README's two blocks, run as they are printed.
    def receive(self, secret: str, got: Received) -> None:
        def apply(action: str, item: dict[str, Any]) -> None:
            self.stories[item["id"]] = copy_of(item)
            self.applied.append((item["_newsroom"]["story_id"], action))

        request = SimpleNamespace(headers=httpx.Headers(got.headers))
        scope: dict[str, Any] = {
            "request": request,
            "raw_body": got.body,
            "secret": secret,
            "held": self.held,
            "apply": apply,
            **{"hmac": hmac, "hashlib": hashlib, "time": time, "json": json},
        }
        exec(readme_python("Receiver check (Python)"), scope)  # noqa: S102 - the README's
        assert scope["ok"], "signature"
        exec(readme_python("Keeping a copy (Python"), scope)  # noqa: S102 - the README's
        assert got.headers["newsroom-delivery"] == json.loads(got.body)["id"]


# --- feeds while the desk works -----------------------------------------------------------


def test_a_site_paging_while_stories_arrive_and_change_misses_none_and_ends_current(
    solo: Solo,
) -> None:
    section = solo.section()  # three items a page (the solo publish)
    old = [release(solo, cleared_story(section=section)) for _ in range(7)]
    site = Site(solo)
    arrivals: list[StoryReviewed] = []
    corrected = {"done": False}

    def desk_works() -> None:
        """Between two page fetches: a new story, and a correction of the oldest one (on
        a page the site has not read yet, so it jumps to the top)."""
        arrivals.append(release(solo, cleared_story(section=section)))
        if not corrected["done"]:
            corrected["done"] = True
            release(solo, revise(old[0], headline="Budget vote moved"), "Date fixed")

    first = site.sync_json(section, desk_works)
    assert len(first) == len(set(first)), "an item read twice in one pass"
    assert urn(old[0].story_id) not in first  # it moved above the pages already read
    # The next pass starts at the top: the arrivals and the moved correction, then stops.
    site.sync_json(section)
    with solo.client() as public:
        ids = []
        url: str | None = f"/feeds/{section}.json"
        while url:
            feed = public.get(url).json()
            ids += [(i["id"], i["title"], i.get("date_modified")) for i in feed["items"]]
            url = solo.local(feed["next_url"]) if feed.get("next_url") else None
    assert {i for i, _, _ in ids} == set(site.stories)
    assert {i: (t, m) for i, t, m in ids} == {
        i: (c.title, c.modified) for i, c in site.stories.items()
    }
    assert site.stories[urn(old[0].story_id)].title == "Budget vote moved"

    # Atom and RSS pages: new stories between fetches neither repeat nor hide an entry.
    everyone = {i for i, _, _ in ids}
    fresh: list[StoryReviewed] = []

    def arrive() -> None:
        fresh.append(release(solo, cleared_story(section=section)))

    for fmt in ("atom", "rss"):
        assert set(site.read_all(section, fmt)) == everyone
        read = site.read_all(section, fmt, arrive)
        assert len(read) == len(set(read)), f"{fmt}: an entry read twice"
        assert set(read) >= everyone, f"{fmt}: an entry missed"
        everyone |= {urn(s.story_id) for s in fresh}


def _released_in_one_second(solo: Solo, first: Any, second: Any, url: str) -> tuple[str, str]:
    """Run ``first`` and read ``url``; then ``second``: until both changes fall in one
    second of the clock (what If-Modified-Since can tell apart). Returns the
    Last-Modified the site got after ``first``, and publish's after ``second``."""
    with solo.client() as public:
        for _ in range(30):
            target = first()
            before = public.get(url.format(target)).headers["last-modified"]
            second(target)
            after = public.get(url.format(target)).headers["last-modified"]
            if before == after:
                return url.format(target), before
        raise AssertionError("no two changes landed in one second in 30 tries")


def test_if_modified_since_is_never_304_for_a_change_in_the_same_second(solo: Solo) -> None:
    # ninjs: a retraction within the second of the release it withdraws.
    section = solo.section()
    url, seen = _released_in_one_second(
        solo,
        lambda: release(solo, cleared_story(section=section)).story_id,
        lambda story_id: retract(solo, story_id),
        "/v1/published/{}",
    )
    with solo.client() as public:
        answer = public.get(url, headers={"If-Modified-Since": seen})
        assert answer.status_code == 200, "304 for a story retracted since"
        assert answer.json()["pubStatus"] == "canceled"

    # A section's feed: a second story within the second of the first. The second is in
    # publish before the first is released, so only its release (one request) has to
    # fall in that second: a whole round through the bus took a second on a loaded box.
    ready: list[StoryReviewed] = []

    def first_of_two() -> str:
        after = solo.reviewed(cleared_story(section=section))
        solo.gate(after.story_id, after.version)
        ready.append(after)
        return release(solo, cleared_story(section=section)).story_id

    feed_url, seen = _released_in_one_second(
        solo,
        first_of_two,
        lambda _: publish_now(solo, ready.pop().story_id),
        f"/feeds/{section}.json",
    )
    with solo.client() as public:
        fresh = public.get(feed_url)
        answer = public.get(feed_url, headers={"If-Modified-Since": seen})
        assert answer.status_code == 200, "304 for a feed that changed since"
        # With nothing changed since, the ETag still answers 304 (and gzip keeps the tag).
        etag = fresh.headers["etag"]
        assert public.get(feed_url, headers={"If-None-Match": etag}).status_code == 304
        # A later second, alone in it, answers If-Modified-Since with 304 again.
        wait_for(lambda: time.time() - parsedate_to_datetime(seen).timestamp() > 1.2, 5, what="1 s")
        release(solo, cleared_story(section=section))
        latest = public.get(feed_url).headers["last-modified"]
        assert latest != seen
        assert public.get(feed_url, headers={"If-Modified-Since": latest}).status_code == 304


# --- webhooks over a story's life ---------------------------------------------------------


def test_a_webhook_site_dedupes_and_orders_a_story_life_from_the_body(solo: Solo) -> None:
    section, path = solo.section(), f"/site-{uuid.uuid4().hex[:6]}"
    subscription_id, secret = subscribe(solo, path, sections=[section])
    solo.receiver.plans[path] = [503, 503]  # down for a while: the first two attempts fail
    first = release(solo, cleared_story(section=section))
    second = release(solo, revise(first, headline="Budget passes 7 to 2"))
    # A claim of the released revision changes status in verify: needs_correction.
    contested = second.claims[1].claim_id
    flagged = solo.reviewed(with_status(second, contested, "unverifiable"))
    assert solo.gate(first.story_id, flagged.version)["state"] == "needs_correction"
    # Retracted once the site is back and has the rest: a retraction while they still
    # waited would supersede them (tests/publish/test_public_leaks.py).
    wait_for(
        lambda: len(solo.receiver.at(path)) >= 5,
        30,
        what=f"the published (3 attempts), corrected and needs_correction at {path}",
    )
    retract(solo, first.story_id)

    got = wait_for(
        lambda: len(solo.receiver.at(path)) >= 6 and solo.receiver.at(path),
        30,
        what=f"6 attempts at {path}",
    )
    site = Site(solo)
    for delivery in got:
        site.receive(secret, delivery)
    actions = ["published", "corrected", "needs_correction", "retracted"]
    assert [a for _, a in site.applied] == actions
    # Each event's sequence is above the one before, whatever it did: version alone does
    # not order them (a retraction and a flag keep the released version).
    delivered = {d["action"]: d for d in (json.loads(r.body)["data"] for r in got)}
    sequences = [delivered[a]["sequence"] for a in actions]
    assert sequences == sorted(set(sequences)), f"sequence does not follow releases: {sequences}"

    # The old "corrected" event carries the withdrawn text: after the retraction an editor
    # may not send it again. The retraction may be sent again: the site, which has its
    # sequence already, applies nothing and keeps the retraction.
    with solo.client("editor") as editor:
        listed = editor.get(f"/v1/subscriptions/{subscription_id}/deliveries").json()["items"]
        base = f"/v1/subscriptions/{subscription_id}/deliveries"
        old = next(d for d in listed if d["event"] == "corrected")
        assert editor.post(f"{base}/{old['id']}/redeliver").status_code == 409
        notice = next(d for d in listed if d["event"] == "retracted")
        assert editor.post(f"{base}/{notice['id']}/redeliver").status_code == 202
    count = len(got)
    again = wait_for(lambda: len(solo.receiver.at(path)) > count and solo.receiver.at(path), 30)
    assert again[-1].headers["newsroom-event"] == "retracted"
    site.receive(secret, again[-1])
    assert [a for _, a in site.applied] == actions
    kept = site.stories[urn(first.story_id)]
    assert kept.retracted is True
    assert kept.title.startswith("Retracted: ")
    with solo.client() as public:
        assert public.get(f"/v1/published/{first.story_id}").json()["pubStatus"] == "canceled"


# --- who says what ------------------------------------------------------------------------


def _disputed_story(section: str) -> StoryReviewed:
    body = (
        "Reservoirs stand at 41 percent of capacity, according to the regional water "
        "authority. Farmers' groups said the figure was lower, a claim the authority denied."
    )
    disputed = claim(
        body,
        "the figure was lower",
        "contested",
        attributions=[
            attribution("Farmers' groups", "organisation", "statement"),
            attribution("the regional water authority", "organisation", "statement"),
        ],
    )
    denial = body.index("denied")
    disputed = disputed.model_copy(
        update={
            "contest_signals": [
                SignalOut(kind="denial", cue="denied", start=denial, end=denial + 6)
            ]
        }
    )
    verified = claim(body, "Reservoirs stand at 41 percent of capacity", "verified")
    return story(body, [verified, disputed], section=section, headline="Water restricted")


def test_every_format_says_who_makes_a_claim_and_who_disputes_it(solo: Solo) -> None:
    section = solo.section()
    snapshot = release(solo, _disputed_story(section))
    says, disputes = "Farmers' groups", "the regional water authority"
    with solo.client() as public:
        page = public.get(f"/stories/{snapshot.story_id}", headers={"Accept": "text/html"}).text
        assert "Who disputes it: <bdi>the regional water authority</bdi>." in page  # the page knows

        item = public.get(f"/feeds/{section}.json").json()["items"][0]
        [claim_out] = [c for c in item["_newsroom"]["claims"] if c["status"] == "contested"]
        roles = {a["source_name"]: a["role"] for a in claim_out["attributions"]}
        assert roles == {says: "says", disputes: "disputes"}

        for fmt, entry_tag in (("atom", "{http://www.w3.org/2005/Atom}entry"), ("rss", "item")):
            raw = public.get(f"/feeds/{section}.{fmt}").content
            root = ET.fromstring(raw)  # noqa: S314 - our own feed
            entry = next(root.iter(entry_tag))
            found = {
                node.findtext(NEWSROOM_NS + "source"): node.get("role")
                for node in entry.iter(NEWSROOM_NS + "attribution")
            }
            assert found == {says: "says", disputes: "disputes"}, fmt

        document = public.get(f"/v1/published/{snapshot.story_id}").json()
        [association] = document["associations"]
        review = json.loads(association["bodies"][0]["value"])
        assert review["itemReviewed"]["author"]["name"] == says
        assert disputes not in json.dumps(review["itemReviewed"]["author"])


def test_ids_stay_stable_across_a_story_life_in_every_format(solo: Solo) -> None:
    section = solo.section()
    first = release(solo, cleared_story(section=section))
    seen: dict[str, set[str]] = {"json": set(), "atom": set(), "rss": set(), "ninjs": set()}

    def look() -> None:
        with solo.client() as public:
            seen["json"] |= {i["id"] for i in public.get(f"/feeds/{section}.json").json()["items"]}
            for fmt in ("atom", "rss"):
                parsed = feedparser.parse(public.get(f"/feeds/{section}.{fmt}").content)
                seen[fmt] |= {e.id for e in parsed.entries}
            seen["ninjs"].add(public.get(f"/v1/published/{first.story_id}").json()["uri"])

    look()
    release(solo, revise(first, headline="Budget passes"), "Vote count fixed")
    look()
    retract(solo, first.story_id)
    look()
    assert seen == {fmt: {urn(first.story_id)} for fmt in seen}


def test_a_site_polling_while_editors_release_at_once_misses_nothing(solo: Solo) -> None:
    """Releases that run at the same time take feed numbers in one order and could commit
    in another: a site that stops at the first item it already has must still see all."""
    section = solo.section()
    ready = []
    for _ in range(16):
        snapshot = cleared_story(section=section)
        solo.reviewed(snapshot)
        ready.append(snapshot)
    for snapshot in ready:
        solo.gate(snapshot.story_id, snapshot.version)
    site = Site(solo)
    site.sync_json(section)

    def publish(snapshot: StoryReviewed) -> None:
        with solo.client("editor") as editor:
            response = editor.post(f"/v1/stories/{snapshot.story_id}/publish")
            assert response.status_code == 200, response.text

    threads = [threading.Thread(target=publish, args=(s,)) for s in ready]
    for thread in threads:
        thread.start()
    while any(t.is_alive() for t in threads):
        site.sync_json(section)
    for thread in threads:
        thread.join()
    site.sync_json(section)
    assert set(site.stories) == {urn(s.story_id) for s in ready}


def test_ninjs_version_moves_with_every_change_a_site_can_see(solo: Solo) -> None:
    """A site keeps the ninjs document whose version it has; each change readers get (a
    new revision, a correction of the same revision, the retraction) is a new version."""
    section = solo.section()
    first = release(solo, cleared_story(section=section))
    kept: list[dict[str, Any]] = []

    def fetch() -> None:
        with solo.client() as public:
            document = public.get(f"/v1/published/{first.story_id}").json()
            kept.append(document)
            # The feed item says the same version (its edition): a site syncing the feed
            # stops at an item whose edition it has.
            [item] = public.get(f"/feeds/{section}.json").json()["items"]
            assert str(item["_newsroom"]["edition"]) == document["version"]

    fetch()
    second = release(solo, revise(first, headline="Budget passes 7 to 2"), "Vote count")
    fetch()
    # The same revision, corrected: a reviewer found a claim unverifiable after release.
    contested = second.claims[1].claim_id
    release(solo, with_status(second, contested, "unverifiable"), "A claim is unverified")
    fetch()
    retract(solo, first.story_id)
    fetch()
    versions = [int(document["version"]) for document in kept]
    assert versions == sorted(set(versions)), f"a change kept its ninjs version: {versions}"
    assert [d["pubStatus"] for d in kept] == ["usable", "usable", "usable", "canceled"]
    assert [d["uri"] for d in kept] == [urn(first.story_id)] * 4
    assert kept[0]["firstCreated"] == kept[-1]["firstCreated"]
    created = [d["versionCreated"] for d in kept]
    assert created == sorted(created)


def test_a_later_page_that_lost_an_item_is_not_304(solo: Solo) -> None:
    """A correction moves its story from a later page to the top: that page changed, and
    its Last-Modified (the section's last change, in every format) says so."""
    section = solo.section()  # three a page: [6 5 4] [3 2 1] [0]
    released = [release(solo, cleared_story(section=section)) for _ in range(7)]
    with solo.client() as public:
        cursor = public.get(f"/feeds/{section}.json").json()["next_url"].split("cursor=")[1]
        pages = {fmt: f"/feeds/{section}.{fmt}?cursor={cursor}" for fmt in ("json", "atom", "rss")}
        pages["html"] = f"/sections/{section}?cursor={cursor}"
        before = {kind: public.get(url) for kind, url in pages.items()}
        # A change in a second of its own: the date alone then tells the two apart.
        started = int(time.time())
        wait_for(lambda: int(time.time()) > started, 10, what="the next second")
        release(solo, revise(released[2], headline="Budget moved"), "Headline fixed")
        for kind, url in pages.items():
            since = before[kind].headers["last-modified"]
            answer = public.get(url, headers={"If-Modified-Since": since})
            assert answer.status_code == 200, f"{kind}: 304 for a page that lost an item"
            assert answer.content != before[kind].content
            again = public.get(url, headers={"If-Modified-Since": answer.headers["last-modified"]})
            assert again.status_code == 304, kind
