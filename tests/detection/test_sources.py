"""Source spans as a reader would mark them. Written for this test."""

from __future__ import annotations

import pytest

from verify.detection import detect_claims


@pytest.mark.parametrize(
    ("body", "source"),
    [
        # secondary.merge_appositives: a role and the name beside it are one source
        (
            "The club's lawyer, Ana Ruiz, said the 12 players had been paid.",
            "The club's lawyer, Ana Ruiz",
        ),
        (
            "A Varro spokesman, Tom Idle, said 40 staff had left in May.",
            "A Varro spokesman, Tom Idle",
        ),
    ],
)
def test_a_role_and_its_name_are_one_source(body: str, source: str) -> None:
    (c,) = detect_claims(body)
    assert [a.source for a in c.detected_attributions] == [source]
    assert c.detected_attributions[0].source_kind == "person"

