"""Browser tests: Playwright for Python driving Debian's chromium (``make test`` installs
it, and axe-core from the npm registry into ``.venv/axe``). No browser is downloaded.

``NEWSROOM_SCREENSHOTS=docs`` (``make screenshots``) saves the pages the README shows;
otherwise screenshots go to a temporary folder, so taking them is still tested.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / ".venv" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
# What axe checks: WCAG 2.0/2.1 A and AA, and its best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"Debian's chromium is not installed at {CHROMIUM} (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("NEWSROOM_SCREENSHOTS")
    folder = (ROOT / wanted) if wanted else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Axe:
    """Runs axe-core in a page and keeps every violation it reports."""

    script: str
    found: dict[str, list[dict[str, Any]]]

    def check(self, page: Page, name: str) -> list[dict[str, Any]]:
        if not page.evaluate("() => typeof window.axe !== 'undefined'"):
            page.add_script_tag(content=self.script)
        result = page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
            ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}))",
            AXE_TAGS,
        )
        violations: list[dict[str, Any]] = list(result)
        self.found[name] = violations
        return violations


@pytest.fixture(scope="module")
def axe() -> Axe:
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE} (make test installs it)")
    return Axe(AXE.read_text(), {})


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, indent=1)
