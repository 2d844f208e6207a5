"""Each rule of the matcher on its own: what it accepts, what it refuses and why."""

from __future__ import annotations

import pytest

from verify.memory import BANDS, Statement, bands, compare, read

BASE = "The port of Halden handled 310 ships in March, the harbour master said."


def _same(a: str, b: str) -> bool:
    return compare(read(a), read(b)).same


@pytest.mark.parametrize(
    "other",
    [
        "The harbour master said the port of Halden had handled 310 ships in March.",
        "In March the port of Halden handled 310 ships.",
        "The port of Halden handled 310 ships.",
        "The port of Halden handled 310 ships in March, according to shipping data.",
        "THE PORT OF HALDEN HANDLED 310 SHIPS IN MARCH.",
    ],
)
def test_rewording_reordering_shortening_and_attribution_match(other: str) -> None:
    assert _same(BASE, other)


@pytest.mark.parametrize(
    ("other", "why"),
    [
        ("The port of Halden handled 301 ships in March, the harbour master said.", "number"),
        ("The port of Halden handled 310 ships in April, the harbour master said.", "date"),
        ("The port of Tromvik handled 310 ships in March, the harbour master said.", "name"),
        (
            "The port of Halden did not handle 310 ships in March, the harbour master said.",
            "negation",
        ),
        ("The port of Halden may handle 310 ships in March, the harbour master said.", "hedge"),
        ("The port of Halden handled 310 tankers in March, the harbour master said.", "term"),
        ("Grain exports from the region doubled over the winter.", "content"),
    ],
)
def test_statements_that_assert_something_else_do_not_match(other: str, why: str) -> None:
    found = compare(read(BASE), read(other))
    assert not found.same
    assert found.differs == why


def test_opposite_directions_do_not_match() -> None:
    found = compare(
        read("Bread prices rose 9 percent in May."), read("Bread prices fell 9 percent in May.")
    )
    assert (found.same, found.differs) == (False, "polarity")


def test_a_denial_is_not_a_confirmation() -> None:
    denied = read("Senator Ruth Amadi denied that she had sold the shares in June.")
    confirmed = read("Senator Ruth Amadi confirmed that she had sold the shares in June.")
    assert denied.negated
    assert not confirmed.negated
    assert not compare(denied, confirmed).same


def test_swapped_roles_do_not_match_but_a_passive_does() -> None:
    first = read("Vellmar defeated Ostby 2-0 in the semi-final.")
    assert compare(first, read("Ostby defeated Vellmar 2-0 in the semi-final.")).differs == "roles"
    assert compare(
        read("Inspectors closed the Marten Street bakery on Monday."),
        read("The Marten Street bakery was closed by inspectors on Monday."),
    ).same


def test_numbers_are_read_in_any_spelling() -> None:
    a = read("Eleven schools shut and 2.5 million people lost power, officials said.")
    b = read("11 schools shut and 2,500,000 people lost power.")
    assert a.numbers == b.numbers == frozenset({"#11", "#2500000"})


def test_text_is_nfc_normalised_first() -> None:
    composed = read("The café in Lörrach closed on Friday.")
    decomposed = read("The cafe\u0301 in Lo\u0308rrach closed on Friday.")
    assert composed == decomposed


def test_a_statement_round_trips_through_its_stored_form() -> None:
    statement = read(BASE)
    assert Statement.from_doc(statement.to_doc()) == statement


def test_bands_are_stable_signed_64_bit_keys_and_shared_by_a_rewording() -> None:
    keys = bands(read(BASE).terms)
    assert len(keys) == BANDS
    assert keys == bands(read(BASE).terms)
    assert all(-(2**63) <= k < 2**63 for k in keys)
    assert set(keys) & set(bands(read("In March the port of Halden handled 310 ships.").terms))
    assert bands(()) == []


def test_the_score_says_how_close() -> None:
    exact = compare(read(BASE), read(BASE))
    shorter = compare(read(BASE), read("The port of Halden handled 310 ships."))
    assert exact.score == 1.0
    assert 0 < shorter.score < exact.score


# A Dari claim ("the price of water in Kabul goes up 20 percent") as one reporter types
# it (Persian kaf and yeh, ZWNJ in the verb's prefix) and as another pastes it (Arabic
# kaf and yeh, presentation forms from a PDF, no ZWNJ, a tatweel).
DARI = (
    "\u0642\u06cc\u0645\u062a "
    "\u0622\u0628 "
    "\u062f\u0631 "
    "\u06a9\u0627\u0628\u0644 "
    "\u06f2\u06f0 "
    "\u062f\u0631\u0635\u062f "
    "\u0628\u0627\u0644\u0627 "
    "\u0645\u06cc\u200c\u0631\u0648\u062f"
)
DARI_PASTED = (
    "\u0642\u064a\u0645\u062a "
    "\u0622\u0628 "
    "\u062f\u0631 "
    "\ufedb\ufe8e\ufe91\ufede "
    "\u06f2\u06f0 "
    "\u062f\u0631\u0635\u0640\u062f "
    "\u0628\u0627\u0644\u0627 "
    "\u0645\u064a\u0631\u0648\u062f"
)


def test_one_dari_claim_typed_two_ways_matches_and_carries() -> None:
    from verify.common import normalise

    assert _same(DARI, DARI_PASTED)
    assert read(DARI).terms == read(DARI_PASTED).terms
    # a revision that only retypes the claim keeps it (and its review)
    assert normalise(DARI) == normalise(DARI_PASTED)
    # a different number is still another claim
    assert not _same(DARI, DARI.replace("\u06f2\u06f0", "\u06f3\u06f0"))
