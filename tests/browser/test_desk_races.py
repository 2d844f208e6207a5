"""Two consoles at once, in two browser contexts: an editor's desk page and a reviewer's
claim page on the same story. What the editor looked at is what gets released, or
nothing is."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_consoles import new_page, press, sign_in
from tests.support.desk import confirm_claim_list, story_claims, verify_every_claim
from tests.support.reports import submit
from tests.support.stack import Stack

pytestmark = pytest.mark.browser


def test_a_claim_changed_after_the_editor_looked_is_not_released_unseen(
    stack: Stack, browser: Browser
) -> None:
    """The editor opens a publishable story on the desk; meanwhile a reviewer, in the
    other console, adds an attribution to one of its claims (the story stays
    publishable). Publishing from the page the editor read used to release the changed
    version (the form named only the revision); now it is refused, the page shows the
    story as it is, and publishing from that page releases it."""
    with stack.client("ingest", "reporter") as ingest:
        story_id = submit(ingest).json()["story_id"]
    with stack.client("verify", "reviewer") as api:
        verify_every_claim(api, story_id)
        confirm_claim_list(api, story_id)
        claim = next(c for c in story_claims(api, story_id)["claims"] if c["detected_attributions"])
    verify, publish = stack.url("verify"), stack.url("publish")

    desk_context, desk = new_page(browser)
    review_context, reviewer = new_page(browser)
    try:
        sign_in(desk, publish, stack.tokens["editor"])
        desk.goto(f"{publish}/ui/stories/{story_id}")
        press(desk, "r")  # the desk's view brought up to verify's
        expect(desk.get_by_role("status")).to_have_text("Checked with verify.")
        expect(desk.locator(".gate-ok")).to_contain_text("Passes")

        sign_in(reviewer, verify, stack.tokens["reviewer"])
        reviewer.goto(f"{verify}/ui/claims/{claim['claim_id']}")
        found = reviewer.locator("ul.suggestions > li").first
        via = found.get_by_label("How obtained")
        if via.count():
            via.select_option("statement")
        with reviewer.expect_navigation():
            found.get_by_role("button", name=re.compile("^Add")).click()
        expect(reviewer.get_by_role("status")).to_have_text("Attribution added.")

        press(desk, "p")  # from the page as the editor read it
        expect(desk.get_by_role("alert")).to_contain_text("changed since you looked")
        with stack.client("publish") as readers:
            assert readers.get(f"/v1/published/{story_id}").status_code == 404

        press(desk, "p")  # the page now shows the story as it is
        expect(desk.get_by_role("status")).to_contain_text("Published.")
        with stack.client("publish") as readers:
            released = readers.get(f"/v1/published/{story_id}")
        assert released.status_code == 200, released.text
        assert "the mayor" in released.text
    finally:
        desk_context.close()
        review_context.close()
