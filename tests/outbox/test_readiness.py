"""Readiness of a consumer loop: idle is ready; work it cannot finish is not."""

from __future__ import annotations

from datetime import UTC, datetime

from services.bus import ConsumerLoop, EventProducer, Received, TopicAdmin
from services.contracts import CloudEvent, ReportReceived, Topic
from services.errors import RetryableError
from tests.support.infra import Infra
from tests.support.servers import wait_for


def test_a_consumer_that_cannot_finish_its_work_is_not_ready(infra: Infra) -> None:
    settings = infra.settings(readiness_stall_seconds=2.0)
    admin = TopicAdmin(settings)
    producer = EventProducer(settings, source="/newsroom/test", admin=admin)
    attempts: list[str] = []

    def handler(event: CloudEvent, received: Received) -> None:
        attempts.append(event.id)
        raise RetryableError("the store is not answering")

    loop = ConsumerLoop(settings=settings, topics=[Topic.REPORTS_RECEIVED], group="stall-test",
                        handler=handler, producer=producer, admin=admin)  # fmt: skip
    loop.start()
    try:
        # Idle for longer than the bound: polls that find nothing are progress.
        wait_for(lambda: loop.progress.stalled_for() < 1.0 and loop.running, 60, what="polling")
        assert loop.health() is None
        receipt = ReportReceived(report_id="r_1", story_id="s_1", revision=1, claims=0,
                                 received_at=datetime.now(UTC))  # fmt: skip
        producer.send(producer.message(Topic.REPORTS_RECEIVED, receipt, key="s_1"))
        wait_for(lambda: attempts, 60, what="the message reached the handler")
        problem = wait_for(loop.health, 30, what="the loop reported no progress")
        assert "no progress" in problem
    finally:
        loop.stop()
        producer.close()
        admin.close()
