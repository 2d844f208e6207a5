"""Edge: the reviewers' queue depth in ``/metrics``, counted in the store when scraped."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.registry import Collector

from services.contracts import ReviewStatus
from services.log import get_logger
from verify.queue import repository

log = get_logger(__name__)


class QueueDepth(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "newsroom_verify_open_claims", "Open claims by review status", labels=["status"]
        )
        try:
            counts = repository.depth()
        except Exception as exc:  # a scrape while the store is down answers the rest
            log.warning("queue_depth_unavailable", error=str(exc)[:200])
            return
        for status in ReviewStatus:  # every status, zero included
            family.add_metric([status.value], counts.get(status.value, 0))
        yield family


_registered = False


def install() -> None:
    """Register once per process (tests build several apps in one)."""
    global _registered
    if not _registered:
        REGISTRY.register(QueueDepth())
        _registered = True
