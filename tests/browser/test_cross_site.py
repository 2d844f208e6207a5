"""The console and other sites, in a real browser: a link to it from another site (mail,
chat) opens it signed in, and a form that other site posts to it changes nothing and
signs nobody out."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.browser.test_shift import new_page, sign_in_by_keyboard
from tests.support.desk import story_claims
from tests.support.reports import submit
from tests.support.stack import Stack

pytestmark = pytest.mark.browser

ELSEWHERE = "http://elsewhere.test"  # another site: played by the browser's router


def test_a_link_from_another_site_keeps_the_reviewer_signed_in(
    stack: Stack, browser: Browser
) -> None:
    verify = stack.url("verify")
    sentence = "The ferry carried 1,240 passengers on Sunday, the operator said."
    payload = {
        "headline": "Ferry traffic rises",
        "section": "local",
        "body": sentence,
        "claims": [{"text": sentence, "contested": False, "sources": []}],
    }
    with stack.client("ingest", "reporter") as ingest:
        story_id = submit(ingest, payload, key=uuid.uuid4().hex).json()["story_id"]
    with stack.client("verify", "reviewer") as api:
        claim = story_claims(api, story_id)["claims"][0]

    pages = {
        "/link": f'<a id="go" href="{verify}/ui/claims/{claim["claim_id"]}">the claim</a>',
        "/form": (
            f'<form id="f" method="post" action="{verify}/ui/claims/{claim["claim_id"]}/lease">'
            '<button id="send">send</button></form>'
        ),
    }

    def elsewhere(route: Route) -> None:
        path = route.request.url[len(ELSEWHERE) :]
        html = f"<!doctype html><title>elsewhere</title>{pages[path]}"
        route.fulfill(status=200, content_type="text/html", body=html)

    context, page = new_page(browser)
    try:
        context.route(f"{ELSEWHERE}/**", elsewhere)
        sign_in_by_keyboard(page, verify, stack.tokens["reviewer"], "/ui/")
        # A form from the other site: no cookie goes with it, so nothing changes.
        page.goto(f"{ELSEWHERE}/form")
        with page.expect_navigation():
            page.click("#send")
        with stack.client("verify", "reviewer") as api:
            assert story_claims(api, story_id)["claims"][0]["holder"] is None
        # A link from the other site: the console opens on the claim, signed in.
        page.goto(f"{ELSEWHERE}/link")
        with page.expect_navigation():
            page.click("#go")
        expect(page).to_have_url(f"{verify}/ui/claims/{claim['claim_id']}")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        # And still signed in afterwards, at the console's own address.
        page.goto(f"{verify}/ui/")
        expect(page.get_by_role("heading", name="Claims waiting for review")).to_be_visible()
    finally:
        context.close()
