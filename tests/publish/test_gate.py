"""The publish rule as a pure function: each reason it blocks for, named, and what passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.contracts import Attribution
from services.rule.attribution import is_vague, text_attributes
from services.rule.gate import (
    CONFIRMERS,
    EDITORS,
    NEED_WORDS,
    REPORTER,
    REVIEWERS_QUEUE,
    Need,
    Reason,
    attribution_check,
    evaluate,
    held,
)
from tests.publish.builders import BODY, attribution, bump, claim, cleared_story, story

# One of the project's own labelled stories (tests/fixtures/stories/).
STORY = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "conflict_airstrike.txt"


def only_blocker(snapshot):  # type: ignore[no-untyped-def]
    verdict = evaluate(snapshot)
    assert not verdict.publishable
    assert len(verdict.blockers) == 1, verdict.blockers
    return verdict.blockers[0]


def contested(text: str, *records, body: str = BODY, status: str = "contested"):  # type: ignore[no-untyped-def]
    return story(body, [claim(body, text, status, attributions=list(records))])


def test_a_story_whose_claims_are_verified_or_attributed_passes() -> None:
    verdict = evaluate(cleared_story())
    assert verdict.publishable
    assert verdict.blockers == ()
    assert verdict.revision == 1


def test_an_unconfirmed_claim_list_blocks_and_says_so_in_an_editors_words() -> None:
    snapshot = cleared_story(revision=2, confirmed=False, sentences_to_check=3)
    blocker = only_blocker(snapshot)
    assert blocker.reason == Reason.CLAIM_LIST_UNCONFIRMED
    assert blocker.claim_id is None
    assert blocker.lacks == "3 sentences of revision 2 not yet checked for claims"
    assert blocker.holder == CONFIRMERS == "reviewers or editors: confirm the claim list in verify"
    one = cleared_story(confirmed=False, sentences_to_check=1)
    assert only_blocker(one).lacks == "1 sentence of revision 1 not yet checked for claims"


def test_a_claim_free_story_is_held_until_its_claim_list_is_confirmed() -> None:
    free = story("...", [], confirmed=False, sentences_to_check=1)
    assert only_blocker(free).reason == Reason.CLAIM_LIST_UNCONFIRMED
    assert evaluate(free.model_copy(update={"claim_list_confirmed_revision": 1})).publishable


def test_a_confirmation_holds_for_its_own_revision_only() -> None:
    confirmed = cleared_story()
    assert evaluate(confirmed).publishable
    newer = bump(confirmed, revision=2)  # still says revision 1 was confirmed
    blocker = only_blocker(newer)
    assert blocker.lacks == "The claim list of revision 2 is not confirmed yet"
    older = confirmed.model_copy(update={"revision": 2, "claim_list_confirmed_revision": 3})
    assert only_blocker(older).reason == Reason.CLAIM_LIST_UNCONFIRMED


def test_held_says_why_in_one_line_per_reason() -> None:
    body = BODY
    snapshot = story(
        body,
        [
            claim(body, "The vote was 7 to 2", "false"),
            claim(body, "The city council approved the budget on Monday", "pending"),
            claim(body, "Critics doubted that", "pending"),
        ],
        confirmed=False,
        sentences_to_check=2,
    )
    assert held(evaluate(snapshot)) == [
        "2 sentences of revision 1 not yet checked for claims",
        "1 claim: found false (the reporter must revise the story)",
        "2 claims: pending review",
    ]
    assert held(evaluate(cleared_story())) == []


def test_a_pending_claim_blocks_and_names_who_holds_it() -> None:
    queued = story(BODY, [claim(BODY, "The vote was 7 to 2", "pending")])
    blocker = only_blocker(queued)
    assert blocker.reason == Reason.PENDING
    assert blocker.lacks == "Claim is still pending review"
    assert blocker.holder == REVIEWERS_QUEUE
    assert blocker.claim_text == "The vote was 7 to 2"

    leased = story(BODY, [claim(BODY, "The vote was 7 to 2", "pending", holder="rev-ana")])
    assert only_blocker(leased).holder == "rev-ana"


def test_a_false_claim_blocks_until_the_reporter_revises() -> None:
    blocker = only_blocker(story(BODY, [claim(BODY, "The vote was 7 to 2", "false")]))
    assert blocker.reason == Reason.FALSE
    assert blocker.holder == REPORTER


@pytest.mark.parametrize("status", ["contested", "unverifiable"])
def test_a_contested_or_unverifiable_claim_without_a_record_blocks(status: str) -> None:
    blocker = only_blocker(contested("the plan would cut potholes by half", status=status))
    assert blocker.reason == Reason.NO_ATTRIBUTION
    assert blocker.lacks == "No attribution record names a source and how it was obtained"
    assert blocker.holder == REVIEWERS_QUEUE


@pytest.mark.parametrize("name", ["sources", "Local media reports", "officials", "?", "n/a"])
def test_a_placeholder_source_name_is_not_a_named_source(name: str) -> None:
    snapshot = contested("the plan would cut potholes by half", attribution(name))
    blocker = only_blocker(snapshot)
    assert blocker.reason == Reason.VAGUE_SOURCE
    assert "identifiable source" in blocker.lacks


def test_an_empty_source_name_is_no_record() -> None:
    snapshot = contested("the plan would cut potholes by half", attribution("   "))
    assert only_blocker(snapshot).reason == Reason.NO_ATTRIBUTION


def test_an_anonymous_source_needs_an_editors_approval_with_a_reason() -> None:
    body = "Officials met on Monday. The ministry will close two hospitals, sources said."
    text = "The ministry will close two hospitals"
    unapproved = contested(text, attribution("a senior ministry official", "anonymous"), body=body)
    blocker = only_blocker(unapproved)
    assert blocker.reason == Reason.ANONYMOUS_UNAPPROVED
    assert blocker.lacks == "Anonymous source awaits an editor's approval"
    assert blocker.holder == EDITORS

    no_reason = contested(
        text, attribution("a senior ministry official", "anonymous", approved=" "), body=body
    )
    assert only_blocker(no_reason).reason == Reason.ANONYMOUS_UNAPPROVED

    approved = contested(
        text, attribution("a senior ministry official", "anonymous", approved=True), body=body
    )
    assert evaluate(approved).publishable


def test_an_approved_anonymous_source_still_needs_the_text_to_say_so() -> None:
    body = "Officials met on Monday. The ministry will close two hospitals."
    snapshot = contested(
        "The ministry will close two hospitals",
        attribution("a senior ministry official", "anonymous", approved=True),
        body=body,
    )
    assert only_blocker(snapshot).reason == Reason.NOT_ATTRIBUTED_IN_TEXT

    said = (
        "An official who asked not to be named spoke on Monday. "
        "The ministry will close two hospitals."
    )
    passes = contested(
        "The ministry will close two hospitals",
        attribution("a senior ministry official", "anonymous", approved=True),
        body=said,
    )
    assert evaluate(passes).publishable


def test_a_record_the_text_does_not_show_blocks_with_the_fix_in_words() -> None:
    body = "Mayor Ana Ruiz spoke on Monday. The budget passed. The plan would cut potholes by half."
    snapshot = contested("The plan would cut potholes by half", attribution("Ana Ruiz"), body=body)
    blocker = only_blocker(snapshot)
    assert blocker.reason == Reason.NOT_ATTRIBUTED_IN_TEXT
    assert "add 'according to …'" in blocker.lacks
    assert blocker.holder == REPORTER


def test_the_sentence_before_the_claim_counts() -> None:
    body = "Ana Ruiz spoke on Monday. The plan would cut potholes by half."
    snapshot = contested("The plan would cut potholes by half", attribution("Ana Ruiz"), body=body)
    assert evaluate(snapshot).publishable


def test_a_persons_surname_is_enough() -> None:
    body = "Ruiz said the plan would cut potholes by half."
    snapshot = contested(
        "the plan would cut potholes by half", attribution("Mayor Ana Ruiz"), body=body
    )
    assert evaluate(snapshot).publishable


def test_an_organisations_acronym_counts_only_in_capitals() -> None:
    record = attribution("Inter-Services Intelligence", "organisation", "statement")
    said = "The ISI said the chief had reached Kabul."
    assert evaluate(contested("the chief had reached Kabul", record, body=said)).publishable
    lower = "The isi said the chief had reached Kabul."
    blocker = only_blocker(contested("the chief had reached Kabul", record, body=lower))
    assert blocker.reason == Reason.NOT_ATTRIBUTED_IN_TEXT


def test_a_spokesperson_for_an_organisation_refers_to_it() -> None:
    body = "A Taliban spokesman called it a blatant lie."
    by_affiliation = attribution("Zabihullah Mujahid", affiliation="Taliban", via="statement")
    assert evaluate(contested("called it a blatant lie", by_affiliation, body=body)).publishable
    by_role = attribution("a spokesperson for the Taliban", "organisation", "statement")
    assert evaluate(contested("called it a blatant lie", by_role, body=body)).publishable


def test_the_records_own_span_inside_the_window_counts() -> None:
    body = "Spending will rise by 12 percent, the water authority said."
    start = body.index("the water authority")
    record = attribution(
        "Regional Water Authority of Eastland",
        "organisation",
        "statement",
        start=start,
        end=start + len("the water authority"),
    )
    assert evaluate(contested("Spending will rise by 12 percent", record, body=body)).publishable
    # The same span outside the window does not.
    far = "The water authority met. It was Monday. Spending will rise by 12 percent."
    outside = attribution(
        "Regional Water Authority of Eastland", "organisation", "statement", start=0, end=19
    )
    blocked = contested("Spending will rise by 12 percent", outside, body=far)
    assert only_blocker(blocked).reason == Reason.NOT_ATTRIBUTED_IN_TEXT


def test_verified_and_not_a_claim_need_no_attribution() -> None:
    snapshot = story(
        BODY,
        [
            claim(BODY, "The vote was 7 to 2", "verified"),
            claim(BODY, "Critics doubted that", "not_a_claim"),
        ],
    )
    assert evaluate(snapshot).publishable


def test_every_blocking_claim_is_reported_with_its_own_reason() -> None:
    snapshot = story(
        BODY,
        [
            claim(BODY, "The vote was 7 to 2", "pending", claim_id="c1"),
            claim(BODY, "Critics doubted that", "false", claim_id="c2"),
            claim(BODY, "the plan would cut potholes by half", "contested", claim_id="c3"),
            claim(BODY, "The city council approved the budget on Monday", "verified"),
        ],
    )
    verdict = evaluate(snapshot)
    reasons = {b.claim_id: b.reason for b in verdict.blockers}
    assert reasons == {"c1": Reason.PENDING, "c2": Reason.FALSE, "c3": Reason.NO_ATTRIBUTION}


def test_the_best_record_decides() -> None:
    body = "Ana Ruiz said the plan would cut potholes by half."
    snapshot = contested(
        "the plan would cut potholes by half",
        attribution("sources"),
        attribution("Ana Ruiz", "person", "press_conference"),
        body=body,
    )
    assert evaluate(snapshot).publishable


def test_a_real_story_attributions_are_found_in_its_text() -> None:
    body = STORY.read_text(encoding="utf-8")
    depot = "had struck a weapons depot used by the Free Hills Brigade"
    shelter = "the building was a school being used as a shelter for displaced families"
    deaths = "killed at least 27 people, including 11 children"
    snapshot = story(
        body,
        [
            claim(
                body,
                depot,
                "contested",
                attributions=[attribution("The army", "organisation", "statement")],
            ),
            claim(
                body,
                shelter,
                "contested",
                attributions=[attribution("Free Hills Brigade", "organisation", "statement")],
            ),
            claim(
                body,
                deaths,
                "unverifiable",
                attributions=[attribution("local health officials", "organisation", "statement")],
            ),
        ],
    )
    assert evaluate(snapshot).publishable, evaluate(snapshot).blockers
    # The depot claim attributed to someone the text never names there is blocked.
    elsewhere = story(
        body,
        [claim(body, depot, "contested", attributions=[attribution("Samir Haddad")])],
    )
    assert only_blocker(elsewhere).reason == Reason.NOT_ATTRIBUTED_IN_TEXT


def test_vagueness_and_window_edges() -> None:
    assert is_vague("multiple media reports")
    assert not is_vague("Reuters")
    record = attribution("Ana Ruiz")
    assert not text_attributes(record, "Ana Ruiz said so.", 10, 5)  # an empty window
    assert not text_attributes(record, "Ana Ruiz said so.", 50, 80)  # beyond the body


def test_the_headline_claim_is_attributed_by_the_headline_not_the_body() -> None:
    """The headline's claim has its offsets in the headline: the headline must show readers
    who says it (the body's first sentence is not its context)."""
    headline = "Three dead in warehouse fire: Harlow police"
    body = "Firefighters worked through the night. The cause is not known."
    record = attribution("Harlow police", "organisation", "statement")
    in_headline = claim(headline, headline, "contested", attributions=[record])
    in_headline = in_headline.model_copy(update={"in_headline": True})
    assert evaluate(story(body, [in_headline], headline=headline)).publishable
    elsewhere = in_headline.model_copy(update={"text": "Fire at the warehouse"})
    blocker = only_blocker(story(body, [elsewhere], headline="Fire at the warehouse"))
    assert blocker.reason == Reason.NOT_ATTRIBUTED_IN_TEXT


# --- rule 3 as a checklist (what the reviewers' console shows on a claim's page) ---------


@pytest.mark.parametrize(
    ("records", "reason", "needs"),
    [
        ((), Reason.NO_ATTRIBUTION, set(Need)),
        ((attribution("sources", "organisation", "statement"),), Reason.VAGUE_SOURCE,
         {Need.SOURCE, Need.IN_TEXT}),
        ((attribution("A council insider", "anonymous"),), Reason.ANONYMOUS_UNAPPROVED,
         {Need.APPROVAL, Need.IN_TEXT}),
        ((attribution("A council insider", "anonymous", approved=True),),
         Reason.NOT_ATTRIBUTED_IN_TEXT, {Need.IN_TEXT}),
        ((attribution("Jon Meyer", "person", "interview"),), Reason.NOT_ATTRIBUTED_IN_TEXT,
         {Need.IN_TEXT}),
        ((attribution("sources", "organisation"), attribution("Ana Ruiz", "person")), None,
         set()),
    ],
)  # fmt: skip
def test_the_checklist_names_what_the_gate_blocks_for(
    records: tuple[Attribution, ...], reason: Reason | None, needs: set[Need]
) -> None:
    snapshot = contested("the plan would cut potholes by half", *records)
    check = attribution_check(snapshot.claims[0], snapshot.body)
    assert check.reason == reason
    assert set(check.needs) == needs
    # The checklist and the gate are one rule: the gate blocks for the same reason.
    blockers = evaluate(snapshot).blockers
    assert [b.reason for b in blockers] == ([] if reason is None else [reason])
    assert all(NEED_WORDS[need] for need in needs)
