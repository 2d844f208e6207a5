"""What an operator reads in verify's /metrics: the queue's depth by status (counted in
the store, every status present), the consumer's records under way, and a series for
every outcome of every consumed topic, DLQ included, from the start."""

from __future__ import annotations

from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from services.contracts import ReviewStatus
from tests.verify.support import Newsroom


def samples(newsroom: Newsroom) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with newsroom.stack.client("verify") as client:
        text = client.get("/metrics").text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def pending(found: dict[Any, float]) -> float:
    return found[("newsroom_verify_open_claims", (("status", "pending"),))]


def test_metrics_show_the_queue_depth_the_consumer_and_zero_dlq_series(
    newsroom: Newsroom,
) -> None:
    before = samples(newsroom)
    statuses = {labels for name, labels in before if name == "newsroom_verify_open_claims"}
    assert statuses == {(("status", s.value),) for s in ReviewStatus}
    report = newsroom.submit(newsroom.report())
    story = newsroom.wait_story(report.story_id)
    after = samples(newsroom)
    # Other tests add claims too: at least this story's are counted.
    assert pending(after) >= pending(before) + len(story["claims"])

    topic = "reports.submitted"
    outcomes = {
        dict(labels)["outcome"]
        for name, labels in after
        if name == "newsroom_messages_total" and dict(labels).get("topic") == topic
    }
    assert outcomes == {"ok", "retry", "dlq"}
    groups = {
        dict(labels)["group"] for name, labels in after if name == "newsroom_consumer_in_flight"
    }
    assert "verify" in groups
    backlogs = {
        dict(labels)["group"] for name, labels in after if name == "newsroom_consumer_backlog"
    }
    assert "verify" in backlogs
