"""Sources whose names English copy from Afghanistan, Pakistan and the Arab world writes
in Arabic or Hebrew script, or in Latin with a particle in lower case ("al-", "ul-").
Detection read a name's capital letter; these have none, so "said <name in Arabic
script>" took the words before the cue for the source, and "said X al-Y" found none.

Every sentence here was written for this test; none comes from a fixture story.
"""

from __future__ import annotations

import pytest

from tests.detection.support import body_claims

# Invented names: Dari, Pashto, Urdu and Hebrew.
DARI = "\u0646\u0633\u06cc\u0645 \u0647\u0645\u062f\u0631\u062f"
PASHTO = "\u0632\u0631\u063a\u0648\u0646\u0647 \u0648\u0631\u062f\u06a9"
URDU = "\u0641\u0627\u062e\u0631 \u0628\u0644\u0648\u0686"
HEBREW = "\u05e0\u05e2\u05de\u05d4 \u05d2\u05d5\u05dc\u05df"


def _sources(body: str) -> list[str]:
    (c,) = body_claims(body)
    return [a.source for a in c.detected_attributions]


@pytest.mark.parametrize(
    ("body", "name"),
    [
        (f"Two schools in the village were closed last week, said {DARI}, a teacher.", DARI),
        (f"The road to the border crossing flooded on Friday, said {PASHTO}.", PASHTO),
        (f"Wheat prices doubled in the market after the strike, according to {URDU}.", URDU),
        (f"The clinic ran out of insulin in the first week of May, {HEBREW} said.", HEBREW),
    ],
)
def test_a_name_in_arabic_or_hebrew_script_is_the_source(body: str, name: str) -> None:
    assert _sources(body) == [name]


@pytest.mark.parametrize(
    ("body", "source"),
    [
        (
            "The checkpoint was moved twice in a month, said Maulvi Sami ud-Daula, a local elder.",
            "Maulvi Sami ud-Daula",
        ),
        (
            "The pipeline was shut after the blast, said Tariq Hamid el-Masri, its engineer.",
            "Tariq Hamid el-Masri",
        ),
        (
            "Salaries had not been paid since spring, said Omar ash-Shami on Tuesday.",
            "Omar ash-Shami",
        ),
        (
            "Farooq Ahmad ul-Islam, a trader in the bazaar, said the tax was raised to 8 percent.",
            "Farooq Ahmad ul-Islam",
        ),
    ],
)
def test_a_name_with_a_particle_in_lower_case_is_the_source(body: str, source: str) -> None:
    assert _sources(body) == [source]


# --- segment.plain_punctuation: other scripts' commas, stops and question marks are
# punctuation ("said X، a teacher" as "said X, a teacher"); detector._quote_body: what
# the results quote is the body as written


@pytest.mark.parametrize(
    "body",
    [
        f"Two clinics in the district shut last month, said {DARI}\u060c the district's "
        "health officer.",
        f"{DARI}\u060c the district's health officer\u060c said two clinics shut last month.",
        f"Two clinics in the district shut last month, said {DARI}\uff0c the district's "
        "health officer.",
    ],
)
def test_a_role_after_an_arabic_or_fullwidth_comma_is_the_names_role(body: str) -> None:
    (c,) = body_claims(body)
    assert [(a.source, a.role) for a in c.detected_attributions] == [
        (DARI, "the district's health officer")
    ]


@pytest.mark.parametrize(
    ("body", "second"),
    [
        ("Was the levee inspected\u061f Engineers said it was checked in May.", "Engineers said"),
        ("The ferry left port at noon\u3002 The coastguard said 40 were aboard.", "The coastguard"),
        ("The ferry left port at noon\u06d4 The coastguard said 40 were aboard.", "The coastguard"),
    ],
)
def test_another_scripts_stop_ends_a_sentence(body: str, second: str) -> None:
    assert body_claims(body)[-1].text.startswith(second)


def test_what_detection_quotes_is_the_body_as_written() -> None:
    body = "Wheat prices doubled in a month\u060c a figure the traders' union disputed."
    (c,) = body_claims(body)
    assert c.text == body
    for s in c.contest_signals:
        assert s.cue == body[s.start : s.end]
    assert any("\u060c" in s.cue for s in c.contest_signals)
    for a in c.detected_attributions:
        assert (a.source, a.cue) == (body[a.start : a.end], body[a.cue_start : a.cue_end])
