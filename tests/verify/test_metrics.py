"""What an operator reads in verify's /metrics: the queue's depth by status (counted in
the store by a background worker, every status present, with the counts' age), the
consumer's records under way, and a series for every outcome of every consumed topic,
DLQ included, from the start."""

from __future__ import annotations

import threading
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from services.contracts import ReviewStatus
from tests.support.servers import wait_for
from tests.verify.support import Newsroom
from verify.queue.metrics import COUNT_REST, QueueDepth

OPEN = "newsroom_verify_open_claims"
AGE = "newsroom_verify_open_claims_age_seconds"


def samples(newsroom: Newsroom) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with newsroom.stack.client("verify") as client:
        text = client.get("/metrics").text
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def pending(found: dict[Any, float]) -> float:
    return found.get((OPEN, (("status", "pending"),)), -1.0)


def test_metrics_show_the_queue_depth_the_consumer_and_zero_dlq_series(
    newsroom: Newsroom,
) -> None:
    before = wait_for(lambda: (found := samples(newsroom)) and pending(found) >= 0 and found,
                      what="the first count of the queue")  # fmt: skip
    statuses = {labels for name, labels in before if name == OPEN}
    assert statuses == {(("status", s.value),) for s in ReviewStatus}
    assert before[(AGE, ())] >= 0
    report = newsroom.submit(newsroom.report())
    story = newsroom.wait_story(report.story_id)
    # Counted in the background: wait for a count made after the story was stored. Other
    # tests add claims too: at least this story's are counted.
    after = wait_for(
        lambda: (
            (found := samples(newsroom))
            and pending(found) >= pending(before) + len(story["claims"])
            and found
        ),
        what="the story's claims in the queue's depth",
    )

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


def _collected(depth: QueueDepth) -> dict[str, float]:
    return {
        f"{s.name}{s.labels.get('status', '')}": s.value
        for family in depth.collect()
        for s in family.samples
    }


def test_a_scrape_answers_the_last_counts_while_a_count_hangs_in_the_store() -> None:
    """A saturated store held every scrape as long as the count took (or until it timed
    out, with no depth at all): a scrape now reads the last counts, never the store."""
    calls = 0
    release = threading.Event()

    def count() -> dict[str, int]:
        nonlocal calls
        calls += 1
        if calls > 1:  # the second count hangs, as on a saturated store
            release.wait(120)
        return {"pending": 3 * calls}

    now = [100.0]
    depth = QueueDepth(count, clock=lambda: now[0])
    depth.refresh()
    _collected(depth)  # a scrape: the next refresh counts again
    counting = threading.Thread(target=depth.refresh, daemon=True)
    counting.start()
    wait_for(lambda: calls == 2, what="the second count to begin")
    now[0] = 107.5
    scraped: list[dict[str, float]] = []
    scrape = threading.Thread(target=lambda: scraped.append(_collected(depth)), daemon=True)
    scrape.start()
    scrape.join(60)  # not a speed test: without the cache it would wait for release
    try:
        assert scraped, "the scrape waited on the count"
        assert scraped[0][f"{OPEN}pending"] == 3
        assert scraped[0][f"{OPEN}verified"] == 0
        assert scraped[0][AGE] == 7.5
    finally:
        release.set()
        counting.join(60)
    assert _collected(depth)[f"{OPEN}pending"] == 6


def test_a_failed_count_keeps_the_last_counts_and_their_age_grows() -> None:
    results: list[Any] = [{"pending": 2, "false": 1}, RuntimeError("store timed out")]

    def count() -> dict[str, int]:
        result = results.pop(0)
        if isinstance(result, Exception):
            raise result
        return dict(result)

    now = [10.0]
    depth = QueueDepth(count, clock=lambda: now[0])
    assert _collected(depth) == {}  # nothing counted yet: no depth, rather than zeros
    depth.refresh()
    _collected(depth)
    now[0] = 40.0
    depth.refresh()
    found = _collected(depth)
    assert found[f"{OPEN}pending"] == 2
    assert found[f"{OPEN}false"] == 1
    assert found[AGE] == 30.0


def test_the_store_is_counted_again_only_after_a_scrape() -> None:
    """Once at start, then only while something reads the counts: a verify nobody scrapes
    adds nothing to its store's load."""
    calls = 0

    def count() -> dict[str, int]:
        nonlocal calls
        calls += 1
        return {"pending": calls}

    depth = QueueDepth(count, clock=lambda: 0.0)
    depth.refresh()
    depth.refresh()
    assert calls == 1
    assert _collected(depth)[f"{OPEN}pending"] == 1
    depth.refresh()
    depth.refresh()
    assert calls == 2
    assert _collected(depth)[f"{OPEN}pending"] == 2


def test_a_count_that_took_long_is_not_made_again_until_it_rested_in_proportion() -> None:
    """A count reads every open claim: during a burst it took the store longer the more
    claims were stored, and came every 15 s all the same (over half the store's samples).
    After a count that took t, the next waits ``COUNT_REST`` times t, scrapes or not."""
    now = [0.0]
    calls = 0

    def count() -> dict[str, int]:
        nonlocal calls
        calls += 1
        now[0] += 4.0  # the store took 4 s to count
        return {"pending": calls}

    depth = QueueDepth(count, clock=lambda: now[0])
    depth.refresh()
    assert calls == 1
    now[0] += 15.0  # the worker's next tick, after a scrape
    _collected(depth)
    depth.refresh()
    assert calls == 1
    now[0] = 4.0 + 4.0 * COUNT_REST  # rested 20 times as long as the count took
    _collected(depth)
    depth.refresh()
    assert calls == 2
    assert _collected(depth)[f"{OPEN}pending"] == 2
