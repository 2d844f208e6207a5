"""A listing's teasers: each story's summary is rendered once per version, not for every
request (publish/pages/view.py, ``teaser_summary``)."""

from __future__ import annotations

import pytest

from publish.feeds import content
from publish.pages import view
from tests.publish.builders import cleared_story, publication_of


def test_a_listing_renders_each_story_s_summary_once_per_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A listing is rendered for every request; a body of "![" at the size limit takes about
    # 2 s to render, so rendering every teaser's whole body each time let a few such
    # stories cost seconds of publish's CPU per front-page request.
    rendered: list[str] = []

    def counting(text: str) -> str:
        rendered.append(text)
        return content.body_html(text)

    monkeypatch.setattr(view, "body_html", counting)
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
