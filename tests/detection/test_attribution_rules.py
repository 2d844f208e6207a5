"""Attribution in constructions a probe of unseen stories found missed: one table per
class of construction. Every sentence was written for this test (none from a fixture or
from the probe); each row fails without the rule named above its table."""

from __future__ import annotations

import pytest

from verify.detection import DetectedAttribution, DetectedClaim, detect_claims


def _claims(body: str) -> list[DetectedClaim]:
    return [c for c in detect_claims(body) if not c.headline]


def _attributions(body: str) -> list[DetectedAttribution]:
    claims = _claims(body)
    assert len(claims) == 1, [c.text for c in claims]
    return list(claims[0].detected_attributions)


def _sources(body: str) -> list[str]:
    return [a.source for a in _attributions(body)]


# --- attribution._titled_name: "said" + a lower-case title + a name -------------------


@pytest.mark.parametrize(
    ("body", "name", "title"),
    [
        ('"The contract is void," said spokeswoman Lena Varga.', "Lena Varga", "spokeswoman"),
        (
            '"We counted 900 ballots twice," said election officer Rui Tavares.',
            "Rui Tavares",
            "election officer",
        ),
        (
            "Turnout fell to 41 percent, said senior analyst Mei Tanaka.",
            "Mei Tanaka",
            "senior analyst",
        ),
        (
            '"Nine boats sank," said coast guard commander Olu Bankole.',
            "Olu Bankole",
            "coast guard commander",
        ),
        (
            '"The vaccine cut cases by half," said study author Ines Moreau.',
            "Ines Moreau",
            "study author",
        ),
    ],
)
def test_a_lower_case_title_before_the_name_is_its_role(body: str, name: str, title: str) -> None:
    found = _attributions(body)
    assert [a.source for a in found] == [name]
    assert found[0].source_kind == "person"
    assert found[0].role == title
