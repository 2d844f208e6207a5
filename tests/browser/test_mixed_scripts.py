"""A story in English whose sources are named in Arabic script, through the consoles in a
real browser: on the editors' desk two names in a list are laid out in the order they
are written (each isolated with ``<bdi>``; without it the comma between two
right-to-left names joins them into one right-to-left run, the second name read first),
and the text boxes of both consoles (a source's name, a note, a reason to retract) take their
direction from what is typed (``dir="auto"``).

Positions are measured on the page (tests/publish/test_mixed_scripts_browser.py), so no
Arabic font is needed: missing glyphs are laid out by the same bidi rules."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_consoles import new_page, sign_in
from tests.publish.test_mixed_scripts_browser import COUNCIL, ELDER, FIRST, SECOND, ordered
from tests.support.desk import confirm_claim_list, publish_when_publishable, story_claims
from tests.support.reports import report, submit
from tests.support.stack import Stack

pytestmark = pytest.mark.browser

BODY = (
    f"The dam above the village was breached twice since March, said {ELDER}.\n\n"
    f"Forty houses were flooded, residents {FIRST} and {SECOND} said on Monday.\n"
)
HEADLINE = "Dam breached twice in a month, elder says"
# "<elder> said the dam broke twice"
DARI_NOTE = (
    f"{ELDER} \u06af\u0641\u062a \u06a9\u0647 \u0628\u0646\u062f "
    "\u062f\u0648 \u0628\u0627\u0631 \u0634\u06a9\u0633\u062a"
)


def _cleared_and_published(stack: Stack) -> tuple[str, dict[str, str]]:
    """The story through the desk over the APIs: each claim contested and attributed to
    the names in Arabic script, the claim list confirmed, published. Claim ids by text."""
    with stack.client("ingest", "reporter") as ingest:
        answer = submit(
            ingest,
            report(
                headline=HEADLINE,
                body=BODY,
                section="world",
                claims=[],
            ),
            key=uuid.uuid4().hex,
        )
        assert answer.status_code == 202, answer.text
    story_id = answer.json()["story_id"]
    ids: dict[str, str] = {}
    with stack.client("verify", "reviewer") as api:
        for c in story_claims(api, story_id)["claims"]:
            if "Forty" in c["text"]:
                sources = [
                    {"source_name": n, "source_kind": "person", "obtained_via": "interview"}
                    for n in (FIRST, SECOND)
                ]
            else:
                sources = [
                    {"source_name": ELDER, "source_kind": "person", "obtained_via": "interview",
                     "affiliation": COUNCIL}
                ]  # fmt: skip
            ids[c["text"]] = c["claim_id"]
            headline = c["text"] == HEADLINE  # verified: a headline names no source
            reviewed = api.post(
                f"/v1/claims/{c['claim_id']}/review",
                json={"status": "verified"}
                if headline
                else {"status": "contested", "attributions": sources},
                headers={"If-Match": f'"{c["version"]}"'},
            )
            assert reviewed.status_code == 200, reviewed.text
        confirm_claim_list(api, story_id)
    with stack.client("publish", "editor") as editor:
        publish_when_publishable(editor, story_id)
    return story_id, ids


def _reads_right_to_left(page: Page, selector: str, text: str) -> None:
    box = page.locator(selector)
    box.fill(text)
    assert box.evaluate("el => el.matches(':dir(rtl)')"), f"{selector} is not dir=auto"


def test_names_in_arabic_script_keep_their_order_in_the_consoles(
    stack: Stack, browser: Browser, shots: Path
) -> None:
    story_id, ids = _cleared_and_published(stack)
    flooded = next(i for text, i in ids.items() if "Forty" in text)
    context, page = new_page(browser)
    try:
        sign_in(page, stack.url("publish"), stack.tokens["editor"])
        page.goto(f"{stack.url('publish')}/ui/stories/{story_id}")
        listed = ".entry-claims li"
        expect(page.locator(listed).filter(has_text=FIRST)).to_contain_text(SECOND)
        page.screenshot(path=str(shots / "mixed-scripts-desk.png"), full_page=True)
        # "— <first>, <second>": the first name is read first
        ordered(page, f"{listed} .hint", FIRST, ", ", SECOND)
        page.locator(".entry-claims").screenshot(path=str(shots / "mixed-scripts-names.png"))
        _reads_right_to_left(page, "#retract-reason", DARI_NOTE)

        sign_in(page, stack.url("verify"), stack.tokens["reviewer"])
        page.goto(f"{stack.url('verify')}/ui/claims/{flooded}")
        expect(page.locator("main")).to_contain_text(SECOND)
        page.screenshot(path=str(shots / "mixed-scripts-claim.png"), full_page=True)
        _reads_right_to_left(page, "#note", DARI_NOTE)
        if not page.locator("#t-name").is_visible():
            page.get_by_text("Type an attribution").click()
        _reads_right_to_left(page, "#t-name", ELDER)
        _reads_right_to_left(page, "#t-aff", COUNCIL)
    finally:
        context.close()
