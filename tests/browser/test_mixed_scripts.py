"""A story in English whose sources are named in Arabic script, through the consoles in a
real browser: on the editors' desk two names in a list are laid out in the order they
are written (each isolated with ``<bdi>``; without it the comma between two
right-to-left names joins them into one right-to-left run, the second name read first),
and the text boxes of both consoles (a source's name, a note, a reason to retract) take their
direction from what is typed (``dir="auto"``). A story written in Dari keeps its order
where the consoles show what happened and what it says: the claim's history in the
reviewers' console (each value and each name of a change isolated, so "<note> → <note>"
is not one right-to-left run read backwards, nor "<name>, <name>"; a reviewer's note in
its own direction) and the desk's text of what readers get (the entry's paragraphs in
their own direction, each claim's text isolated in the claims table: a Latin word inside
a Dari sentence no longer puts the sentence's end first).

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


# "Forty houses" UNICEF "were flooded." and two notes (Dari, invented): in a paragraph of
# its own direction the sentence starts at the right, so its end is left of "UNICEF".
FORTY = "\u0686\u0647\u0644 \u062e\u0627\u0646\u0647"
FLOODED = "\u0622\u0628 \u06af\u0631\u0641\u062a"
DARI_SENTENCE = f"{FORTY} UNICEF {FLOODED}."
# "residents say so" / "the elder denies it"
NOTE_BEFORE = (
    "\u0628\u0627\u0634\u0646\u062f\u06af\u0627\u0646 "
    "\u0645\u06cc\u200c\u06af\u0648\u06cc\u0646\u062f"
)
NOTE_AFTER = "\u0628\u0632\u0631\u06af \u0631\u062f \u0645\u06cc\u200c\u06a9\u0646\u062f"

# Where each needle is laid out inside ``root``: [left, right, top], or null if absent.
BOXES_IN = """(root, needles) => needles.map(needle => {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const at = node.data.indexOf(needle);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + needle.length);
    const box = range.getBoundingClientRect();
    return [box.left, box.right, box.top];
  }
  return null;
})"""


def _left_to_right(page: Page, selector: str, has_text: str, *pieces: str) -> None:
    """In the element ``selector`` that holds ``has_text``, each piece starts right of
    where the one before it ends, on one line (``ordered``, inside one element)."""
    element = page.locator(selector).filter(has_text=has_text)
    expect(element).to_have_count(1)
    boxes = element.evaluate(BOXES_IN, list(pieces))
    assert None not in boxes, (selector, pieces, boxes)
    for (_, right, top), (left, _, next_top), a, b in zip(
        boxes, boxes[1:], pieces, pieces[1:], strict=False
    ):
        assert next_top == top, f"{b!r} not on the line of {a!r}: {boxes}"
        assert left >= right - 0.5, f"{b!r} laid out before {a!r}: {boxes}"


def _reviewed_twice(stack: Stack) -> tuple[str, str]:
    """A story in Dari whose claim a reviewer marks twice over the API (contested,
    attributed to the two residents, with a note; then verified with another note),
    then released. (story id, claim id)."""
    with stack.client("ingest", "reporter") as ingest:
        answer = submit(
            ingest,
            report(
                headline=DARI_SENTENCE[:-1],
                body=DARI_SENTENCE + "\n",
                section="world",
                language="fa",
                claims=[{"text": DARI_SENTENCE, "contested": False, "sources": []}],
            ),
            key=uuid.uuid4().hex,
        )
        assert answer.status_code == 202, answer.text
    story_id = answer.json()["story_id"]
    with stack.client("verify", "reviewer") as api:
        claim = next(c for c in story_claims(api, story_id)["claims"] if c["text"] == DARI_SENTENCE)
        version = claim["version"]
        residents = [
            {"source_name": n, "source_kind": "person", "obtained_via": "interview"}
            for n in (FIRST, SECOND)
        ]
        for review in (
            {"status": "contested", "attributions": residents, "note": NOTE_BEFORE},
            {"status": "verified", "note": NOTE_AFTER},
        ):
            reviewed = api.post(
                f"/v1/claims/{claim['claim_id']}/review",
                json=review,
                headers={"If-Match": f'"{version}"'},
            )
            assert reviewed.status_code == 200, reviewed.text
            version = reviewed.json()["version"]
        # whatever detection found besides (the headline), verified too
        for other in story_claims(api, story_id)["claims"]:
            if other["claim_id"] != claim["claim_id"]:
                marked = api.post(
                    f"/v1/claims/{other['claim_id']}/review",
                    json={"status": "verified"},
                    headers={"If-Match": f'"{other["version"]}"'},
                )
                assert marked.status_code == 200, marked.text
        confirm_claim_list(api, story_id)
    with stack.client("publish", "editor") as editor:
        publish_when_publishable(editor, story_id)
    return story_id, claim["claim_id"]


def test_a_claims_history_and_the_desks_text_keep_their_order(
    stack: Stack, browser: Browser, shots: Path
) -> None:
    story_id, claim_id = _reviewed_twice(stack)
    context, page = new_page(browser)
    try:
        sign_in(page, stack.url("verify"), stack.tokens["reviewer"])
        page.goto(f"{stack.url('verify')}/ui/claims/{claim_id}")
        changes = "ol.history ul.changes li"
        expect(page.locator(changes).filter(has_text=NOTE_AFTER)).to_have_count(1)
        page.locator("ol.history").screenshot(path=str(shots / "mixed-scripts-history.png"))
        # "note: <before> → <after>": the note before is read first
        _left_to_right(page, changes, NOTE_AFTER, NOTE_BEFORE, "\u2192", NOTE_AFTER)
        # "attributions: none → <first>, <second>"
        _left_to_right(page, changes, "none", "none", FIRST, ", ", SECOND)
        # the reviewer's note (the review's detail) in its own direction
        note = page.locator("ol.history li .hint").filter(has_text=NOTE_AFTER)
        expect(note).to_have_count(1)
        assert note.evaluate("el => el.matches(':dir(rtl)')"), "the note reads left to right"

        sign_in(page, stack.url("publish"), stack.tokens["editor"])
        page.goto(f"{stack.url('publish')}/ui/stories/{story_id}")
        page.screenshot(path=str(shots / "mixed-scripts-desk-text.png"), full_page=True)
        # right to left: the sentence's end, the Latin word, its start; as readers get
        # it, and in the claims table
        _left_to_right(page, ".entry-body p", "UNICEF", FLOODED, "UNICEF", FORTY)
        _left_to_right(page, "#claims-title ~ table td", "UNICEF", FLOODED, "UNICEF", FORTY)
    finally:
        context.close()


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
