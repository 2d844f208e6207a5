"""Officials of courts, inquests, audits and public offices are person roles: in
apposition to a name ("the county coroner, X, said") they are the name's role, as "the
county sheriff" was (lexicon._PERSON_HEADS). Every sentence here was written for this
test; none comes from a fixture.
"""

from __future__ import annotations

import pytest

from tests.detection.support import body_claims


def _attributions(body: str) -> list[tuple[str, str]]:
    (c,) = body_claims(body)
    return [(a.source, a.role) for a in c.detected_attributions]


@pytest.mark.parametrize(
    ("body", "source", "role"),
    [
        (
            "The county coroner, Helen Marsh, said the climber died of hypothermia on the ridge.",
            "Helen Marsh",
            "The county coroner",
        ),
        (
            "Ivo Brandt, the city's ombudsman, said 30 complaints about the housing office "
            "went unanswered.",
            "Ivo Brandt",
            "the city's ombudsman",
        ),
        (
            "The state medical examiner, Dr Lena Okoro, said the man died of a single gunshot.",
            "Dr Lena Okoro",
            "The state medical examiner",
        ),
        (
            "A forensic pathologist, Dr Samir Haddad, told the inquest the wound was 4 cm deep.",
            "Dr Samir Haddad",
            "A forensic pathologist",
        ),
        (
            "The city comptroller, Maya Ferreira, said the transit budget was overspent by "
            "$12 million.",
            "Maya Ferreira",
            "The city comptroller",
        ),
        (
            "Tomas Vidal, the district registrar, said 118 births were recorded in April.",
            "Tomas Vidal",
            "the district registrar",
        ),
        (
            "The family's solicitor, Grace Mbeki, said the hospital had lost two scans.",
            "Grace Mbeki",
            "The family's solicitor",
        ),
        (
            "The utility's general counsel, Owen Price, said the contract ran until 2031.",
            "Owen Price",
            "The utility's general counsel",
        ),
        (
            "The city's chief epidemiologist, Dr Ruth Akande, said 14 cases were confirmed.",
            "Dr Ruth Akande",
            "The city's chief epidemiologist",
        ),
    ],
)
def test_an_official_role_in_apposition_is_the_names_role(
    body: str, source: str, role: str
) -> None:
    assert _attributions(body) == [(source, role)]


@pytest.mark.parametrize(
    ("body", "source"),
    [
        ("The coroner said the climber died of hypothermia on the ridge.", "The coroner"),
        ("The ombudsman found that 30 complaints had gone unanswered.", "The ombudsman"),
        ("The registrar said 118 births were recorded in April.", "The registrar"),
    ],
)
def test_an_official_alone_is_a_person_source(body: str, source: str) -> None:
    (c,) = body_claims(body)
    assert [(a.source, a.source_kind) for a in c.detected_attributions] == [(source, "person")]
