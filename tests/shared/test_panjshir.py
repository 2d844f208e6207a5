"""The shared development story (Panjshir): detection meets the bar on it, none of its
names or sentences leaked into the rules, and the publish rule finds its attributions in
its text. Run by `make test-shared`."""

from __future__ import annotations

from pathlib import Path

from services.rule.gate import Reason, evaluate
from tests.detection.metrics import evaluate_file
from tests.detection.test_generality import name_leaks, sentence_leaks
from tests.detection.test_quality import THE_BAR
from tests.publish.builders import attribution, claim, story


def test_detection_meets_the_bar_on_the_shared_story(fixtures: Path) -> None:
    fig = evaluate_file("panjshir", fixtures / "panjshir.txt", fixtures / "panjshir.claims.json")
    print()
    print(fig.line())
    for figure, bar in THE_BAR.items():
        assert getattr(fig, figure) >= bar, (figure, fig.misses)


def test_no_name_or_sentence_of_the_shared_story_is_in_the_rules(fixtures: Path) -> None:
    text = [("panjshir", (fixtures / "panjshir.txt").read_text(encoding="utf-8"))]
    assert name_leaks(text) == []
    assert sentence_leaks(text) == []


def test_the_panjshir_story_attributions_are_found_in_its_text(fixtures: Path) -> None:
    body = (fixtures / "panjshir.txt").read_text(encoding="utf-8")
    drones = "Pakistani drones attacked Panjshir using 'smart bombs' on Sunday"
    denial = 'has termed this development as "a blatant lie and sheer propaganda"'
    support = "Islamabad is providing air support to Taliban fighters in Panjshir"
    snapshot = story(
        body,
        [
            claim(
                body,
                drones,
                "contested",
                attributions=[attribution("Zia Arianjad", via="interview")],
            ),
            claim(
                body,
                denial,
                "contested",
                attributions=[attribution("Dr Naeem", via="post", affiliation="Taliban")],
            ),
            claim(
                body,
                support,
                "unverifiable",
                attributions=[attribution("CNN-News18", "media", "report")],
            ),
        ],
    )
    assert evaluate(snapshot).publishable
    # The same drone claim attributed to someone the text never names there is blocked.
    elsewhere = story(
        body,
        [claim(body, drones, "contested", attributions=[attribution("Ahmad Massoud")])],
    )
    verdict = evaluate(elsewhere)
    assert [b.reason for b in verdict.blockers] == [Reason.NOT_ATTRIBUTED_IN_TEXT]
