"""The consoles in a real browser: a reviewer clears every claim of a disputed story in
the reviewers' console, an editor approves an anonymous source and publishes it from the
editors' desk, and the story is in the JSON feed. A reporter cannot open either console.
Every main page is checked with axe-core."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from services.contracts import Attribution
from services.rule.attribution import is_vague, text_attributes
from tests.browser.conftest import Axe, describe
from tests.support.desk import story_claims
from tests.support.reports import report, submit
from tests.support.servers import wait_for
from tests.support.stack import Stack

pytestmark = pytest.mark.browser

# One of the project's own labelled stories: an air strike both sides describe differently.
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "conflict_airstrike.txt"
SECTION = "world"
ANONYMOUS = "A commander of the armed group"
SERIOUS = ("serious", "critical")


def disputed_story() -> dict[str, Any]:
    headline, body = FIXTURE.read_text(encoding="utf-8").split("\n", 1)
    return {"headline": headline.strip(), "body": body.strip(), "section": SECTION}


def held_report() -> dict[str, Any]:
    """A story the desk holds: its claims wait in the queue."""
    return report(
        headline="Council approves budget after night session",
        section=SECTION,
        claims=[{"text": "The vote was 21 to 9.", "contested": False, "sources": []}],
    )


def review_partly(api: httpx.Client, story_id: str) -> None:
    """Over the API: one claim contested without a source, one with an anonymous source
    no editor has approved, one leased and still pending."""
    claims = sorted(story_claims(api, story_id)["claims"], key=lambda c: c["start"])
    assert len(claims) >= 3, claims
    first, second, third = claims[:3]
    for claim, attributions in (
        (first, []),
        (second, [{"source_name": "A council insider", "source_kind": "anonymous",
                   "obtained_via": "interview"}]),
    ):  # fmt: skip
        answer = api.post(
            f"/v1/claims/{claim['claim_id']}/review",
            json={"status": "contested", "attributions": attributions},
            headers={"If-Match": f'"{claim["version"]}"'},
        )
        assert answer.status_code == 200, answer.text
    assert api.post(f"/v1/claims/{third['claim_id']}/lease").status_code == 200


def new_page(browser: Browser) -> tuple[BrowserContext, Page]:
    # bypass_csp lets the test inject axe-core; the pages themselves load no inline script.
    context = browser.new_context(viewport={"width": 1360, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def sign_in(page: Page, base: str, token: str) -> None:
    page.goto(f"{base}/ui/")
    expect(page).to_have_url(re.compile(r"/ui/sign-in\?next="))
    page.get_by_label("API token").fill(token)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def open_typing(page: Page) -> None:
    """Open the form to type an attribution (it is open already when nothing is suggested)."""
    details = page.locator("details", has=page.get_by_text("Type an attribution"))
    if not details.evaluate("d => d.open"):
        page.get_by_text("Type an attribution").click()


def press(page: Page, key: str) -> None:
    """A keyboard shortcut that posts a form: wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press(key)


@dataclass(frozen=True)
class Plan:
    """What a careful reviewer does with one claim."""

    status: str  # verified or contested
    index: int = -1  # the suggestion to add
    source: str = ""
    kind: str = ""
    via: str = ""
    via_missing: bool = False


def plan_for(claim: dict[str, Any], suggestions: list[dict[str, Any]], body: str) -> Plan:
    """Contested with an attribution where the text names a real source for the claim
    (the gate's own rule decides); verified where the desk can confirm it."""
    for index, found in enumerate(suggestions):
        kind = found["source_kind"]
        if not kind or kind == "anonymous" or found["start"] is None:
            continue
        if is_vague(found["source_name"]):
            continue
        via = found["obtained_via"] or "statement"
        record = Attribution(
            source_name=found["source_name"],
            source_kind=kind,
            obtained_via=via,
            start=found["start"],
            end=found["end"],
        )
        if text_attributes(record, body, claim["context_start"], claim["context_end"]):
            return Plan(
                "contested",
                index,
                found["source_name"],
                kind,
                via,
                via_missing=found["obtained_via"] is None,
            )
    return Plan("verified")


def typed_passes(plan: Plan, claim: dict[str, Any], body: str) -> bool:
    """Would the record pass typed by hand, without a span in the text?"""
    record = Attribution(source_name=plan.source, source_kind=plan.kind, obtained_via=plan.via)
    return text_attributes(record, body, claim["context_start"], claim["context_end"])


