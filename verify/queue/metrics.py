"""Edge: the reviewers' queue depth in ``/metrics``, counted by a background worker.

A scrape never waits on the store: it reads the last counts, with their age
(``newsroom_verify_open_claims_age_seconds``). Counting every open claim on every scrape
timed out on a saturated store and answered the scrape late; now the store is asked at
most once per ``queue_metrics_seconds``, only while something scrapes, and after a
count that took t seconds not again for ``COUNT_REST`` t (a count reads every open
claim); a count that fails leaves the last one standing, older (the age says how much).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.registry import Collector

from services.contracts import ReviewStatus
from services.log import get_logger
from services.runtime import Paced, PeriodicWorker
from verify.queue import service

log = get_logger(__name__)

# The count reads every open claim (the store counts by reading documents): 5 s of the
# store's time at 30,000 open claims, a third of it every 15 s during a burst. After a
# count that took t the next waits 20 t (services.runtime.Paced): at most 1/21 of the
# store, the counts older in proportion (the age gauge says how old).
COUNT_REST = 20.0


class QueueDepth(Collector):
    """The last counts of open claims by status, and when they were made."""

    def __init__(
        self,
        count: Callable[[], dict[str, int]] = service.depth,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._count = count
        self._clock = clock
        self._pace = Paced(0.0, COUNT_REST, clock)  # the worker's interval spaces the rest
        self._lock = threading.Lock()
        self._counts: dict[str, int] | None = None
        self._at = 0.0
        self._scraped = False

    def refresh(self) -> bool:
        """Count in the store (the worker's work; never busy: it waits its interval): once
        at start, then only after a scrape read the counts, so a verify nobody scrapes
        adds no count to its store's load, and only ``COUNT_REST`` times as long after
        the last count as that count took."""
        with self._lock:
            if self._counts is not None and not (self._scraped and self._pace.due()):
                return False
            self._scraped = False
        try:
            counts = self._pace.run(self._count)
        except Exception as exc:  # the last counts stay, and age
            log.warning("queue_depth_unavailable", error=str(exc)[:200])
            return False
        with self._lock:
            self._counts, self._at = counts, self._clock()
        return False

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._lock:
            counts, at = self._counts, self._at
            self._scraped = True
        if counts is None:  # not counted yet since the process started
            return
        family = GaugeMetricFamily(
            "newsroom_verify_open_claims", "Open claims by review status", labels=["status"]
        )
        for status in ReviewStatus:  # every status, zero included
            family.add_metric([status.value], counts.get(status.value, 0))
        yield family
        yield GaugeMetricFamily(
            "newsroom_verify_open_claims_age_seconds",
            "Seconds since newsroom_verify_open_claims was counted in the store",
            value=max(self._clock() - at, 0.0),
        )


DEPTH = QueueDepth()
_registered = False


def install(interval: float) -> PeriodicWorker:
    """Register the counts once per process (tests build several apps in one), and give
    the worker that refreshes them every ``interval`` seconds (the app's runtime runs it)."""
    global _registered
    if not _registered:
        REGISTRY.register(DEPTH)
        _registered = True
    return PeriodicWorker("queue-depth", interval, DEPTH.refresh)
