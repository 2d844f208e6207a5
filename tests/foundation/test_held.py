"""A held thing's 409 says when to come back: whole seconds until it ends, rounded up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.errors import Held

NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("left", "expected"),
    [
        (timedelta(seconds=90), "90"),
        (timedelta(seconds=1.2), "2"),
        (timedelta(milliseconds=1), "1"),
    ],
)
def test_retry_after_is_the_rest_of_the_hold_rounded_up(left: timedelta, expected: str) -> None:
    held = Held("held", until=NOW + left, now=NOW, extra={"holder": "Ana"})
    assert held.status == 409
    assert held.headers["Retry-After"] == expected
    assert held.problem()["holder"] == "Ana"


def test_an_end_already_past_still_asks_for_a_second() -> None:
    # The hold was seen live a moment ago; 0 would invite a retry storm.
    assert Held("held", until=NOW - timedelta(seconds=3), now=NOW).headers["Retry-After"] == "1"