def showcase(claims: list[dict[str, Any]], plans: dict[str, Plan]) -> str:
    """The claim the README shows: contested, with the most marks in its own sentence."""

    def marks(claim: dict[str, Any]) -> int:
        inside = [
            m
            for m in claim["detected_attributions"] + claim["contest_signals"]
            if claim["context_start"] <= m["start"] < claim["context_end"]
        ]
        return len(inside)

    contested = [c for c in claims if plans[c["claim_id"]].status == "contested"]
    return str(max(contested, key=marks)["claim_id"])


def feed_item(publish: str, story_id: str) -> dict[str, Any] | None:
    url: str | None = f"{publish}/feeds/{SECTION}.json"
    wanted = f"urn:newsroom:story:{story_id}"
    while url:
        feed = httpx.get(url, timeout=10).json()
        for item in feed["items"]:
            if item["id"] == wanted:
                return dict(item)
        url = feed.get("next_url")
    return None


def test_a_reviewer_clears_a_story_and_an_editor_publishes_it(
    stack: Stack, browser: Browser, axe: Axe, shots: Path
) -> None:
    verify, publish = stack.url("verify"), stack.url("publish")
    story_report = disputed_story()
    context, page = new_page(browser)

    # --- the reviewer signs in ----------------------------------------------------------
    page.goto(f"{verify}/ui/")
    expect(page.get_by_role("heading", name=re.compile("Sign in"))).to_be_visible()
    axe.check(page, "sign-in")
    page.get_by_label("API token").fill(stack.tokens["reviewer"])
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Claims waiting for review")).to_be_visible()
    session = next(c for c in context.cookies() if c["name"] == "nr_verify_session")
    assert session["httpOnly"]
    assert session["sameSite"] == "Lax"
    assert session["path"] == "/ui"
    assert stack.tokens["reviewer"] not in session["value"]
    assert "nr_" not in session["value"]

    # --- the queue updates live when the story arrives -----------------------------------
    page.goto(f"{verify}/ui/?section={SECTION}")
    expect(page.locator("[data-live-status]")).to_have_text("Live")
    page.evaluate("window.__notReloaded = true")
    with stack.client("ingest", "reporter") as ingest:
        answer = submit(ingest, story_report, key=uuid.uuid4().hex)
        assert answer.status_code == 202, answer.text
    story_id = answer.json()["story_id"]
    with stack.client("verify", "reviewer") as api:
        story = story_claims(api, story_id)
        claims = sorted(story["claims"], key=lambda c: (c["start"], c["end"]))
        suggestions = {
            c["claim_id"]: api.get(f"/v1/claims/{c['claim_id']}/suggested-attributions").json()
            for c in claims
        }
    assert len(claims) >= 5, claims
    first = page.locator(f'a[href="/ui/claims/{claims[0]["claim_id"]}"]')
    expect(first).to_be_visible()
    assert page.evaluate("window.__notReloaded") is True, "the queue reloaded instead of updating"
    axe.check(page, "queue")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    axe.check(page, "help")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()
    page.keyboard.press("j")  # j/k move through the list
    assert page.evaluate("document.activeElement.hasAttribute('data-nav-item')")

    # --- every claim: lease, attribute, mark, next ---------------------------------------
    with page.expect_navigation():
        first.click()
    body = story["body"]
    plans = {c["claim_id"]: plan_for(c, suggestions[c["claim_id"]], body) for c in claims}
    assert any(p.status == "contested" for p in plans.values()), plans
    typed_one = anonymous_added = False
    shown = showcase(claims, plans)
    for number, claim in enumerate(claims):
        claim_id = claim["claim_id"]
        expect(page).to_have_url(re.compile(f"/ui/claims/{claim_id}(\\?|$)"))
        expect(page.locator("mark.claim").first).to_be_visible()
        if number == 0:
            axe.check(page, "claim")
            # Lease, renew, give back, lease again: all from the keyboard.
            press(page, "l")
            expect(page.get_by_text("Yours; the lease ends")).to_be_visible()
            press(page, "l")
            expect(page.get_by_role("status")).to_have_text("The claim is yours to review.")
            press(page, "g")
            expect(page.get_by_role("status")).to_have_text("You gave the claim back to the queue.")
            press(page, "l")
            expect(page.get_by_text("Yours; the lease ends")).to_be_visible()
        plan = plans[claim_id]
        if plan.status == "contested":
            if plan.via_missing and not typed_one and typed_passes(plan, claim, body):
                # Type one by hand.
                open_typing(page)
                page.get_by_label("Source's name").fill(plan.source)
                page.get_by_label("Kind", exact=True).last.select_option(plan.kind)
                page.get_by_label("How obtained").last.select_option(plan.via)
                with page.expect_navigation():
                    page.get_by_role("button", name="Add attribution").click()
                typed_one = True
            else:
                # One click on what detection found (the kind and channel prefilled).
                item = page.locator("ul.suggestions > li").nth(plan.index)
                if plan.via_missing:
                    item.get_by_label("How obtained").select_option(plan.via)
                if plan.index == 0 and not plan.via_missing:
                    page.keyboard.press("a")
                    focused = page.evaluate("document.activeElement.textContent")
                    assert focused.strip() == "Add", focused
                    press(page, "Enter")
                else:
                    with page.expect_navigation():
                        item.get_by_role("button", name=re.compile("^Add")).click()
            expect(page.get_by_role("status")).to_have_text("Attribution added.")
            records = page.locator("ul.records")
            expect(records).to_contain_text(plan.source)
            if not anonymous_added:
                open_typing(page)
                page.get_by_label("Source's name").fill(ANONYMOUS)
                page.get_by_label("Kind", exact=True).last.select_option("anonymous")
                page.get_by_label("How obtained").last.select_option("interview")
                with page.expect_navigation():
                    page.get_by_role("button", name="Add attribution").click()
                expect(records).to_contain_text("Needs an editor's approval")
                anonymous_added = True
            if claim_id == shown:
                axe.check(page, "claim-contested")
        if number == 0:
            history = page.locator("section[aria-labelledby=history-title]")
            for action in ("leased", "released"):
                expect(history).to_contain_text(action)
        # Marking gives the lease back and opens the story's next claim (or its end).
        press(page, "c" if plan.status == "contested" else "v")
        expect(page.get_by_role("status")).to_contain_text("Status saved")
    expect(page).to_have_url(re.compile(f"/ui/stories/{story_id}"))
    assert anonymous_added

    with stack.client("verify", "reviewer") as api:
        reviewed = story_claims(api, story_id)["claims"]
    assert {c["status"] for c in reviewed} <= {"verified", "contested"}, reviewed
    page.goto(f"{verify}/ui/?section={SECTION}")
    expect(page.locator(f'a[href="/ui/claims/{claims[0]["claim_id"]}"]')).to_have_count(0)

    # --- the reviewer confirms the claim list: no sentence is left that should be a claim --
    page.goto(f"{verify}/ui/claims/{claims[0]['claim_id']}")
    with page.expect_navigation():
        page.get_by_role("link", name="claim list (not confirmed)").click()
    expect(page.locator("[data-claim-list=unconfirmed]")).to_contain_text(
        "not yet checked for claims"
    )
    axe.check(page, "claim-list")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm the claim list of revision 1").click()
    expect(page.get_by_role("status")).to_have_text("Claim list confirmed for this revision.")
    expect(page.locator("[data-claim-list=confirmed]")).to_be_visible()
    expect(page.locator("ul.history")).to_contain_text(f"Revision 1 by {stack.names['reviewer']}")
    context.close()

    # --- the editor: a held story's gate, then approve and publish ours ----------------------
    with stack.client("ingest", "reporter") as ingest:
        held = submit(ingest, held_report(), key=uuid.uuid4().hex).json()["story_id"]
    with stack.client("verify", "reviewer") as api:
        review_partly(api, held)
    context, page = new_page(browser)
    sign_in(page, publish, stack.tokens["editor"])
    expect(page.get_by_role("heading", name="Stories on the desk")).to_be_visible()
    ready = page.locator(f'[data-state=publishable] a[href="/ui/stories/{story_id}"]')
    expect(ready).to_be_visible(timeout=30_000)  # the board updates live
    waiting = page.locator(f'[data-state=held] a[href="/ui/stories/{held}"]')
    expect(waiting).to_be_visible(timeout=30_000)
    axe.check(page, "desk")
    with page.expect_navigation():
        waiting.click()
    press(page, "r")  # check with verify now: the desk's view may trail by an event
    expect(page.get_by_role("status")).to_have_text("Checked with verify.")
    gate = page.locator("section[aria-labelledby=gate-title]")
    expect(gate.locator(".gate-blocked")).to_contain_text("4 blockers keep revision 1")
    rows = gate.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("of revision 1 not yet checked for claims")
    expect(rows.nth(0)).to_contain_text("reviewers or editors: confirm the claim list in verify")
    expect(rows.nth(1)).to_contain_text("No attribution record names a source")
    expect(rows.nth(2)).to_contain_text("Anonymous source awaits an editor's approval")
    expect(rows.nth(2)).to_contain_text("editors")
    expect(rows.nth(3)).to_contain_text("Claim is still pending review")
    expect(rows.nth(3)).to_contain_text(stack.names["reviewer"])
    expect(page.get_by_role("button", name=re.compile("^Publish"))).to_have_count(0)
    axe.check(page, "desk-held")
    page.goto(f"{publish}/ui/")
    with page.expect_navigation():
        ready.click()
    expect(page.locator(".gate-ok")).to_contain_text("Passes")
    page.get_by_label("Why this source may stay anonymous").fill(
        "Named sources in the valley are at risk; the desk knows who this is."
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Approve anonymous source").click()
    expect(page.get_by_role("status")).to_have_text("Anonymous source approved.")
    expect(page.get_by_text(re.compile(f"Approved by {stack.names['editor']}"))).to_be_visible()
    axe.check(page, "desk-story")
    press(page, "p")
    expect(page.get_by_role("status")).to_contain_text("Published.")
    entry = page.locator("article.entry")
    expect(entry.locator(".entry-title")).to_have_text(story_report["headline"])
    axe.check(page, "desk-published")
    page.screenshot(path=str(shots / "desk-story.png"))

    # --- readers get it in the JSON feed ------------------------------------------------
    item = wait_for(lambda: feed_item(publish, story_id), timeout=10, what="the feed item")
    assert item["title"] == story_report["headline"]
    published_claims = item["_newsroom"]["claims"]
    names = {a["source_name"] for c in published_claims for a in c["attributions"]}
    # The anonymous source as the page tells it: what the reviewer wrote of them stays in.
    assert ANONYMOUS not in names
    assert "A source who asked not to be named" in names
    assert {p.source for p in plans.values() if p.status == "contested"} <= names

    # --- and a retraction reaches them too ------------------------------------------------
    page.get_by_label("Reason shown to readers").fill("The drone strikes could not be confirmed.")
    with page.expect_navigation():
        page.get_by_role("button", name="Retract the story").click()
    expect(page.get_by_role("status")).to_contain_text("Retracted.")
    expect(entry).to_contain_text("The drone strikes could not be confirmed.")
    axe.check(page, "desk-retracted")
    context.close()
    item = feed_item(publish, story_id)
    assert item is not None
    assert item["title"].startswith("Retracted: ")
    assert item["_newsroom"]["retracted"] is True

    serious = {
        page_name: [v for v in found if v["impact"] in SERIOUS]
        for page_name, found in axe.found.items()
    }
    assert not any(serious.values()), describe([v for vs in serious.values() for v in vs])
    assert not any(axe.found.values()), describe([v for vs in axe.found.values() for v in vs])
    print("axe:", {name: len(found) for name, found in axe.found.items()})


def test_a_reporter_cannot_open_either_console(stack: Stack, browser: Browser, axe: Axe) -> None:
    context, page = new_page(browser)
    for base, who in (
        (stack.url("verify"), "reviewers and editors"),
        (stack.url("publish"), "editors"),
    ):
        sign_in(page, base, stack.tokens["reporter"])
        heading = page.get_by_role("heading", name="Not allowed for your role")
        expect(heading).to_be_visible()
        expect(page.locator("main")).to_contain_text(f"is for {who} only")
        expect(page.locator("main")).to_contain_text("a reporter")
        assert not axe.check(page, f"refused-{who}"), describe(axe.found[f"refused-{who}"])
        # Nothing was signed in: the console still asks for a token.
        page.goto(f"{base}/ui/")
        expect(page).to_have_url(re.compile(r"/ui/sign-in"))
    context.close()
