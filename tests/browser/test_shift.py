"""A reviewer's shift in a real browser, with the keyboard alone: a 15-claim story worked
from the queue to its end (next claim on one key, marking gives the lease back and moves
on, j / k at the ends, the claim list confirmed at the end), never meeting the claim a
second reviewer holds; then the desk, where every held story says who must act, and a
claim link opens the reviewers' console without a second sign-in. Every page is checked
with axe-core and photographed at 1440×900 and 1280 wide."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import Axe, describe
from tests.support.desk import story_claims
from tests.support.reports import submit
from tests.support.stack import Stack

pytestmark = pytest.mark.browser

SECTION = "shift"  # owned (OWNED_SECTIONS): the queue's first story is ours
SENTENCES = [
    "The city museum drew 412,000 visitors last year, the museum's director said.",
    "Ticket prices rose by 3 euros in March, according to the city's culture office.",
    "The east wing reopened in May after a renovation that cost 6.1 million euros.",
    "Two of the museum's five galleries are closed for repairs, staff said.",
    "The museum lent 38 paintings to other collections in 2025.",
    "Its collection holds 14,500 objects, according to the museum's annual report.",
    "The city pays 71 percent of the museum's running costs, the council said.",
    "Volunteers gave 9,800 hours of guided tours, the volunteers' association said.",
    "The museum's shop made a profit of 210,000 euros, its accounts show.",
    "A new director will start in September, the board said on Tuesday.",
    "School visits doubled after entry became free for children in 2024.",
    "The museum's oldest object is a bronze bowl from about 900 BC.",
    "Its website had 1.3 million visits, according to the museum.",
    "The cafe closed in January after its lease ended, the museum said.",
    "Night openings on Fridays will continue next year, the director said.",
]


def new_page(browser: Browser, width: int = 1440, height: int = 900) -> tuple[BrowserContext, Page]:
    # bypass_csp lets the test inject axe-core; the pages themselves load no inline script.
    context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def sign_in_by_keyboard(page: Page, base: str, token: str, path: str) -> None:
    page.goto(f"{base}{path}")
    expect(page).to_have_url(re.compile(r"/ui/sign-in\?next="))
    page.keyboard.type(token)  # the token field has the focus
    with page.expect_navigation():
        page.keyboard.press("Enter")


def press(page: Page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def photograph(page: Page, shots: Path, name: str) -> None:
    """The page at 1440×900 (``name.png``, what the README shows) and, whole, at 1280
    wide (``1280/name.png``)."""
    narrow = shots / "1280"
    narrow.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"{name}.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(narrow / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1440, "height": 900})


def holder(api: httpx.Client, story_id: str, claim_id: str) -> Any:
    claims = api.get(f"/v1/stories/{story_id}").json()["claims"]
    return next(c for c in claims if c["claim_id"] == claim_id)["holder"]


def test_a_reviewer_works_a_story_by_keyboard_and_the_desk_says_who_must_act(
    stack: Stack, browser: Browser, axe: Axe, shots: Path
) -> None:
    verify, publish = stack.url("verify"), stack.url("publish")
    story_report = {
        "headline": "City museum counts a record year",
        "section": SECTION,
        "body": " ".join(SENTENCES),
        "claims": [{"text": s, "contested": False, "sources": []} for s in SENTENCES],
    }
    anonymous_report = {
        # A headline that reports a claim ("..., staff say") is a claim of its own since
        # issue 16; this story is about the one body claim that needs an editor.
        "headline": "Museum director to step down in June",
        "section": SECTION,
        "body": "The museum's director will step down in June, a board member said.",
        "claims": [{"text": "The museum's director will step down in June", "sources": []}],
    }
    with stack.client("ingest", "reporter") as ingest:
        story_id = submit(ingest, story_report, key=uuid.uuid4().hex).json()["story_id"]
        other_id = submit(ingest, anonymous_report, key=uuid.uuid4().hex).json()["story_id"]
    with stack.client("verify", "reviewer") as api:
        claims = sorted(story_claims(api, story_id)["claims"], key=lambda c: c["start"])
        assert len(claims) >= 15, len(claims)
        # The second story waits for an editor: an anonymous source nobody approved.
        other = story_claims(api, other_id)["claims"][0]
        answer = api.post(
            f"/v1/claims/{other['claim_id']}/review",
            json={"status": "contested", "attributions": [
                {"source_name": "A board member", "source_kind": "anonymous",
                 "obtained_via": "interview"}]},
            headers={"If-Match": f'"{other["version"]}"'},
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        assert api.delete(f"/v1/claims/{other['claim_id']}/lease").status_code in (200, 204)
    # A second reviewer holds the fifth claim.
    second_name, second_token = stack.new_user("reviewer")
    held = claims[4]["claim_id"]
    with httpx.Client(
        base_url=verify, headers={"Authorization": f"Bearer {second_token}"}, timeout=30
    ) as second:
        assert second.post(f"/v1/claims/{held}/lease").status_code == 200
    free = [c["claim_id"] for c in claims if c["claim_id"] != held]

    # --- the reviewer: from the queue to the story's end, keyboard only ------------------
    context, page = new_page(browser)
    sign_in_by_keyboard(page, verify, stack.tokens["reviewer"], f"/ui/?section={SECTION}")
    expect(page).to_have_url(re.compile(rf"/ui/\?section={SECTION}$"))  # the filter kept
    group = page.locator(f"#s-{story_id}")
    expect(group).to_contain_text("City museum counts a record year")
    expect(group).to_contain_text(f"1 held by {second_name}")
    expect(page.locator(f'a[href="/ui/claims/{held}"]')).to_have_count(0)
    assert not axe.check(page, "queue"), describe(axe.found["queue"])
    photograph(page, shots, "console-queue")

    press(page, "t")  # the next claim: the first free one of the first story
    expect(page).to_have_url(re.compile(f"/ui/claims/{free[0]}\\?done=leased"))
    press(page, "k")  # before the first claim: back to the queue
    expect(page).to_have_url(re.compile(rf"/ui/\?section={SECTION}#s-{story_id}$"))
    press(page, "t")  # and in again: the same claim, still ours
    expect(page).to_have_url(re.compile(f"/ui/claims/{free[0]}\\?"))

    visited: list[str] = []
    with stack.client("verify", "reviewer") as api:
        for number, claim_id in enumerate(free):
            expect(page).to_have_url(re.compile(f"/ui/claims/{claim_id}\\?"))
            visited.append(claim_id)
            expect(page.get_by_text("Yours; the lease ends")).to_be_visible()
            expect(page.locator(f'a[href="/ui/claims/{held}"]')).to_have_count(0)
            rule = page.locator("section[aria-labelledby=rule-title]")
            if number == 0:
                # What the rule will ask if the claim is marked contested: nothing yet.
                expect(rule).to_contain_text("If you mark it contested or unverifiable")
                expect(rule).to_contain_text("A named source")
                expect(rule).to_contain_text("No attribution record names a source")
                assert not axe.check(page, "claim"), describe(axe.found["claim"])
                photograph(page, shots, "console-claim")
            key = "u" if number == 1 else "v"  # one unverifiable, without a source
            press(page, key)
            expect(page.get_by_role("status")).to_contain_text("Status saved")
            assert holder(api, story_id, claim_id) is None  # the lease went back at once

    # --- the story's end: the claim-list slot, j / k at the end ---------------------------
    expect(page).to_have_url(re.compile(f"/ui/stories/{story_id}\\?done=reviewed-end"))
    assert visited == free
    assert held not in visited
    slot = page.locator("[data-slot=claim-list]")
    expect(slot.get_by_role("heading", name="Claim list of revision 1")).to_be_visible()
    expect(slot.locator("[data-claim-list=unconfirmed]")).to_be_visible()
    table = page.locator("section[aria-labelledby=claims-title]")
    expect(table).to_contain_text(f"Held by {second_name}")
    expect(table).to_contain_text("No attribution record names a source")
    assert not axe.check(page, "story-end"), describe(axe.found["story-end"])
    photograph(page, shots, "console-story-end")
    press(page, "k")
    expect(page).to_have_url(re.compile(f"/ui/claims/{free[-1]}$"))
    press(page, "j")
    expect(page).to_have_url(re.compile(f"/ui/stories/{story_id}$"))
    # The claim list is confirmed by keyboard too: o goes to the button, Enter confirms.
    page.keyboard.press("o")
    expect(page.get_by_role("button", name="Confirm the claim list of revision 1")).to_be_focused()
    press(page, "Enter")
    expect(page.get_by_role("status")).to_have_text("Claim list confirmed for this revision.")
    expect(page.locator("[data-claim-list=confirmed]")).to_be_visible()
    context.close()

    # --- the desk: every held story says who must act ------------------------------------
    context, page = new_page(browser)
    sign_in_by_keyboard(page, publish, stack.tokens["editor"], f"/ui/?section={SECTION}")
    held_column = page.locator("[data-state=held]")
    ours = held_column.locator("li", has=page.locator(f'a[href="/ui/stories/{story_id}"]'))
    theirs = held_column.locator("li", has=page.locator(f'a[href="/ui/stories/{other_id}"]'))
    expect(ours).to_contain_text(f"Reviewer {second_name}: 1 claim: pending review", timeout=30_000)
    expect(ours).to_contain_text(
        "A reviewer (from the queue): 1 claim: contested or unverifiable, with no attribution"
    )
    expect(ours).not_to_contain_text("claim list not confirmed")  # confirmed above
    expect(theirs).to_contain_text(
        "An editor: 1 claim: anonymous source awaiting an editor's approval", timeout=30_000
    )
    expect(theirs).to_contain_text("claim list not confirmed")
    expect(theirs).to_contain_text("A reviewer or an editor: ")
    cards = held_column.locator(":scope > ul > li")
    for index in range(cards.count()):
        expect(cards.nth(index).locator(".duties li").first).to_be_visible()
    assert not axe.check(page, "desk"), describe(axe.found["desk"])
    photograph(page, shots, "desk-board")

    with page.expect_navigation():
        ours.locator(f'a[href="/ui/stories/{story_id}"]').click()
    gate = page.locator("section[aria-labelledby=gate-title]")
    expect(gate).to_contain_text("Who must act")
    expect(page.locator(".story-text mark.block")).to_have_count(
        2
    )  # the blocking claims, in the text
    assert not axe.check(page, "desk-story"), describe(axe.found["desk-story"])
    photograph(page, shots, "desk-gate")

    # A claim link opens the reviewers' console, signed in, with no second sign-in.
    with page.expect_navigation():
        gate.locator("tbody tr a", has_text=SENTENCES[1][:30]).click()
    expect(page).to_have_url(re.compile(re.escape(verify) + "/ui/claims/"))
    expect(page.get_by_role("heading", name="Claim Unverifiable")).to_be_visible()
    expect(page.locator(".who")).to_contain_text(stack.names["editor"])
    context.close()
