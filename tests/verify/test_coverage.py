"""Which sentences no claim covers and which no reviewer checked: pure, on detection's
sentences (rule 0 of the publish rule)."""

from __future__ import annotations

from verify.detection import detect_claims, split_sentences
from verify.signoff.coverage import keys, sentence_key, sentences, unchecked, uncovered

BODY = (
    "The council met on Monday. "
    "It is believed that the server had been publicly reachable since March. "
    "Dr. Ruiz said the vote was 7 to 2.\n"
    "Budget talks resume\n"
    "Critics doubted that."
)


def test_sentences_are_detections_own() -> None:
    found = sentences(BODY)
    assert [(s.start, s.end) for s in found] == split_sentences(BODY)
    assert [s.text for s in found] == [
        "The council met on Monday.",
        "It is believed that the server had been publicly reachable since March.",
        "Dr. Ruiz said the vote was 7 to 2.",
        "Budget talks resume",
        "Critics doubted that.",
    ]
    assert [s.index for s in found] == [0, 1, 2, 3, 4]


def test_a_sentence_a_claim_lies_in_is_covered_and_the_others_are_not() -> None:
    found = sentences(BODY)
    vote = BODY.index("the vote was")
    spans = [(vote, vote + len("the vote was 7 to 2")), (0, len("The council met"))]
    left = uncovered(found, spans)
    assert [s.index for s in left] == [1, 3, 4]


def test_a_claim_across_sentences_covers_each_and_a_nested_claim_changes_nothing() -> None:
    found = sentences(BODY)
    long_claim = (BODY.index("Monday"), BODY.index("Ruiz"))
    nested = (BODY.index("server"), BODY.index("server") + 6)
    assert [s.index for s in uncovered(found, [long_claim, nested])] == [3, 4]
    # an empty span covers nothing
    at = BODY.index("Critics")
    assert [s.index for s in uncovered(found, [(at, at)])] == [0, 1, 2, 3, 4]


def test_a_claim_touching_a_sentence_edge_does_not_cover_it() -> None:
    found = sentences(BODY)
    first = found[0]
    assert [s.index for s in uncovered(found, [(0, first.end)])] == [1, 2, 3, 4]
    assert uncovered(found, [(found[1].start, found[1].end)])[0].index == 0


# Claims detection misses today: a bare accusation and an unattributed rumour.
MISSED = "The mayor lied. Rumour has it that the bridge will close."


def test_a_claim_detection_misses_is_left_for_the_reviewer() -> None:
    spans = [(c.start, c.end) for c in detect_claims(MISSED)]
    assert spans == []  # detection alone would let these out
    assert [s.text for s in uncovered(sentences(MISSED), spans)] == [
        "The mayor lied.",
        "Rumour has it that the bridge will close.",
    ]


def test_a_sentence_is_checked_while_its_words_stay_the_same() -> None:
    first = sentences(BODY)
    checked = set(keys(first))
    revised = BODY.replace("7 to 2", "6 to 3").replace("Critics  doubted", "x") + "\nNew line here."
    again = sentences(revised.replace("The council met", "The council  met"))
    assert [s.text for s in unchecked(again, checked)] == [
        "Dr. Ruiz said the vote was 6 to 3.",
        "New line here.",
    ]
    assert sentence_key("a  b\tc") == sentence_key("a b c") != sentence_key("a b C")


def test_a_claim_free_body_is_all_unchecked_and_uncovered() -> None:
    found = sentences("...")
    assert [s.text for s in found] == ["..."]
    assert uncovered(found, []) == unchecked(found, set()) == found
