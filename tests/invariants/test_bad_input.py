"""Invariant 5 (and 4): bad input gets a clear 4xx problem answer and changes nothing;
no script survives into a feed.

Each row is one bad request; each names what must not change (a probe read before and
after). The requests cover the three APIs: oversized bodies, wrong types, invalid UTF-8,
NUL and control characters, very deep JSON, huge numbers, claims not in the body,
unknown fields, bad cursors and negative limits, malformed If-Match and idempotency
keys, markup and script in every text field.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.support.desk import (
    confirm_claim_list,
    publish_when_publishable,
    story_claims,
    verify_every_claim,
)
from tests.support.reports import BODY, counted_body, report
from tests.support.servers import api
from tests.support.stack import Stack

SCRIPT = "<script>alert(1)</script>"
DEEP = ("[" * 100_000 + "]" * 100_000).encode()


@dataclass
class World:
    """What the bad requests aim at: a reporter with no reports, a story in review, a
    published story."""

    stack: Stack
    reporter_token: str
    story_id: str
    claim: dict[str, Any]
    published_id: str
    # A story whose revision has as many claims as it may, and a sentence left out of them.
    full_story_id: str = ""
    full_claim: dict[str, Any] = field(default_factory=dict)
    left_over: str = ""
    seen: list[str] = field(default_factory=list)

    def client(self, service: str, role: str) -> httpx.Client:
        token = self.reporter_token if role == "fresh_reporter" else self.stack.tokens[role]
        return api(self.stack.url(service), token)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def world(stack: Stack) -> World:
    _, token = stack.new_user("reporter")
    with stack.client("ingest", "reporter") as ingest:
        review = ingest.post(
            "/v1/reports", json=report(), headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        released = ingest.post("/v1/reports", json=report(headline="Released"),
                               headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
    story_id, published_id = review.json()["story_id"], released.json()["story_id"]
    with stack.client("verify", "reviewer") as verify:
        claim = story_claims(verify, story_id)["claims"][0]
        verify_every_claim(verify, published_id)
        confirm_claim_list(verify, published_id)
    with stack.client("publish", "editor") as publish:
        publish_when_publishable(publish, published_id)
    limit = stack.settings.max_claims_per_revision
    with stack.client("ingest", "reporter") as ingest:
        full = ingest.post("/v1/reports", json=report(body=counted_body(limit + 1), claims=[]),
                           headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip
        assert full.status_code == 202, full.text
    full_id = full.json()["story_id"]
    with stack.client("verify", "reviewer") as verify:
        full_story = story_claims(verify, full_id, timeout=180)
    assert len(full_story["claims"]) == limit
    left_over = full_story["body"].rsplit(". ", 1)[-1]
    return World(stack, token, story_id, claim, published_id, full_id,
                 full_story["claims"][0], left_over)  # fmt: skip


# --- probes: what must not change ----------------------------------------------------------


def reports_of_fresh_reporter(w: World) -> Any:
    with w.client("ingest", "fresh_reporter") as c:
        return c.get("/v1/reports").json()["items"]


def the_claim(w: World) -> Any:
    with w.client("verify", "reviewer") as c:
        found = c.get(f"/v1/claims/{w.claim['claim_id']}").json()
    return {k: found[k] for k in ("version", "status", "attributions", "start", "end")}


def the_story(w: World) -> Any:
    with w.client("verify", "reviewer") as c:
        story = c.get(f"/v1/stories/{w.story_id}").json()
    return [(c["claim_id"], c["version"], c["status"], c["start"]) for c in story["claims"]]


def the_claim_list(w: World) -> Any:
    with w.client("verify", "reviewer") as c:
        found = c.get(f"/v1/stories/{w.story_id}/claim-list").json()
    return (found["version"], found["confirmed_revision"], found["confirmations"])


def the_full_story(w: World) -> Any:
    with w.client("verify", "reviewer") as c:
        story = c.get(f"/v1/stories/{w.full_story_id}").json()
    return [(c["claim_id"], c["version"]) for c in story["claims"]]


def subscriptions(w: World) -> Any:
    with w.client("publish", "editor") as c:
        return c.get("/v1/subscriptions").json()


def the_release(w: World) -> Any:
    with api(w.stack.url("publish")) as c:
        found = c.get(f"/v1/published/{w.published_id}").json()
    return (found["pubStatus"], found["versionCreated"], found["descriptions"])


def nothing(_: World) -> Any:
    return None


def users(w: World) -> Any:
    with w.client("ingest", "admin") as c:
        return sorted(u["name"] for u in c.get("/v1/users").json())


# --- the table ----------------------------------------------------------------------------

Request = Callable[[World], dict[str, Any]]


def post_report(payload: Any = None, raw: bytes | None = None, key: str | None = None,
                ctype: str = "application/json") -> Request:  # fmt: skip
    def build(_: World) -> dict[str, Any]:
        headers = {"Idempotency-Key": key if key is not None else uuid.uuid4().hex,
                   "Content-Type": ctype}  # fmt: skip
        content = raw if raw is not None else json.dumps(payload).encode()
        return {"method": "POST", "url": "/v1/reports", "content": content, "headers": headers}

    return build


def review(body: Any = None, raw: bytes | None = None, if_match: str | None = "current",
           ctype: str = "application/json") -> Request:  # fmt: skip
    def build(w: World) -> dict[str, Any]:
        headers = {"Content-Type": ctype}
        if if_match == "current":
            headers["If-Match"] = f'"{w.claim["version"]}"'
        elif if_match is not None:
            headers["If-Match"] = if_match
        content = raw if raw is not None else json.dumps(body).encode()
        url = f"/v1/claims/{w.claim['claim_id']}/review"
        return {"method": "POST", "url": url, "content": content, "headers": headers}

    return build


def on_claim(suffix: str, body: Any) -> Request:
    return lambda w: {"method": "POST", "url": f"/v1/claims/{w.claim['claim_id']}{suffix}",
                      "json": body}  # fmt: skip


def on_story(service: str, suffix: str, body: Any, target: str = "review") -> Request:
    def build(w: World) -> dict[str, Any]:
        story = w.story_id if target == "review" else w.published_id
        prefix = "/v1/stories/"
        return {"method": "POST", "url": f"{prefix}{story}{suffix}", "json": body}

    return build


def apply_review(body: Any, if_match: str | None = "current") -> Request:
    def build(w: World) -> dict[str, Any]:
        headers = {} if if_match is None else {"If-Match": f'"{w.claim["version"]}"'}
        url = f"/v1/claims/{w.claim['claim_id']}/apply-review"
        return {"method": "POST", "url": url, "json": body, "headers": headers}

    return build


def get(url: str) -> Request:
    return lambda _: {"method": "GET", "url": url}


def subscribe_to(url: str) -> Request:
    return lambda _: {"method": "POST", "url": "/v1/subscriptions", "json": {"url": url}}


def attribution(**overrides: Any) -> dict[str, Any]:
    return {"source_name": "The mayor", "source_kind": "person", "obtained_via": "statement",
            **overrides}  # fmt: skip


VERIFIED = {"status": "verified"}
CASES: list[tuple[str, str, str, Request, Callable[[World], Any]]] = [
    # ingest ---------------------------------------------------------------------------
    ("report: oversized request", "ingest", "fresh_reporter",
     post_report(raw=b'{"headline": "' + b"x" * 400_000 + b'"}'), reports_of_fresh_reporter),
    # 20,000 x U+1D160 is 80,000 bytes as sent and 240,000 once NFC-normalised (stored).
    ("report: body over the limit once normalised", "ingest", "fresh_reporter",
     post_report(report(body="\U0001d160" * 20_000, claims=[])), reports_of_fresh_reporter),
    ("report: body over the limit", "ingest", "fresh_reporter",
     post_report(report(body="word " * 50_000, claims=[])), reports_of_fresh_reporter),
    ("report: headline of the wrong type", "ingest", "fresh_reporter",
     post_report(report(headline=["a", "list"])), reports_of_fresh_reporter),
    ("report: claims of the wrong type", "ingest", "fresh_reporter",
     post_report(report(claims="all of them")), reports_of_fresh_reporter),
    ("report: invalid UTF-8", "ingest", "fresh_reporter",
     post_report(raw=b'{"headline": "\xff\xfe bad", "body": "x", "section": "local"}'),
     reports_of_fresh_reporter),
    ("report: lone surrogate", "ingest", "fresh_reporter",
     post_report(raw=b'{"headline": "\\ud800", "body": "x y z", "section": "local"}'),
     reports_of_fresh_reporter),
    ("report: NUL in the body", "ingest", "fresh_reporter",
     post_report(report(body="The vote\u0000 was 21 to 9.", claims=[])), reports_of_fresh_reporter),
    ("report: escape character in the headline", "ingest", "fresh_reporter",
     post_report(report(headline="Budget \u001b[31m")), reports_of_fresh_reporter),
    ("report: very deep JSON", "ingest", "fresh_reporter", post_report(raw=DEEP),
     reports_of_fresh_reporter),
    ("report: huge number", "ingest", "fresh_reporter",
     post_report(raw=json.dumps(report()).replace('"local"', "1" + "0" * 5000).encode()),
     reports_of_fresh_reporter),
    ("report: huge float for a boolean", "ingest", "fresh_reporter",
     post_report(raw=json.dumps(report()).replace("false", "1e400").encode()),
     reports_of_fresh_reporter),
    ("report: claim not in the body", "ingest", "fresh_reporter",
     post_report(report(claims=[{"text": "Something else entirely."}])), reports_of_fresh_reporter),
    ("report: unknown field", "ingest", "fresh_reporter",
     post_report(report(priority="urgent")), reports_of_fresh_reporter),
    ("report: not an object", "ingest", "fresh_reporter", post_report(["headline"]),
     reports_of_fresh_reporter),
    ("report: empty request", "ingest", "fresh_reporter", post_report(raw=b""),
     reports_of_fresh_reporter),
    ("report: not JSON", "ingest", "fresh_reporter",
     post_report(raw=b"headline=x", ctype="application/x-www-form-urlencoded"),
     reports_of_fresh_reporter),
    ("report: malformed idempotency key", "ingest", "fresh_reporter",
     post_report(report(), key="not a key!"), reports_of_fresh_reporter),
    ("report: overlong idempotency key", "ingest", "fresh_reporter",
     post_report(report(), key="k" * 500), reports_of_fresh_reporter),
    ("report: script in the headline", "ingest", "fresh_reporter",
     post_report(report(headline=SCRIPT)), reports_of_fresh_reporter),
    ("report: script in the body", "ingest", "fresh_reporter",
     post_report(report(body=BODY + SCRIPT)), reports_of_fresh_reporter),
    ("report: event handler in the body", "ingest", "fresh_reporter",
     post_report(report(body=BODY + '<img src=x onerror="alert(1)">')), reports_of_fresh_reporter),
    ("report: script in a source", "ingest", "fresh_reporter",
     post_report(report(claims=[{"text": "The vote was 21 to 9.", "sources": [SCRIPT]}])),
     reports_of_fresh_reporter),
    ("report: script as the section", "ingest", "fresh_reporter",
     post_report(report(section=SCRIPT)), reports_of_fresh_reporter),
    ("report: script as the story id", "ingest", "fresh_reporter",
     post_report(report(story_id=SCRIPT)), reports_of_fresh_reporter),
    ("reports: bad cursor", "ingest", "fresh_reporter", get("/v1/reports?cursor=%%%"), nothing),
    ("reports: negative limit", "ingest", "fresh_reporter", get("/v1/reports?limit=-1"), nothing),
    ("reports: huge limit", "ingest", "fresh_reporter",
     get("/v1/reports?limit=99999999999999999999"), nothing),
    # users (h12-guard): names are one user ignoring case
    ("users: a name differing only by case", "ingest", "admin",
     lambda w: {"method": "POST", "url": "/v1/users",
                "json": {"name": w.stack.names["admin"].upper(), "role": "reporter"}}, users),
    ("users: token audit of nobody", "ingest", "admin", get("/v1/users/nobody-at-all"), users),
    # verify ---------------------------------------------------------------------------
    ("queue: bad cursor", "verify", "reviewer", get("/v1/queue?cursor=not-ours"), nothing),
    ("queue: negative limit", "verify", "reviewer", get("/v1/queue?limit=-5"), nothing),
    ("queue: limit not a number", "verify", "reviewer", get("/v1/queue?limit=ten"), nothing),
    ("queue: unknown status", "verify", "reviewer", get("/v1/queue?status=maybe"), nothing),
    ("queue by story: bad cursor", "verify", "reviewer", get("/v1/queue/stories?cursor=not-ours"),
     nothing),
    ("queue by story: cursor of another list", "verify", "reviewer",
     get("/v1/queue/stories?cursor=e30"), nothing),
    ("queue by story: limit over 50", "verify", "reviewer", get("/v1/queue/stories?limit=51"),
     nothing),
    ("queue by story: unknown status", "verify", "reviewer",
     get("/v1/queue/stories?status=maybe"), nothing),
    ("queue by story: overlong section", "verify", "reviewer",
     get("/v1/queue/stories?section=" + "s" * 51), nothing),
    ("snapshots: not a date", "verify", "editor", get("/v1/snapshots?updated_after=yesterday"),
     nothing),
    ("snapshot versions: not a date", "verify", "editor",
     get("/v1/snapshots/versions?updated_after=yesterday"), nothing),
    ("snapshot versions: limit over 500", "verify", "editor",
     get("/v1/snapshots/versions?limit=501"), nothing),
    ("snapshot versions: bad cursor", "verify", "editor",
     get("/v1/snapshots/versions?cursor=not-ours"), nothing),
    ("review: If-Match missing", "verify", "reviewer", review(VERIFIED, if_match=None), the_claim),
    ("review: If-Match not a version", "verify", "reviewer", review(VERIFIED, if_match="abc"),
     the_claim),
    ("review: If-Match a list", "verify", "reviewer", review(VERIFIED, if_match='"1", "2"'),
     the_claim),
    ("review: If-Match stale", "verify", "reviewer", review(VERIFIED, if_match='"999999"'),
     the_claim),
    ("review: unknown status", "verify", "reviewer", review({"status": "probably"}), the_claim),
    ("review: unknown field", "verify", "reviewer", review({**VERIFIED, "force": True}), the_claim),
    ("review: status of the wrong type", "verify", "reviewer", review({"status": 7}), the_claim),
    ("review: invalid UTF-8", "verify", "reviewer", review(raw=b'{"status": "\xff"}'), the_claim),
    ("review: very deep JSON", "verify", "reviewer", review(raw=DEEP), the_claim),
    ("review: script in the note", "verify", "reviewer", review({**VERIFIED, "note": SCRIPT}),
     the_claim),
    ("review: script as a source name", "verify", "reviewer",
     review({"status": "contested", "attributions": [attribution(source_name=SCRIPT)]}), the_claim),
    ("review: script in a quote", "verify", "reviewer",
     review({"status": "contested", "attributions": [attribution(quote=SCRIPT)]}), the_claim),
    ("review: javascript URL", "verify", "reviewer",
     review({"status": "contested", "attributions": [attribution(url="javascript:alert(1)")]}),
     the_claim),
    ("review: unknown source kind", "verify", "reviewer",
     review({"status": "contested", "attributions": [attribution(source_kind="rumour")]}),
     the_claim),
    ("review: attribution span outside the body", "verify", "reviewer",
     review({"status": "contested", "attributions": [attribution(start=5, end=10**9)]}), the_claim),
    ("review: huge number as a span", "verify", "reviewer",
     review(raw=json.dumps({"status": "contested", "attributions": [attribution(start=0)]})
            .replace('"start": 0', '"start": 1' + "0" * 4000).encode()), the_claim),
    ("add claim: end before start", "verify", "reviewer",
     on_story("verify", "/claims", {"start": 50, "end": 10}), the_story),
    ("add claim: negative offset", "verify", "reviewer",
     on_story("verify", "/claims", {"start": -3, "end": 10}), the_story),
    ("add claim: text not in the body", "verify", "reviewer",
     on_story("verify", "/claims", {"text": "Nothing like this is in the story."}), the_story),
    ("add claim: script as text", "verify", "reviewer",
     on_story("verify", "/claims", {"text": SCRIPT}), the_story),
    ("confirm claim list: revision 0", "verify", "reviewer",
     on_story("verify", "/claim-list/confirm", {"revision": 0}), the_claim_list),
    ("confirm claim list: revision as text", "verify", "reviewer",
     on_story("verify", "/claim-list/confirm", {"revision": "1"}), the_claim_list),
    ("confirm claim list: revision too large", "verify", "reviewer",
     on_story("verify", "/claim-list/confirm", {"revision": 10**7}), the_claim_list),
    ("confirm claim list: no revision", "verify", "reviewer",
     on_story("verify", "/claim-list/confirm", {}), the_claim_list),
    ("confirm claim list: a revision verify does not have", "verify", "reviewer",
     on_story("verify", "/claim-list/confirm", {"revision": 7}), the_claim_list),
    ("split: offset outside the claim", "verify", "reviewer", on_claim("/split", {"at": [10**6]}),
     the_story),
    # max_claims_per_revision: reviewers cannot take a revision past it either
    ("add claim: the revision is at its claims limit", "verify", "reviewer",
     lambda w: {"method": "POST", "url": f"/v1/stories/{w.full_story_id}/claims",
                "json": {"text": w.left_over}}, the_full_story),
    ("split: the parts would pass the claims limit", "verify", "reviewer",
     lambda w: {"method": "POST", "url": f"/v1/claims/{w.full_claim['claim_id']}/split",
                "json": {"at": [(w.full_claim["start"] + w.full_claim["end"]) // 2]}},
     the_full_story),
    ("merge: no claims", "verify", "reviewer",
     lambda w: {"method": "POST", "url": "/v1/claims/merge", "json": {"claim_ids": []}}, the_story),
    ("dismiss: script as the reason", "verify", "reviewer",
     on_claim("/dismiss", {"reason": SCRIPT}), the_claim),
    ("apply-review: If-Match missing", "verify", "reviewer",
     apply_review({"from_claim_id": "c_0"}, if_match=None), the_claim),
    ("apply-review: claim id too long", "verify", "reviewer",
     apply_review({"from_claim_id": "c" * 65}), the_claim),
    ("apply-review: control character in the claim id", "verify", "reviewer",
     apply_review({"from_claim_id": "c_\u001b[31m"}), the_claim),
    ("apply-review: claim id of the wrong type", "verify", "reviewer",
     apply_review({"from_claim_id": 7}), the_claim),
    ("apply-review: unknown field", "verify", "reviewer",
     apply_review({"from_claim_id": "c_0", "status": "verified"}), the_claim),
    ("apply-review: no such earlier claim", "verify", "reviewer",
     apply_review({"from_claim_id": "c_nosuchclaim"}), the_claim),
    ("not-same: claim id of the wrong type", "verify", "reviewer",
     on_claim("/not-same", {"claim_id": ["c_0"]}), the_claim),
    ("not-same: no such claim", "verify", "reviewer",
     on_claim("/not-same", {"claim_id": "c_nosuchclaim"}), the_claim),
    ("lease: negative seconds", "verify", "reviewer", on_claim("/lease", {"lease_seconds": -1}),
     the_claim),
    # publish --------------------------------------------------------------------------
    ("subscribe: javascript URL", "publish", "editor",
     lambda w: {"method": "POST", "url": "/v1/subscriptions",
                "json": {"url": "javascript:alert(1)//aaaaaaa"}}, subscriptions),
    ("subscribe: ftp URL", "publish", "editor",
     lambda w: {"method": "POST", "url": "/v1/subscriptions",
                "json": {"url": "ftp://example.test/hook"}}, subscriptions),
    ("subscribe: unknown event", "publish", "editor",
     lambda w: {"method": "POST", "url": "/v1/subscriptions",
                "json": {"url": "https://example.test/hook", "events": ["deleted"]}},
     subscriptions),
    ("subscribe: unknown section", "publish", "editor",
     lambda w: {"method": "POST", "url": "/v1/subscriptions",
                "json": {"url": "https://example.test/hook", "sections": [SCRIPT]}},
     subscriptions),
    ("subscribe: URL of the wrong type", "publish", "editor",
     lambda w: {"method": "POST", "url": "/v1/subscriptions", "json": {"url": 42}}, subscriptions),
    # webhook targets (h12-guard): refused even where private targets are allowed, as here
    ("subscribe: IPv4-compatible IPv6 loopback", "publish", "editor",
     subscribe_to("http://[::127.0.0.1]:8080/hook"), subscriptions),
    ("subscribe: unspecified address", "publish", "editor", subscribe_to("http://0.0.0.0/hook"),
     subscriptions),
    ("subscribe: multicast", "publish", "editor", subscribe_to("http://224.0.0.1/hook"),
     subscriptions),
    ("subscribe: broadcast", "publish", "editor", subscribe_to("http://255.255.255.255/hook"),
     subscriptions),
    ("subscribe: reserved 240/4", "publish", "editor", subscribe_to("http://240.0.0.1/hook"),
     subscriptions),
    ("subscribe: documentation range", "publish", "editor", subscribe_to("https://192.0.2.1/"),
     subscriptions),
    ("subscribe: benchmarking range", "publish", "editor", subscribe_to("https://198.18.0.1/"),
     subscriptions),
    ("subscribe: IPv6 documentation", "publish", "editor", subscribe_to("https://[2001:db8::1]/"),
     subscriptions),
    ("subscribe: NAT64 of multicast", "publish", "editor",
     subscribe_to("https://[64:ff9b::e000:1]/"), subscriptions),
    ("subscribe: 6to4 of documentation", "publish", "editor",
     subscribe_to("https://[2002:c000:201::1]/"), subscriptions),
    ("subscribe: v4-mapped broadcast", "publish", "editor",
     subscribe_to("https://[::ffff:255.255.255.255]/"), subscriptions),
    ("retract: script as the reason", "publish", "editor",
     on_story("publish", "/retract", {"reason": SCRIPT}, target="published"), the_release),
    ("retract: empty reason", "publish", "editor",
     on_story("publish", "/retract", {"reason": ""}, target="published"), the_release),
    ("publish: script as the correction", "publish", "editor",
     on_story("publish", "/publish", {"correction": SCRIPT}, target="published"), the_release),
    ("publish: unknown field", "publish", "editor",
     on_story("publish", "/publish", {"force": True}, target="published"), the_release),
    ("publish: revision of the wrong type", "publish", "editor",
     on_story("publish", "/publish", {"revision": "latest"}, target="published"), the_release),
    ("stories: unknown state", "publish", "editor", get("/v1/stories?state=lost"), nothing),
    ("stories: negative limit", "publish", "editor", get("/v1/stories?limit=-1"), nothing),
    ("stories: bad cursor", "publish", "editor", get("/v1/stories?cursor=%00"), nothing),
    ("feed: bad cursor", "publish", "editor", get("/feeds/all.json?cursor=-1"), nothing),
    ("feed: unknown section", "publish", "editor", get("/feeds/%3Cscript%3E.json"), nothing),
    ("front page: bad cursor", "publish", "editor", get("/?cursor=9999999999999999999"), nothing),
    ("section page: unknown section", "publish", "editor", get("/sections/%3Cb%3E"), nothing),
    ("story page: never released", "publish", "editor", get("/stories/%3Cscript%3E"), nothing),
    ("redeliver: unknown delivery", "publish", "editor",
     lambda w: {"method": "POST", "url": "/v1/subscriptions/sub_x/deliveries/dlv_x/redeliver"},
     subscriptions),
]  # fmt: skip


# --- the text policy (services/text.py), at every input of every service (issue 12) ------

RLO, BEL, NEL, ZWSP, TAG, NONCHAR = "\u202e", "\u0007", "\u0085", "\u200b", "\U000e0041", "\uffff"


def subscribe(url: Any) -> Request:
    return lambda _: {"method": "POST", "url": "/v1/subscriptions", "json": {"url": url}}


def add_user(name: str) -> Request:
    return lambda _: {"method": "POST", "url": "/v1/users",
                      "json": {"name": name, "role": "reporter"}}  # fmt: skip


def contested(**fields: Any) -> Request:
    return review({"status": "contested", "attributions": [attribution(**fields)]})


TEXT_POLICY: list[tuple[str, str, str, Request, Callable[[World], Any]]] = [
    ("report: noncharacter in the headline", "ingest", "fresh_reporter",
     post_report(report(headline=f"Budget{NONCHAR} passes")), reports_of_fresh_reporter),
    ("report: tag characters in the headline", "ingest", "fresh_reporter",
     post_report(report(headline=f"Budget{TAG} passes")), reports_of_fresh_reporter),
    ("report: headline of invisible characters only", "ingest", "fresh_reporter",
     post_report(report(headline="\u3164\u200d\u00a0")), reports_of_fresh_reporter),
    ("report: zero-width space in the headline", "ingest", "fresh_reporter",
     post_report(report(headline=f"Bud{ZWSP}get passes")), reports_of_fresh_reporter),
    ("report: NEL (C1) in the headline", "ingest", "fresh_reporter",
     post_report(report(headline=f"Budget{NEL}passes")), reports_of_fresh_reporter),
    ("report: bell in the body", "ingest", "fresh_reporter",
     post_report(report(body=BODY + BEL, claims=[])), reports_of_fresh_reporter),
    ("report: bidi override in a source", "ingest", "fresh_reporter",
     post_report(report(claims=[{"text": "The vote was 21 to 9.", "sources": [f"{RLO}royam"]}])),
     reports_of_fresh_reporter),
    ("review: bidi override in a source name", "verify", "reviewer",
     contested(source_name=f"The {RLO}royam"), the_claim),
    ("review: bell in a quote", "verify", "reviewer", contested(quote=f"It will work{BEL}"),
     the_claim),
    ("review: NEL in the note", "verify", "reviewer", review({**VERIFIED, "note": f"ok{NEL}"}),
     the_claim),
    ("review: zero-width space in an affiliation", "verify", "reviewer",
     contested(affiliation=f"City{ZWSP}Hall"), the_claim),
    ("review: tag characters in a source name", "verify", "reviewer",
     contested(source_name=f"Mayor{TAG}"), the_claim),
    ("review: source name of spaces", "verify", "reviewer", contested(source_name="   "),
     the_claim),
    ("review: URL with an unclosed IPv6 bracket", "verify", "reviewer",
     contested(url="http://[::1"), the_claim),
    ("review: URL with port 99999", "verify", "reviewer",
     contested(url="https://example.test:99999/a"), the_claim),
    ("review: URL with a space", "verify", "reviewer",
     contested(url="https://example.test/a b"), the_claim),
    ("add claim: noncharacter in the text", "verify", "reviewer",
     on_story("verify", "/claims", {"text": f"The vote was 21 to 9.{NONCHAR}"}), the_story),
    ("dismiss: bidi override in the reason", "verify", "reviewer",
     on_claim("/dismiss", {"reason": f"not a claim {RLO}"}), the_claim),
    ("approve: tag characters in the reason", "verify", "editor",
     on_claim("/attributions/a_00000000/approval", {"reason": f"safety{TAG}"}), the_claim),
    ("retract: noncharacter in the reason", "publish", "editor",
     on_story("publish", "/retract", {"reason": f"Wrong{NONCHAR}"}, target="published"),
     the_release),
    ("retract: bell in the reason", "publish", "editor",
     on_story("publish", "/retract", {"reason": f"Wrong{BEL}"}, target="published"), the_release),
    ("publish: bidi override in the correction", "publish", "editor",
     on_story("publish", "/publish", {"correction": f"Fixed {RLO}"}, target="published"),
     the_release),
    ("subscribe: unclosed IPv6 bracket", "publish", "editor", subscribe("http://[::1"),
     subscriptions),
    ("subscribe: port 99999", "publish", "editor", subscribe("https://example.test:99999/hook"),
     subscriptions),
    ("subscribe: control character in the URL", "publish", "editor",
     subscribe(f"https://example.test/{BEL}hook"), subscriptions),
    ("users: bidi override in a name", "ingest", "admin",
     add_user(f"eve{RLO}"), users),
    ("users: name of invisible characters", "ingest", "admin",
     add_user(ZWSP * 3), users),
]  # fmt: skip

# --- HTTP edges (issue 12): the exact answer each must get --------------------------------

HTTP_EDGES: list[tuple[str, str, str, Request, Callable[[World], Any]]] = [
    ("report: text/plain body", "ingest", "fresh_reporter",
     post_report(report(), ctype="text/plain"), reports_of_fresh_reporter),
    ("review: form body on a JSON endpoint", "verify", "reviewer",
     review(raw=b"status=verified", ctype="application/x-www-form-urlencoded"), the_claim),
    ("feed: cursor of a non-ASCII digit", "publish", "editor", get("/feeds/all.json?cursor=%C2%B2"),
     nothing),
    ("reports: cursor not base64url", "ingest", "fresh_reporter", get("/v1/reports?cursor=%C2%B2"),
     nothing),
    ("queue: overlong cursor", "verify", "reviewer", get("/v1/queue?cursor=" + "A" * 600), nothing),
    ("stories: cursor of JSON that is not ours", "publish", "editor",
     get("/v1/stories?cursor=e30"), nothing),
    ("feed: DELETE", "publish", "editor", lambda _: {"method": "DELETE", "url": "/feeds/all.json"},
     nothing),
    ("reports: PUT", "ingest", "fresh_reporter", lambda _: {"method": "PUT", "url": "/v1/reports"},
     reports_of_fresh_reporter),
    ("reports: trailing slash (no redirect)", "ingest", "fresh_reporter", get("/v1/reports/"),
     nothing),
]  # fmt: skip

STATUS = {
    **{case[0]: 422 for case in TEXT_POLICY},
    "apply-review: If-Match missing": 428,
    "apply-review: claim id too long": 422,
    "apply-review: control character in the claim id": 422,
    "apply-review: no such earlier claim": 404,
    "not-same: no such claim": 404,
    "add claim: the revision is at its claims limit": 409,
    "split: the parts would pass the claims limit": 409,
    "report: text/plain body": 415,
    "review: form body on a JSON endpoint": 415,
    "report: not JSON": 415,
    "feed: cursor of a non-ASCII digit": 400,
    "reports: cursor not base64url": 400,
    "queue: overlong cursor": 400,
    "queue by story: bad cursor": 400,
    "queue by story: cursor of another list": 400,
    "stories: cursor of JSON that is not ours": 400,
    "feed: DELETE": 405,
    "reports: PUT": 405,
    "reports: trailing slash (no redirect)": 404,
}
CASES += TEXT_POLICY + HTTP_EDGES


@pytest.mark.parametrize(("case", "service", "role", "request_of", "probe"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_bad_input_is_a_4xx_problem_and_changes_nothing(
    world: World, case: str, service: str, role: str, request_of: Request,
    probe: Callable[[World], Any],
) -> None:  # fmt: skip
    before = probe(world)
    with world.client(service, role) as client:
        answer = client.request(**request_of(world))
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    assert answer.status_code == STATUS.get(case, answer.status_code), answer.text[:300]
    assert answer.headers["content-type"] == "application/problem+json", answer.text[:300]
    problem = answer.json()
    assert problem["status"] == answer.status_code
    assert problem["title"]
    assert problem["detail"]
    assert probe(world) == before


def test_there_are_at_least_forty_bad_requests() -> None:
    assert len(CASES) >= 40
    print(f"\nbad inputs tried: {len(CASES)}")


def test_no_script_survives_into_any_feed(world: World) -> None:
    with api(world.stack.url("publish")) as public:
        for fmt in ("json", "atom", "rss"):
            text = public.get(f"/feeds/all.{fmt}").text.lower()
            for danger in ("<script", "javascript:", "onerror=", "onload="):
                assert danger not in text, (fmt, danger)
