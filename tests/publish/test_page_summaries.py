"""A listing's teasers and a story page: each story's Markdown is rendered once per
version, not for every request (publish/pages/view.py, ``Rendered``)."""

from __future__ import annotations

import pytest

from publish.feeds import content
from publish.pages import view
from tests.publish.builders import cleared_story, publication_of


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each body ``view`` takes through Markdown, in order."""
    bodies: list[str] = []

    def counting(text: str) -> str:
        bodies.append(text)
        return content.body_html(text)

    monkeypatch.setattr(view, "body_html", counting)
    return bodies


def test_a_listing_renders_each_story_s_summary_once_per_version(rendered: list[str]) -> None:
    # A listing is rendered for every request; a body of "![" at the size limit takes about
    # 2 s to render, so rendering every teaser's whole body each time let a few such
    # stories cost seconds of publish's CPU per front-page request.
    site = view.Site(newsroom="N", base_url="http://x", sections=("local",))
    first = publication_of(cleared_story())
    again = [view.teaser(site, first) for _ in range(3)]
    assert len(rendered) == 1
    assert {t.summary for t in again} == {content.summary(content.body_html(first.body))}
    revised = first.model_copy(
        update={"version": first.version + 1, "body": first.body + "\n\nMore text."}
    )
    view.teaser(site, revised)
    assert len(rendered) == 2  # a new version is rendered anew


def test_a_story_page_renders_its_body_once_per_version(rendered: list[str]) -> None:
    # The page's ETag is its bytes' hash, so every request, a 304 too, builds the page.
    site = view.Site(newsroom="N", base_url="http://x", sections=("local",))
    first = publication_of(cleared_story())
    pages = [view.story(site, first) for _ in range(3)]
    assert len(rendered) == 1
    bodies = {str(p["body"]) for p in pages}
    assert len(bodies) == 1
    assert "The vote was 7 to 2." in bodies.pop()
    revised = first.model_copy(
        update={"version": first.version + 1, "body": first.body + "\n\nMore text."}
    )
    assert "More text." in str(view.story(site, revised)["body"])
    assert len(rendered) == 2  # a new version is rendered anew


def test_what_is_kept_is_bounded_by_its_size() -> None:
    kept = view.Rendered(most=10)
    stories = [publication_of(cleared_story()) for _ in range(3)]
    for publication in stories:
        kept(publication, lambda body: "x" * 6)
    made: list[str] = []
    kept(stories[0], lambda body: made.append(body) or "x" * 6)
    assert made, "the oldest was let go to keep within the bound"
