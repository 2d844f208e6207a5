"""One If-None-Match parser (publish's feeds had two, verify's stories a third)."""

from __future__ import annotations

import pytest

from services.http.conditional import none_match


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ('"v7"', True),
        ('W/"v7"', True),  # weak comparison
        ('"other", W/"v7"', True),
        ("*", True),
        ('"v70"', False),
        ('"other"', False),
        ("", False),
    ],
)
def test_if_none_match_names_the_tag(header: str | None, matches: bool) -> None:
    assert none_match(header, '"v7"') is matches
