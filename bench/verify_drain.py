"""Verify alone, draining a backlog: stories/s from ``reports.submitted`` to stored claims
and receipts, beside detection alone on the same cores with the same number of processes.

A quick figure apart from ``make bench`` (which runs the whole pipeline): its own broker and
store on free ports, one verify process, ``N`` reports of 3 KB queued before verify starts,
timed from verify's first stored revision to its last receipt.

    .venv/bin/python -m bench.verify_drain [N]
"""

from __future__ import annotations

import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from pymongo import MongoClient

from bench.stories import body_of
from services.bus import EventProducer, TopicAdmin, topic_names
from services.contracts import ReportSubmitted, Topic
from services.settings import Settings
from tests.support.infra import Infra
from tests.support.servers import ServiceProcess
from verify.detection import detect_claims


def queue_reports(settings: Settings, n: int) -> None:
    """Put ``n`` 3 KB reports on ``reports.submitted``, acknowledged, before verify starts."""
    admin = TopicAdmin(settings)
    admin.ensure(topic_names(settings))
    producer = EventProducer(settings, source="/newsroom/bench", admin=admin)
    reports = new_reports(n)
    messages = [producer.message(Topic.REPORTS_SUBMITTED, r, key=r.story_id) for r in reports]
    assert all(producer.send_all(messages, timeout=60))
    producer.close()
    admin.close()


def new_reports(n: int) -> list[ReportSubmitted]:
    now = datetime.now(UTC)
    return [
        ReportSubmitted(
            report_id=f"r_{uuid.uuid4().hex}",
            story_id=f"s_{uuid.uuid4().hex}",
            revision=1,
            reporter_id="u_bench",
            byline="Bench",
            headline=f"Bench story {k}",
            body=body_of(k),
            section="world",
            accepted_at=now,
        )
        for k in range(n)
    ]


def _detect(body: str) -> int:
    return len(detect_claims(body))


def detection_alone(bodies: list[str], processes: int) -> float:
    """Stories/s of detection alone in ``processes`` processes (after a warm-up)."""
    with ProcessPoolExecutor(processes) as pool:
        list(pool.map(_detect, bodies[: processes * 2]))
        started = time.monotonic()
        list(pool.map(_detect, bodies, chunksize=8))
        return len(bodies) / (time.monotonic() - started)


DEADLINE = 240.0  # seconds from the first stored revision


def verify_drain(
    n: int, root: Path, on_start: Callable[[dict[str, int]], object] | None = None
) -> tuple[float, float]:
    """(stories/s, claims per story) of one verify process draining ``n`` queued reports
    (or as many as it stores in ``DEADLINE`` seconds: the rate is the same figure);
    ``on_start`` gets verify's and the store's pids once verify stored its first revision."""
    infra = Infra(root)
    infra.start_broker()
    infra.start_store()
    try:
        settings = infra.settings(log_format="json")
        queue_reports(settings, n)
        verify = ServiceProcess("verify", settings, root / "verify.log")
        revisions = MongoClient(settings.mongo_url)[settings.database("verify")]["revisions"]
        verify.start()
        try:
            while revisions.count_documents({}) == 0:
                time.sleep(0.05)
            started = time.monotonic()
            if on_start is not None and verify.process and infra.store:
                on_start({"verify": verify.process.pid, "store": infra.store.pid})
            # Counted once a second: a count is work for the store being measured.
            while (done := revisions.count_documents({})) < n:
                if time.monotonic() - started > DEADLINE:
                    print(f"    {done} of {n} stored in {DEADLINE:.0f} s: the rate so far")
                    break
                time.sleep(1.0)
            elapsed = time.monotonic() - started
            claims = revisions.database["claims"].count_documents({})
            return done / elapsed, claims / max(done, 1)
        finally:
            verify.stop()
    finally:
        infra.stop()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 600
    with tempfile.TemporaryDirectory(prefix="verify-drain-") as tmp:
        rate, claims = verify_drain(n, Path(tmp))
    try:
        from verify.consumer import detection_processes  # type: ignore[attr-defined]

        processes = detection_processes()
    except ImportError:  # before the pool: one report at a time in one process
        processes = 1
    alone = detection_alone([body_of(k) for k in range(n)], processes)
    print(f"verify drained {n} reports of 3 KB ({claims:.1f} claims each): {rate:.1f} stories/s")
    print(f"detection alone, {processes} process(es): {alone:.1f} stories/s")
    print(f"ratio: {rate / alone:.2f}")


if __name__ == "__main__":
    main()
