"""A reviewer's shift interrupted, in a real browser: the session ends while a form is
open (signed out in another tab, or the cookie gone), a form's address opened as a page
(where signing in again, or a refused form, leaves the browser), and a claim another
reviewer marked while the page was open, a form refused for what was pasted into it.
Each time the reviewer (or the editor) is told in the newsroom's words and lands back
on the page, with nothing typed lost."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_shift import new_page, press, sign_in_by_keyboard
from tests.support.desk import story_claims
from tests.support.reports import submit
from tests.support.stack import Stack

pytestmark = pytest.mark.browser

SECTION = "interruptions"  # owned: tests/support/stack.py OWNED_SECTIONS


@contextmanager
def signed_in_page(browser: Browser, base: str, token: str, path: str) -> Iterator[Page]:
    """A fresh browser context, signed in by keyboard on ``path``; closed after."""
    context, page = new_page(browser)
    try:
        sign_in_by_keyboard(page, base, token, path)
        yield page
    finally:
        context.close()


def open_typed_attribution(page: Page) -> None:
    """Unfold the form for an attribution typed by hand, if it is folded."""
    typed = page.locator("details", has=page.locator("#t-name"))
    if not typed.evaluate("d => d.open"):
        typed.locator("summary").click()


def new_claim(stack: Stack, sentence: str) -> str:
    payload = {
        "headline": "Lab reports a faster battery charge",
        "section": SECTION,
        "body": sentence,
        "claims": [{"text": sentence, "contested": False, "sources": []}],
    }
    with stack.client("ingest", "reporter") as ingest:
        story_id = submit(ingest, payload, key=uuid.uuid4().hex).json()["story_id"]
    with stack.client("verify", "reviewer") as api:
        claim_id: str = story_claims(api, story_id)["claims"][0]["claim_id"]
    return claim_id


@pytest.mark.parametrize("how", ["signed out in another tab", "cookie gone"])
def test_a_session_that_ends_mid_form_signs_in_again_back_to_the_claim(
    stack: Stack, browser: Browser, how: str
) -> None:
    verify = stack.url("verify")
    claim_id = new_claim(
        stack, f"The cell charged to 80 percent in 9 minutes, the lab said ({how})."
    )
    with signed_in_page(
        browser, verify, stack.tokens["reviewer"], f"/ui/claims/{claim_id}"
    ) as page:
        expect(page.get_by_role("heading", name="Mark the status")).to_be_visible()
        if how == "cookie gone":
            page.context.clear_cookies()  # twelve hours on: the browser dropped it
        else:
            other = page.context.new_page()
            other.goto(f"{verify}/ui/")
            with other.expect_navigation():
                other.get_by_role("button", name="Sign out").click()
            other.close()
        # Not "Form refused (CSRF)": the sign-in form, which comes back to the claim.
        press(page, "v")
        expect(page).to_have_url(re.compile(r"/ui/sign-in\?next="))
        expect(page.locator("main")).to_contain_text("Your session ended; sign in again.")
        page.keyboard.type(stack.tokens["reviewer"])
        press(page, "Enter")
        expect(page).to_have_url(re.compile(rf"/ui/claims/{claim_id}$"))
        expect(page.get_by_role("heading", name="Mark the status")).to_be_visible()


def test_a_forms_address_opened_as_a_page_shows_the_page_it_belongs_to(
    stack: Stack, browser: Browser
) -> None:
    verify = stack.url("verify")
    claim_id = new_claim(stack, "The battery kept 95 percent of its charge after 1,000 cycles.")
    with signed_in_page(browser, verify, stack.tokens["reviewer"], "/ui/") as page:
        for form, lands in (
            (f"/ui/claims/{claim_id}/review", f"/ui/claims/{claim_id}"),
            (f"/ui/claims/{claim_id}/attributions", f"/ui/claims/{claim_id}"),
            ("/ui/next", "/ui/"),
        ):
            answer = page.goto(f"{verify}{form}")
            assert answer is not None
            expect(page).to_have_url(f"{verify}{lands}")
            assert answer.status == 200, (form, answer.status)
            assert answer.headers["content-type"].startswith("text/html"), form


def test_a_claim_marked_meanwhile_says_by_whom_and_keeps_the_note(
    stack: Stack, browser: Browser
) -> None:
    verify = stack.url("verify")
    claim_id = new_claim(stack, "The lab's battery costs 40 percent less to make, it said.")
    with signed_in_page(
        browser, verify, stack.tokens["reviewer"], f"/ui/claims/{claim_id}"
    ) as page:
        expect(page.get_by_role("heading", name="Mark the status")).to_be_visible()
        # Meanwhile a second reviewer marks it verified.
        second_name, second_token = stack.new_user("reviewer")
        with httpx.Client(
            base_url=verify, headers={"Authorization": f"Bearer {second_token}"}, timeout=30
        ) as second:
            version = second.get(f"/v1/claims/{claim_id}").json()["version"]
            answer = second.post(
                f"/v1/claims/{claim_id}/review",
                json={"status": "verified"},
                headers={"If-Match": f'"{version}"'},
            )
            assert answer.status_code == 200, answer.text
        note = "The ministry's own figures say 25 percent."
        page.locator("#note").fill(note)
        page.keyboard.press("Escape")  # out of the note, where the keys are shortcuts again
        press(page, "c")
        alert = page.get_by_role("alert")
        expect(alert).to_contain_text(f"it is now verified, marked by {second_name}")
        expect(alert).not_to_contain_text("version")
        expect(alert).not_to_contain_text(claim_id)
        expect(page.locator("#note")).to_have_value(note)  # what was typed is not lost


def test_a_refused_form_keeps_what_was_typed(stack: Stack, browser: Browser) -> None:
    """Text pasted with an invisible character (a zero-width space, from a web page) is
    refused; the reviewer's typed attribution and the editor's approval reason come back
    as typed, to mend rather than type again."""
    verify, publish = stack.url("verify"), stack.url("publish")
    pasted = "Two people who saw\u200b the figures said so."
    claim_id = new_claim(stack, "The lab will double its staff next year, two people said.")
    with signed_in_page(
        browser, verify, stack.tokens["reviewer"], f"/ui/claims/{claim_id}"
    ) as page:
        open_typed_attribution(page)
        page.locator("#t-name").fill("Two lab employees")
        page.locator("#t-kind").select_option("anonymous")
        page.locator("#t-via").select_option("interview")
        page.locator("#t-aff").fill("research staff")
        page.locator("#t-quote").fill(pasted)
        with page.expect_navigation():
            page.get_by_role("button", name="Add attribution").click()
        expect(page.get_by_role("alert")).to_contain_text("zero-width")
        expect(page.locator("#t-name")).to_be_visible()
        expect(page.locator("#t-name")).to_have_value("Two lab employees")
        expect(page.locator("#t-kind")).to_have_value("anonymous")
        expect(page.locator("#t-via")).to_have_value("interview")
        expect(page.locator("#t-aff")).to_have_value("research staff")
        expect(page.locator("#t-quote")).to_have_value(pasted)
        # Mended, it goes in; the contested mark makes the story wait for an editor.
        page.locator("#t-quote").fill(pasted.replace("\u200b", ""))
        with page.expect_navigation():
            page.get_by_role("button", name="Add attribution").click()
        expect(page.get_by_role("status")).to_contain_text("Attribution added.")
        story_id = page.locator("nav.crumbs a").nth(1).get_attribute("href")
        assert story_id is not None
        story_id = story_id.rsplit("/", 1)[1]
        press(page, "c")

    with signed_in_page(
        browser, publish, stack.tokens["editor"], f"/ui/stories/{story_id}"
    ) as page:
        reason = page.get_by_label("Why this source may stay anonymous")
        expect(reason).to_be_visible(timeout=30_000)
        reason.fill(f"They would lose their jobs.\u200b {pasted}")
        with page.expect_navigation():
            page.get_by_role("button", name="Approve anonymous source").click()
        expect(page.get_by_role("alert")).to_contain_text("zero-width")
        expect(page.get_by_label("Why this source may stay anonymous")).to_have_value(
            f"They would lose their jobs.\u200b {pasted}"
        )


def test_how_obtained_follows_the_kind_until_the_reviewer_picks_one(
    stack: Stack, browser: Browser
) -> None:
    verify = stack.url("verify")
    claim_id = new_claim(stack, "The lab's director said the battery will be sold from 2027.")
    with signed_in_page(
        browser, verify, stack.tokens["reviewer"], f"/ui/claims/{claim_id}"
    ) as page:
        open_typed_attribution(page)
        kind, via = page.locator("#t-kind"), page.locator("#t-via")
        kind.select_option("person")
        expect(via).to_have_value("interview")
        kind.select_option("organisation")  # a slip corrected: the channel follows
        expect(via).to_have_value("statement")
        via.select_option("press_conference")  # the reviewer's own choice stays
        kind.select_option("person")
        expect(via).to_have_value("press_conference")
