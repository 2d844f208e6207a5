"""People the text names are named sources, whatever word stands before or in their
name: a given name that is also a month's short form ("Jan Novak") is no date, and a
group noun with names after it ("residents Ana Ruiz and Tom Reed") is no vague source.
Every sentence here was written for this test; none comes from a fixture.
"""

from __future__ import annotations

import pytest

from tests.detection.support import body_claims, signal_kinds

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


# --- signals._unnamed_eyewitnesses: names after the group noun; attribution._titled_name
# (_group_of_people): "said residents X and Y"


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ("Residents Ana Ruiz and Tom Reed said the tap water ran brown for 9 days.", "Ana Ruiz"),
        ("Villagers Idris Bello and Musa Sani said the bridge collapsed in 2019.", "Idris Bello"),
        (
            "Witnesses Carla Moretti and Yusuf Demir said the lorry ran a red light.",
            "Carla Moretti",
        ),
    ],
)
def test_a_group_noun_before_names_is_no_vague_source(body: str, names: str) -> None:
    (c,) = body_claims(body)
    assert any(names in a.source for a in c.detected_attributions)
    assert "vague_source" not in signal_kinds(c)


@pytest.mark.parametrize(
    ("body", "source", "role"),
    [
        (
            "The tap water ran brown for 9 days, said residents Ana Ruiz and Tom Reed.",
            "Ana Ruiz and Tom Reed",
            "residents",
        ),
        (
            "The lorry ran a red light, said witnesses Carla Moretti and Yusuf Demir.",
            "Carla Moretti and Yusuf Demir",
            "witnesses",
        ),
    ],
)
def test_names_after_a_plural_title_speak(body: str, source: str, role: str) -> None:
    (c,) = body_claims(body)
    assert [(a.source, a.role) for a in c.detected_attributions] == [(source, role)]
    assert "vague_source" not in signal_kinds(c)


@pytest.mark.parametrize(
    "body",
    [
        "Residents said the tap water ran brown for 9 days.",
        "Residents of Harwell said the tap water ran brown for 9 days.",
        "Villagers in the valley said the bridge collapsed in 2019.",
    ],
)
def test_a_group_the_story_does_not_name_stays_vague(body: str) -> None:
    (c,) = body_claims(body)
    assert "vague_source" in signal_kinds(c)
