"""What the bad requests aim at (a story in review, a published story, a full one), the
probes read before and after each request, and the builders of the requests."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.desk import (
    confirm_claim_list,
    publish_when_publishable,
    story_claims,
    verify_every_claim,
)
from tests.support.pages import every_item
from tests.support.reports import counted_body, report
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


def build_world(stack: Stack) -> World:
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
        return every_item(c, "/v1/subscriptions")


def the_release(w: World) -> Any:
    with api(w.stack.url("publish")) as c:
        found = c.get(f"/v1/published/{w.published_id}").json()
    return (found["pubStatus"], found["versionCreated"], found["descriptions"])


def nothing(_: World) -> Any:
    return None


def users(w: World) -> Any:
    with w.client("ingest", "admin") as c:
        return sorted((u["name"], u["display_name"]) for u in every_item(c, "/v1/users"))


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
