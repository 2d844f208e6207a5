"""A snapshot judged by the publish rule, as the events say it: ``cleared`` means the
revision passes the whole rule (the reporter's word for it), ``held`` says why not."""

from __future__ import annotations

from services.contracts import StoryReviewed
from services.rule.gate import evaluate, held


def judged(snapshot: StoryReviewed) -> StoryReviewed:
    verdict = evaluate(snapshot)
    return snapshot.model_copy(update={"cleared": verdict.publishable, "held": held(verdict)})
