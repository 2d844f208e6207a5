"""The reviewers' console on a 320 px screen, in a real browser: the queue, a claim and the
story's end page fit its width with no sideways scrolling, even for a story with a word
longer than the screen (a URL, a long compound) and a paragraph in Arabic script."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser

from tests.browser.test_shift import new_page, sign_in_by_keyboard
from tests.support.desk import story_claims
from tests.support.reports import submit
from tests.support.stack import Stack

pytestmark = pytest.mark.browser

SECTION = "narrow"  # owned: tests/support/stack.py OWNED_SECTIONS
LONG_WORD = "Weltmeisterschaftsqualifikationsspiel" * 8  # 296 characters, no break
ARABIC = "قال المدرب إن الفريق سيلعب المباراة يوم السبت."


def test_the_console_fits_a_320_px_screen(stack: Stack, browser: Browser) -> None:
    sentence = "The club sold 41,000 tickets for the final, its chairman said."
    body = f"{sentence}\n\n{ARABIC}\n\nThe ticket page was https://tickets.example/{LONG_WORD}."
    payload = {
        "headline": f"Final sells out: {LONG_WORD[:200]}",
        "section": SECTION,
        "body": body,
        "claims": [{"text": sentence, "contested": False, "sources": []}],
    }
    with stack.client("ingest", "reporter") as ingest:
        story_id = submit(ingest, payload, key=uuid.uuid4().hex).json()["story_id"]
    with stack.client("verify", "reviewer") as api:
        claim_id = story_claims(api, story_id)["claims"][0]["claim_id"]

    verify = stack.url("verify")
    context, page = new_page(browser, width=320, height=700)
    try:
        sign_in_by_keyboard(page, verify, stack.tokens["reviewer"], f"/ui/?section={SECTION}")
        for path in (
            f"/ui/?section={SECTION}",
            f"/ui/claims/{claim_id}",
            f"/ui/stories/{story_id}",
        ):
            page.goto(f"{verify}{path}")
            widths = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
            assert widths[0] <= widths[1], (path, widths)
        # A story's "Start this story" keeps its words on one line beside a long headline
        # (it was squeezed to a letter a line): no taller than "Take the next claim".
        page.goto(f"{verify}/ui/?section={SECTION}")
        start = page.locator(f"#s-{story_id}").get_by_role("button", name=re.compile("^Start"))
        take = page.get_by_role("button", name="Take the next claim")
        start_box, take_box = start.bounding_box(), take.bounding_box()
        assert start_box is not None
        assert take_box is not None
        assert start_box["height"] <= take_box["height"] + 2, (start_box, take_box)
    finally:
        context.close()
