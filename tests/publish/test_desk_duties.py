"""Who must act on a held story, as the desk says it: from the gate's blockers, each
holder once with what they must do, editors first."""

from __future__ import annotations

from datetime import UTC, datetime

from publish.stories.states import build_row
from publish.ui.view import duties, row_duties
from services.rule.gate import evaluate
from tests.publish.builders import BODY, attribution, claim, story


def test_every_holder_of_a_held_story_is_named_with_what_they_must_do() -> None:
    held = story(
        BODY,
        [
            claim(BODY, "The vote was 7 to 2", "pending", holder="rev-ana"),
            claim(BODY, "Critics doubted that", "pending"),
            claim(BODY, "the plan would cut potholes by half", "contested",
                  attributions=[attribution("A council insider", "anonymous")]),
            claim(BODY, "The city council approved the budget on Monday", "false"),
        ],
    )  # fmt: skip
    verdict = evaluate(held)
    found = duties([
        {"claim_id": b.claim_id, "holder": b.holder, "reason": b.reason.value, "lacks": b.lacks}
        for b in verdict.blockers
    ])  # fmt: skip
    assert [(d.who, d.what) for d in found] == [
        ("An editor", ["1 claim: anonymous source awaiting an editor's approval"]),
        ("The reporter", ["1 claim: found false (the reporter must revise the story)"]),
        ("Reviewer rev-ana", ["1 claim: pending review"]),
        ("A reviewer (from the queue)", ["1 claim: pending review"]),
    ]


def test_a_blocker_of_the_whole_revision_is_said_in_the_gates_words() -> None:
    found = duties([
        {"claim_id": None, "holder": "reviewers", "reason": "claim_list_unconfirmed",
         "lacks": "3 sentences of revision 2 not yet checked for claims"},
    ])  # fmt: skip
    assert [(d.who, d.what) for d in found] == [
        ("A reviewer or an editor", ["3 sentences of revision 2 not yet checked for claims"])
    ]


def test_a_row_says_who_must_act_until_its_story_passes() -> None:
    now = datetime.now(UTC)
    passing = story(BODY, [claim(BODY, "The vote was 7 to 2", "verified")])
    assert row_duties(build_row(passing, evaluate(passing), None, None, now)) == []
    waiting = story(BODY, [claim(BODY, "The vote was 7 to 2", "pending")])
    row = build_row(waiting, evaluate(waiting), None, None, now)
    assert [(d.who, d.what) for d in row_duties(row)] == [
        ("A reviewer (from the queue)", ["1 claim: pending review"])
    ]
