"""Public surface: segmentation, offsets that always hold, spans a person chooses."""

from __future__ import annotations

import dataclasses
from itertools import pairwise

import pytest

from verify.detection import (
    SIGNAL_KINDS,
    SOURCE_KINDS,
    DetectedClaim,
    analyse_span,
    detect_claims,
    split_sentences,
)

from .metrics import stories

BODIES = [(name, text.read_text(encoding="utf-8")) for name, text, _ in stories()]


def _check_offsets(body: str, c: DetectedClaim) -> None:
    assert body[c.start : c.end] == c.text
    assert c.text == c.text.strip()
    assert c.contested == bool(c.contest_signals)
    assert c.context_start <= c.start < c.end <= c.context_end
    for s in c.contest_signals:
        assert s.kind in SIGNAL_KINDS
        assert body[s.start : s.end] == s.cue
        assert s.detail
    for a in c.detected_attributions:
        assert a.source_kind in SOURCE_KINDS
        assert body[a.start : a.end] == a.source
        assert body[a.cue_start : a.cue_end] == a.cue


@pytest.mark.parametrize(("name", "body"), BODIES, ids=[n for n, _ in BODIES])
def test_offsets_are_consistent(name: str, body: str) -> None:
    claims = detect_claims(body)
    assert claims
    assert [c.start for c in claims] == sorted(c.start for c in claims)
    for c in claims:
        _check_offsets(body, c)
        # a claim's sentence is one of the sentences
        assert (c.start, c.end) in split_sentences(body)


@pytest.mark.parametrize(("name", "body"), BODIES, ids=[n for n, _ in BODIES])
def test_sentences_cover_the_body_in_order(name: str, body: str) -> None:
    spans = split_sentences(body)
    assert spans == sorted(spans)
    for (_, e1), (s2, _) in pairwise(spans):
        assert e1 <= s2
    covered = "".join(body[s:e] for s, e in spans)
    assert "".join(covered.split()) == "".join(body.split())


def test_headlines_are_claims_marked_as_such_and_captions_are_not() -> None:
    body = "Storm Hits Coast\n\nThe storm killed 12 people on Sunday.\nPhoto: a flooded road"
    spans = split_sentences(body)
    assert [body[s:e] for s, e in spans] == [
        "Storm Hits Coast",
        "The storm killed 12 people on Sunday.",
        "Photo: a flooded road",
    ]
    claims = detect_claims(body)
    assert [(c.text, c.headline) for c in claims] == [
        ("Storm Hits Coast", True),
        ("The storm killed 12 people on Sunday.", False),
    ]
    assert claims[0].checkable_reasons[0] == "headline"


def test_abbreviations_do_not_split_sentences() -> None:
    body = "Dr. Rao met Lt. Gen. Ortiz in the U.S. on Jan. 5. They spoke for 2 hours."
    assert len(split_sentences(body)) == 2


@pytest.mark.parametrize(
    "body",
    [
        "Is the bridge safe?",
        "It is a shame that nobody listened.",
        "The decision would once again show the council's contempt for residents.",
        "Officials should act now before more homes are lost.",
        "Residents queued in the rain outside the quiet town hall.",
        "Whatever the verdict, the case will leave a mark on the town for years.",
        "It is hard to see how the club recovers from this.",
        "The company declined to comment.",
        "Photo: Storm Hits Coast",
        "I think the mayor has lost the plot.",
    ],
)
def test_opinion_questions_scene_and_headings_are_not_claims(body: str) -> None:
    assert detect_claims(body) == []


@pytest.mark.parametrize(
    "body",
    [
        "The judge sentenced Peter Vance to eight years in prison.",
        "Shares in Norvik Oil rose 5% on Thursday.",
        "Neither council member has been charged.",
        "The striker, 24, scored twice as Kelby United beat Arden 3-1 on Saturday.",
        "Police arrested 14 people after the match.",
    ],
)
def test_events_numbers_and_actions_are_claims(body: str) -> None:
    assert len(detect_claims(body)) == 1


def test_context_is_the_sentence_before_in_the_same_paragraph() -> None:
    body = (
        "The firm cut 200 jobs on Monday. It said 40 more would go.\n\nShares fell 3% on Tuesday."
    )
    first, second, third = detect_claims(body)
    assert first.context_start == first.start
    assert second.context_start == first.start
    assert second.context_end == second.end
    assert third.context_start == third.start


def test_analyse_span_inside_a_sentence() -> None:
    body = "According to reports, the firm cut 200 jobs on Monday. Shares rose 2% on Tuesday."
    at = body.index("the firm cut")
    c = analyse_span(body, at, at + len("the firm cut 200 jobs"))
    assert c.text == "the firm cut 200 jobs"
    assert c.contested
    assert {s.kind for s in c.contest_signals} == {"vague_source"}
    assert [a.source for a in c.detected_attributions] == ["reports"]
    assert c.context_start == 0
    assert c.context_end == body.index(" Shares")


def test_analyse_span_merging_two_sentences() -> None:
    body = (
        "The minister said 12 schools would close. "
        "She reportedly added that 300 teachers would lose their jobs."
    )
    c = analyse_span(body, 0, len(body))
    assert c.text == body
    assert {s.kind for s in c.contest_signals} == {"hedge"}
    assert [a.source for a in c.detected_attributions] == ["The minister"]
    assert c.checkable_reasons


def test_analyse_span_trims_whitespace_and_matches_detection() -> None:
    body = "Intro line here.\n\nThe army denied that 40 soldiers had been killed.  "
    (claim,) = [c for c in detect_claims(body) if "army" in c.text]
    c = analyse_span(body, claim.start - 2, claim.end + 2)
    assert dataclasses.replace(c, checkable_reasons=claim.checkable_reasons) == claim


def test_analyse_span_on_a_heading_is_declared() -> None:
    body = "Photo: the coast\n\nThe storm killed 12 people."
    c = analyse_span(body, 0, len("Photo: the coast"))
    assert c.checkable_reasons == ("declared",)
    assert not c.contested


def test_analyse_span_on_a_headline_keeps_the_headline_reading() -> None:
    body = "Storm Hits Coast\n\nThe storm killed 12 people."
    c = analyse_span(body, 0, len("Storm Hits Coast"))
    assert c.checkable_reasons == ("headline",)
    assert c.headline


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 2), (0, 999), (3, 3), (16, 18)])
def test_analyse_span_rejects_bad_spans(start: int, end: int) -> None:
    body = "Storm Hits Coast\n\nThe storm killed 12 people."
    with pytest.raises(ValueError, match="span"):
        analyse_span(body, start, end)


def test_empty_body() -> None:
    assert detect_claims("") == []
    assert split_sentences("") == []
    assert split_sentences("   \n\n ") == []


def test_results_are_frozen() -> None:
    (c,) = detect_claims("The minister said 12 schools would close.")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.contested = True  # type: ignore[misc]
