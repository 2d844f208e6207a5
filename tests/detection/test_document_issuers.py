"""Who issued a document is its source: "figures released by X show", "data published by
X suggest", "a study by X found" are X's, as "X's figures" and "figures from X" were.
Who only holds or checked a document ("obtained by", "verified by") stays a source of its
own cue. Every sentence here was written for this test; none comes from a fixture.
"""

from __future__ import annotations

import pytest

from tests.detection.support import body_claims, claim_holding


def _sources(body: str) -> list[str]:
    (c,) = body_claims(body)
    return [a.source for a in c.detected_attributions]


# --- raw.make_raw (_issuer_at, lexicon.ISSUED) with secondary.drop_agent keeping the
# issuer of a document in subject position


@pytest.mark.parametrize(
    ("body", "source"),
    [
        (
            "Figures released by the national statistics office show rents rose 7% in a year.",
            "the national statistics office",
        ),
        (
            "Data published by the Ruvell Institute suggest bus use fell by a fifth in 2024.",
            "the Ruvell Institute",
        ),
        (
            "Statistics compiled by the county council showed 212 homes stood empty in May.",
            "the county council",
        ),
        (
            "Trade data issued by the ministry on Tuesday showed exports of rice fell 9%.",
            "the ministry",
        ),
        (
            "A survey conducted by the Tavistock Farmers Union found 3 in 10 farms had no heir.",
            "the Tavistock Farmers Union",
        ),
        (
            "An audit by the state audit office found 41 contracts were signed without bids.",
            "the state audit office",
        ),
        (
            "A study by researchers at Brenna University found the vaccine cut admissions by half.",
            "researchers at Brenna University",
        ),
        (
            "Oil output fell to 1.2 million barrels a day, according to figures published by the "
            "energy regulator.",
            "the energy regulator",
        ),
    ],
)
def test_the_issuer_of_a_document_is_its_source(body: str, source: str) -> None:
    assert _sources(body) == [source]


@pytest.mark.parametrize(
    ("body", "sources"),
    [
        # who holds a document is a source beside it, not its author
        (
            "Emails obtained by the Harrow Gazette show the council met the builder 6 times.",
            ["the Harrow Gazette", "Emails"],
        ),
        # who verified footage vouches for it; the footage is not the source
        (
            "Video verified by the agency showed 3 lorries crossing the border at night.",
            ["the agency"],
        ),
    ],
)
def test_who_holds_or_checked_a_document_is_no_issuer(body: str, sources: list[str]) -> None:
    assert _sources(body) == sources


@pytest.mark.parametrize(
    "body",
    [
        "The pollster weights its results by how they said they voted in 2022.",
        "The index ranks the data by how residents said they felt about crime in 2023.",
    ],
)
def test_a_clause_after_by_is_no_issuer(body: str) -> None:
    # raw._WH: "by how they voted" says how a document is sorted, not who issued it
    for source in _sources(body):
        assert source.split()[0].lower() not in {"how", "what", "where"}, source


# --- disputes._chain: a core claim whose speaker is neither side carries no account on


RESULT = (
    "Mayor Hana Dvorakova won a second term with 54.2 percent of the vote, according to "
    "provisional results released by the regional election office on Sunday, but her rival "
    "refused to accept the outcome.\n\n"
    "Turnout was 49 percent, the election office said.\n\n"
    '"We did not lose this race," Petr Hlavac of the Green Future party told supporters on '
    "Sunday night.\n\n"
    "Hlavac said his own count showed him ahead in 11 wards.\n"
)


def test_the_body_that_issued_a_rejected_result_takes_no_side() -> None:
    # the election office published the result the loser rejects; it is not the winner,
    # so its next claim is no part of the winner's account
    assert [a.source for a in claim_holding(RESULT, "Mayor").detected_attributions] == [
        "the regional election office"
    ]
    assert claim_holding(RESULT, "Mayor").contested
    assert not claim_holding(RESULT, "Turnout was 49 percent").contested
    assert claim_holding(RESULT, "his own count").contested


# --- parties._stand_in: "the agency" is the agency named before, not the last company

QUARRY = (
    "Marwick Quarries Ltd said on Monday that dust from its site had stayed within its "
    "permit all summer.\n\n"
    "It said it had planted 4,000 trees along the boundary last year.\n\n"
    "The county water agency said it took samples from the Linnet stream on June 2.\n\n"
    "Results published by the agency on Friday showed 4.1 milligrams of zinc per litre "
    "below the quarry, three times the limit.\n\n"
    "Tolland Holdings, which owns the quarry, disputed the agency's findings, saying the "
    "samples had been taken after a storm.\n"
)


def test_a_bare_head_stands_for_the_speaker_of_that_kind_before() -> None:
    # the agency's results are disputed; the company's own earlier claims are not the
    # agency's side of that dispute
    assert claim_holding(QUARRY, "Results published").contested
    assert claim_holding(QUARRY, "Tolland Holdings").contested
    assert not claim_holding(QUARRY, "Marwick Quarries Ltd said").contested
    assert not claim_holding(QUARRY, "planted 4,000 trees").contested
