"""The story page in a real browser (Debian's chromium via Playwright): it reads without
JavaScript, fits a phone's width, and axe-core reports no violation (WCAG 2.1 A/AA and
best practices) on the story, front, section and not-found pages."""

from __future__ import annotations

import httpx
from playwright.sync_api import Browser, Route

from tests.browser.conftest import Axe, axe, browser, describe  # noqa: F401  (fixtures)
from tests.publish.builders import attribution, claim, story
from tests.publish.conftest import Solo
from tests.publish.test_pages import checked_story, release


def _proxy(solo: Solo):  # type: ignore[no-untyped-def]
    """Play the proxy: the page links to the public URL; fetch it from this process."""

    def handle(route: Route) -> None:
        answer = httpx.get(solo.url + solo.local(route.request.url), timeout=30)
        route.fulfill(status=answer.status_code, headers=dict(answer.headers), body=answer.content)

    return handle


def test_the_story_page_in_a_browser_passes_axe_and_fits_a_phone(
    solo: Solo,
    browser: Browser,  # noqa: F811
    axe: Axe,  # noqa: F811
) -> None:
    section = solo.section()
    snapshot = checked_story(section)
    release(solo, snapshot)
    # JavaScript off, as some readers have it; bypass_csp only lets the test add axe-core.
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, java_script_enabled=False, bypass_csp=True
    )
    try:
        page = context.new_page()
        page.route(f"{solo.public_url}/**", _proxy(solo))
        page.goto(f"{solo.url}/stories/{snapshot.story_id}")
        assert page.get_by_role("heading", level=1).inner_text() == snapshot.headline
        box = page.get_by_role("region", name="How this story was checked")
        assert "Farmers' groups said so in a statement." in box.inner_text()
        # Nothing wider than the screen: no sideways scrolling on a phone.
        widths = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
        assert widths[0] <= widths[1], widths
        stylesheet_applied = page.evaluate(
            "() => getComputedStyle(document.querySelector('.checked')).borderTopStyle"
        )
        assert stylesheet_applied == "solid"
    finally:
        context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        page = context.new_page()
        page.route(f"{solo.public_url}/**", _proxy(solo))
        for name, path in (
            ("story", f"/stories/{snapshot.story_id}"),
            ("front", "/"),
            ("section", f"/sections/{section}"),
            ("not found", "/stories/s_never_released"),
        ):
            page.goto(f"{solo.url}{path}")
            violations = axe.check(page, name)
            assert violations == [], f"{name}: {describe(violations)}"
    finally:
        context.close()


def test_long_words_wrap_and_each_paragraph_takes_its_own_direction(
    solo: Solo,
    browser: Browser,  # noqa: F811
) -> None:
    """An unbroken word (a long URL, a compound) breaks inside the column instead of
    widening the page past a 320 px screen, and a paragraph in Arabic script reads right to
    left among English ones."""
    section = solo.section()
    long_word = "Rechtsschutzversicherungsgesellschaften" * 60  # 2,340 characters
    arabic = "قال المتحدث باسم الحكومة إن الجسر أغلق يوم الاثنين."
    body = (
        "The city council approved the budget on Monday.\n\n"
        f"{arabic}\n\n"
        f"The word was {long_word}.\n"
    )
    snapshot = story(
        body,
        [claim(body, "The city council approved the budget on Monday", "verified")],
        section=section,
        headline="Budget " + "Überschwemmungskatastrophenhilfe" * 4,
    )
    release(solo, snapshot)
    context = browser.new_context(viewport={"width": 320, "height": 740}, bypass_csp=True)
    try:
        page = context.new_page()
        page.route(f"{solo.public_url}/**", _proxy(solo))
        for path in (f"/stories/{snapshot.story_id}", "/", f"/sections/{section}"):
            page.goto(f"{solo.url}{path}")
            widths = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
            assert widths[0] <= widths[1], (path, widths)
        page.goto(f"{solo.url}/stories/{snapshot.story_id}")
        directions = page.evaluate(
            """() => [...document.querySelectorAll('.body p')].map(
                p => [p.textContent.slice(0, 12), p.matches(':dir(rtl)')])"""
        )
        assert directions == [
            ["The city cou", False], [arabic[:12], True], ["The word was", False],
        ], directions  # fmt: skip
    finally:
        context.close()


def test_a_story_in_arabic_reads_right_to_left_with_the_pages_own_words_in_english(
    solo: Solo,
    browser: Browser,  # noqa: F811
    axe: Axe,  # noqa: F811
) -> None:
    """The page takes the story's language and direction; the words the newsroom's
    templates add (sections, byline, the checks box) stay English for a screen reader,
    and a listing in English marks the story's own words as Arabic only."""
    section = solo.section()
    body = "أغلق الجسر يوم الاثنين.\n\nقالت وزارة المالية إن نتيجة التصويت كانت 7 مقابل 2.\n"
    snapshot = story(
        body,
        [
            claim(
                body,
                "نتيجة التصويت كانت 7 مقابل 2",
                "contested",
                attributions=[attribution("وزارة المالية", "organisation", "statement")],
            ),
        ],
        section=section,
        headline="البرلمان يقر الميزانية",
        language="ar",
    )
    release(solo, snapshot)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    lang_of = "selector => document.querySelector(selector).closest('[lang]').lang"
    try:
        page = context.new_page()
        page.route(f"{solo.public_url}/**", _proxy(solo))
        page.goto(f"{solo.url}/stories/{snapshot.story_id}")
        assert page.evaluate("() => [document.documentElement.lang, document.dir]") == [
            "ar", "rtl",
        ]  # fmt: skip
        languages = {
            selector: page.evaluate(lang_of, selector)
            for selector in ("h1", ".body p", "nav", "p.section", ".meta", "#checked-title")
        }
        assert languages == {
            "h1": "ar", ".body p": "ar",
            "nav": "en", "p.section": "en", ".meta": "en", "#checked-title": "en",
        }, languages  # fmt: skip
        violations = axe.check(page, "story in Arabic")
        assert violations == [], describe(violations)

        page.goto(f"{solo.url}/sections/{section}")
        headline = ".stories h2 span[dir=auto]"
        assert page.evaluate(lang_of, headline) == "ar"
        assert page.evaluate(lang_of, ".stories .meta") == "en"
        violations = axe.check(page, "listing with a story in Arabic")
        assert violations == [], describe(violations)
    finally:
        context.close()
