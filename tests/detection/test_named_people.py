"""People the text names are named sources, whatever word stands before or in their
name: a given name that is also a month's short form ("Jan Novak") is no date, and a
group noun with names after it ("residents Ana Ruiz and Tom Reed") is no vague source.
Every sentence here was written for this test; none comes from a fixture.
"""

from __future__ import annotations

import pytest

from tests.detection.support import body_claims

# --- casing._named (_SHORT_MONTHS, _PARTICLES): "Jan" before a surname is a given name


@pytest.mark.parametrize(
    ("body", "source"),
    [
        (
            "The brewery will cut 80 jobs, said Jan Kowalczyk, its finance director.",
            "Jan Kowalczyk",
        ),
        ("The brewery will cut 80 jobs, according to Jan Kowalczyk.", "Jan Kowalczyk"),
        ("The ferry ran aground on a sandbank, Jan de Groot told the inquiry.", "Jan de Groot"),
        ("Jan van der Meer said the lock gates had been left open.", "Jan van der Meer"),
        ("The loan was repaid in full, said Jun Takeda, the bank's treasurer.", "Jun Takeda"),
    ],
)
def test_a_month_short_form_before_a_surname_is_a_given_name(body: str, source: str) -> None:
    (c,) = body_claims(body)
    assert [a.source for a in c.detected_attributions] == [source]
    assert "date" not in c.checkable_reasons


@pytest.mark.parametrize(
    "body",
    [
        "The dam was inspected on Jan 14, the water board said.",
        "Sales of heat pumps fell 12% in Jan, the trade group said.",
        "The tunnel reopened in Jan 2025, the operator said.",
    ],
)
def test_a_month_short_form_before_a_day_or_year_is_still_a_date(body: str) -> None:
    (c,) = body_claims(body)
    assert "date" in c.checkable_reasons
