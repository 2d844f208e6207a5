"""Claim memory on the claim page, in a real browser: a claim reviewed in one story comes
back in another; "Not the same claim" and "Apply this review" each say what they did,
as every other form of the console does."""

from __future__ import annotations

import random
import string
import uuid
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_shift import new_page, sign_in_by_keyboard
from tests.support.desk import story_claims
from tests.support.reports import report, submit
from tests.support.stack import Stack

pytestmark = pytest.mark.browser

SECTION = "earlier-reviews"  # owned: tests/support/stack.py OWNED_SECTIONS


def claim_in_new_story(stack: Stack, body: str, words: str) -> dict[str, Any]:
    payload = report(headline="Port figures", section=SECTION, body=body, claims=[])
    with stack.client("ingest", "reporter") as ingest:
        story_id = submit(ingest, payload, key=uuid.uuid4().hex).json()["story_id"]
    with stack.client("verify", "reviewer") as api:
        claims = story_claims(api, story_id)["claims"]
    return next(c for c in claims if words in c["text"])


def reviewed_and_copied(stack: Stack) -> str:
    """A claim marked verified in one story, and the id of its copy in a second one."""
    place = "".join(random.choices(string.ascii_lowercase, k=9)).capitalize()
    first = claim_in_new_story(
        stack, f"Inspectors closed the {place} Street bakery on Monday, the council said.", place
    )
    with stack.client("verify", "reviewer") as api:
        answer = api.post(
            f"/v1/claims/{first['claim_id']}/review",
            json={"status": "verified"},
            headers={"If-Match": f'"{first["version"]}"'},
        )
        assert answer.status_code == 200, answer.text
    copy = claim_in_new_story(
        stack, f"On Monday inspectors closed the {place} Street bakery.", place
    )
    claim_id: str = copy["claim_id"]
    return claim_id


@pytest.mark.parametrize(
    ("button", "says"),
    [
        ("Apply this review", "Review applied"),
        ("Not the same claim", "It will not be offered for this claim again"),
    ],
)
def test_each_earlier_review_button_says_what_it_did(
    stack: Stack, browser: Browser, button: str, says: str
) -> None:
    claim_id = reviewed_and_copied(stack)
    context, page = new_page(browser)
    try:
        sign_in_by_keyboard(
            page, stack.url("verify"), stack.tokens["reviewer"], f"/ui/claims/{claim_id}"
        )
        earlier = page.locator("section[aria-labelledby=earlier-title]")
        expect(earlier).to_be_visible()
        with page.expect_navigation():
            earlier.get_by_role("button", name=button).click()
        expect(page.get_by_role("status")).to_contain_text(says)
    finally:
        context.close()
