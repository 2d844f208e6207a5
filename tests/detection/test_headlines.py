"""Headlines read as the claims they often are (headlines.py), in their own grammar.

A headline that only reports a claim (someone else's, or hedged) must come out with
its source or a contest signal; one that asserts must come out as a plain claim. All
headlines here were written for this test.
"""

from __future__ import annotations

import pytest

from verify.detection import DetectedClaim, detect_claims, detect_headline

BODY = "\n\nThe council met on Monday and 40 residents attended the meeting."


def _headline(text: str) -> DetectedClaim:
    found = detect_headline(text)
    assert found is not None, text
    assert found.headline
    assert found.text == text[found.start : found.end]
    return found


def _reports(c: DetectedClaim) -> bool:
    return bool(c.detected_attributions) or c.contested or c.uncertain


REPORTING = [
    # (headline, the source it names, or None when the convention is a hedge)
    ("Orvane to sell chip unit -- report", "report"),
    ("Striker agrees move to rival club: media reports", "media reports"),
    ("Three dead in warehouse fire: police", "police"),
    ("Police: three dead in warehouse fire", "Police"),
    ("Minister quit over expenses, sources say", "sources"),
    ("Airport says radar saw no drone near runway", "Airport"),
    ("Tenants sue landlord over mould; landlord says repairs were made", "landlord"),
    ("Mining group said to weigh $2 billion bid for rival", None),
    ("Did the council hide the cost of the bridge?", None),
    ("Rebels Claim Capture Of Border Town", "Rebels"),
    # headlines.edge_sources (_said_last): the verb before its source after a comma
    ("Port to shut in June, says harbour master", "harbour master"),
    ("Bank weighs sale of card unit, say insiders", "insiders"),
    # cues.py: "disputes" with the article dropped before what it disputes
    # headlines.headline_signals: a belief verb with the "that" dropped
    ("Doctors fear virus spreading in care homes", None),
    # detector._is_headline: a question headline with a second part
    ("Was the bridge unsafe? Engineers still divided", None),
]
ASSERTING = [
    "Three killed as storm hits coast",
    "Central bank raises rates to 5 percent",
    "Shares in Orvane slide 12 percent after profit warning",
    "City council approves new budget",
    "Veteran coach retires after 30 years in charge",
    # headlines.acts: a verdict, a product recall, a case thrown out
    "Court finds builder liable for collapse",
    "Toy maker recalls 80,000 dolls over choking risk",
    "Judge dismisses case against protest leaders",
]


@pytest.mark.parametrize(("text", "source"), REPORTING)
def test_a_headline_that_reports_a_claim_says_so(text: str, source: str | None) -> None:
    c = _headline(text)
    assert _reports(c), c
    if source is not None:
        assert source in [a.source for a in c.detected_attributions]


@pytest.mark.parametrize(
    "text",
    [
        "Orvane to sell chip unit -- report",
        "Minister quit, sources say",
        # headlines._UNNAMED: "people familiar" names nobody
        "Insurer explores sale, say people familiar",
    ],
)
def test_a_headline_with_only_a_vague_source_is_contested(text: str) -> None:
    assert _headline(text).contested


def test_said_to_without_an_auxiliary_is_a_hedge() -> None:
    c = _headline("Mining group said to weigh $2 billion bid for rival")
    assert [s.cue for s in c.contest_signals] == ["said to"]


def test_two_accounts_set_against_each_other_are_contested() -> None:
    c = _headline("Tenants sue landlord over mould; landlord says repairs were made")
    assert any(s.kind == "conflicting_sources" for s in c.contest_signals)


@pytest.mark.parametrize("text", ASSERTING)
def test_a_headline_that_asserts_is_a_plain_claim(text: str) -> None:
    c = _headline(text)
    assert not _reports(c), c


def test_headline_recall_and_precision_on_the_table() -> None:
    flagged = [_reports(_headline(t)) for t, _ in REPORTING]
    false = [_reports(_headline(t)) for t in ASSERTING]
    assert sum(flagged) / len(flagged) >= 0.9
    assert sum(flagged) / (sum(flagged) + sum(false)) >= 0.9


@pytest.mark.parametrize(
    "text", ["Photo: flooded streets in the old town", "By Anna Kowalski and Tom Reed", "Storms"]
)
def test_captions_bylines_and_single_words_are_no_headline_claims(text: str) -> None:
    assert detect_headline(text) is None


def test_a_headline_line_of_the_body_is_a_claim_with_body_offsets() -> None:
    body = "Three dead in warehouse fire: police" + BODY
    claims = detect_claims(body)
    assert claims[0].headline
    assert (claims[0].start, claims[0].end) == (0, 36)
    assert [a.source for a in claims[0].detected_attributions] == ["police"]
    assert not claims[1].headline


def test_a_headline_never_makes_a_body_claim_contested() -> None:
    plain = detect_claims(BODY.strip())
    body = "Council denies hiding bridge costs" + BODY
    under = [c for c in detect_claims(body) if not c.headline]
    assert [c.contested for c in under] == [c.contested for c in plain]


def test_an_empty_headline_has_no_claim() -> None:
    assert detect_headline("   ") is None


def test_people_familiar_at_a_headlines_end_is_an_unnamed_source() -> None:
    # headlines._UNNAMED: the source is anonymous, not merely vague
    c = _headline("Insurer explores sale, say people familiar")
    assert [a.source_kind for a in c.detected_attributions] == ["anonymous"]
    assert [s.kind for s in c.contest_signals] == ["anonymous_source"]


def test_disputes_with_its_article_dropped_is_a_denial() -> None:
    # cues.py: "disputes police account", headline grammar
    c = _headline("Union disputes hospital account of night shift staffing")
    assert [s.kind for s in c.contest_signals] == ["denial"]
