"""A story in English whose sources are named in Arabic script, on the readers' page in
a real browser (Debian's chromium): each name is isolated from the English around it
(``<bdi>``), so a name and its affiliation are laid out in the order they are written,
not as one right-to-left run with the parentheses between them (the consoles:
tests/browser/test_mixed_scripts.py).

Positions are measured on the page (a Range's box), not read off the markup: the glyphs
need no Arabic font (tofu boxes are laid out by the same bidi rules)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import browser  # noqa: F401  (fixture)
from tests.publish.builders import attribution, claim, story
from tests.publish.conftest import Solo
from tests.publish.test_page_browser import _proxy
from tests.publish.test_pages import release

# Invented: a district elder, his council, and two residents (Dari).
ELDER = "\u0646\u0633\u06cc\u0645 \u0647\u0645\u062f\u0631\u062f"
COUNCIL = "\u0634\u0648\u0631\u0627\u06cc \u0648\u0644\u0633\u0648\u0627\u0644\u06cc"
FIRST = "\u0632\u0631\u063a\u0648\u0646\u0647 \u0648\u0631\u062f\u06a9"
SECOND = "\u0641\u0627\u062e\u0631 \u0628\u0644\u0648\u0686"
BODY = (
    f"The dam above the village was breached twice since March, said {ELDER}.\n\n"
    f"Forty houses were flooded, residents {FIRST} and {SECOND} said on Monday.\n"
)

# Where the text ``needle`` is laid out inside ``selector`` (the first match that has it).
BOX = """([selector, needle]) => {
  for (const root of document.querySelectorAll(selector)) {
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
  }
  return null;
}"""


def _box(page: Page, selector: str, needle: str) -> list[float]:
    box = page.evaluate(BOX, [selector, needle])
    assert box is not None, (selector, needle)
    return list(box)


def ordered(page: Page, selector: str, *pieces: str) -> None:
    """Each piece starts right of where the one before it ends, on one line."""
    boxes = [_box(page, selector, p) for p in pieces]
    for (_, right, top), (left, _, next_top), a, b in zip(
        boxes, boxes[1:], pieces, pieces[1:], strict=False
    ):
        assert next_top == top, f"{b!r} not on the line of {a!r}: {boxes}"
        assert left >= right - 0.5, f"{b!r} laid out before {a!r}: {boxes}"


def _story(section: str):  # type: ignore[no-untyped-def]
    return story(
        BODY,
        [
            claim(
                BODY,
                "The dam above the village was breached twice since March",
                "contested",
                attributions=[attribution(ELDER, "person", "interview", affiliation=COUNCIL)],
            ),
            claim(
                BODY,
                "Forty houses were flooded",
                "contested",
                attributions=[
                    attribution(FIRST, "person", "interview"),
                    attribution(SECOND, "person", "interview"),
                ],
            ),
        ],
        section=section,
        headline="Dam breached twice in a month, elder says",
    )


def test_names_in_arabic_script_keep_their_order_on_the_story_page(
    solo: Solo,
    browser: Browser,  # noqa: F811
) -> None:
    snapshot = _story(solo.section())
    release(solo, snapshot)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.route(f"{solo.public_url}/**", _proxy(solo))
        page.goto(f"{solo.url}/stories/{snapshot.story_id}")
        says = f"#claim-{snapshot.claims[0].claim_id} li"
        expect(page.locator(says)).to_contain_text(ELDER)
        # "<elder> (<council>) told us in an interview.": the name first, then its council
        ordered(page, says, ELDER, "(", COUNCIL, ")")
    finally:
        context.close()
