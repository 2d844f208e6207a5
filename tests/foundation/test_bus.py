"""The bus against the real broker: delivery across services, the DLQ, redelivery."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import structlog
from prometheus_client import REGISTRY

from services.bus import ConsumerLoop, Outgoing, Received
from services.bus.batch import BatchConsumerLoop
from services.contracts import CloudEvent, ReportReceived, ReportSubmitted, Topic, dlq_of
from services.log import bind_trace, traceparent_of
from services.runtime import Runtime
from services.settings import Settings
from tests.support.infra import Infra
from tests.support.kafka import header, raw_produce, read_topic
from tests.support.logs import captured
from tests.support.servers import wait_for

HERE = Path(__file__).parent


def a_report(n: int = 1) -> ReportSubmitted:
    return ReportSubmitted(
        report_id=f"r_{n}", story_id=f"s_{n}", revision=1, reporter_id="u_1", byline="A. Reporter",
        headline="Council approves budget", body="The council approved the budget on Monday.",
        section="local", accepted_at=datetime.now(UTC),
    )  # fmt: skip


def collecting_loop(settings: Settings, runtime: Runtime, topic: Topic, group: str):  # type: ignore[no-untyped-def]
    seen: queue.Queue[tuple[CloudEvent, Received, str | None]] = queue.Queue()

    def handle(event: CloudEvent, received: Received) -> None:
        trace = structlog.contextvars.get_contextvars().get("trace_id")
        seen.put((event, received, trace))

    loop = ConsumerLoop(
        settings=settings, topics=[topic], group=group, handler=handle,
        producer=runtime.producer, admin=runtime.admin,
    )  # fmt: skip
    return loop, seen


def test_an_event_from_one_service_reaches_another_services_loop(infra: Infra) -> None:
    settings = infra.settings()
    ingest, verify = Runtime(settings, "ingest"), Runtime(settings, "verify")
    loop, seen = collecting_loop(settings, verify, Topic.REPORTS_SUBMITTED, "verify")
    loop.start()
    try:
        trace = bind_trace("4bf92f3577b34da6a3ce929d0e0e4736")
        report = a_report()
        ingest.producer.send(
            ingest.producer.message(Topic.REPORTS_SUBMITTED, report, key=report.story_id)
        )
        event, received, seen_trace = seen.get(timeout=30)
        assert event.source == "/newsroom/ingest"
        assert event.type == "org.newsroom.report.submitted"
        assert event.payload() == report
        assert received.key == report.story_id
        assert received.topic == "reports.submitted"
        # The trace id crosses the broker in the headers and is bound again in the consumer.
        assert seen_trace == trace
    finally:
        structlog.contextvars.clear_contextvars()
        loop.stop()
        ingest.close()
        verify.close()


def test_a_consumer_asks_the_broker_to_hold_an_empty_fetch_only_briefly(infra: Infra) -> None:
    """Tansu held empty fetches for kafka-python's default 500 ms in the pipeline, and a
    record waited for the next one (DEVELOPERS.md): every loop asks for the setting's
    bound instead, whose default is a tenth of that."""
    settings = infra.settings()
    assert Settings.model_fields["consumer_fetch_wait_ms"].default <= 50
    runtime = Runtime(settings, "verify")
    loop, _ = collecting_loop(settings, runtime, Topic.REPORTS_SUBMITTED, "fetch-wait")
    consumer = loop._consumer()
    try:
        assert consumer.config["fetch_max_wait_ms"] == settings.consumer_fetch_wait_ms
    finally:
        consumer.close()
        runtime.close()


def test_a_poison_message_goes_to_the_dlq_and_the_next_good_one_is_processed(infra: Infra) -> None:
    settings = infra.settings()
    runtime = Runtime(settings, "ingest")
    loop, seen = collecting_loop(settings, runtime, Topic.REPORTS_RECEIVED, "ingest")
    loop.start()
    try:
        topic = settings.topic(Topic.REPORTS_RECEIVED)
        runtime.admin.ensure([topic, dlq_of(topic)])
        good = ReportReceived(
            report_id="r_9", story_id="s_9", revision=1, claims=3, received_at=datetime.now(UTC)
        )
        message = runtime.producer.message(Topic.REPORTS_RECEIVED, good, key="s_9")
        raw_produce(infra.bootstrap, topic, [b"{not json at all", message.value], key=b"s_9")

        event, _, _ = seen.get(timeout=30)
        assert event.payload() == good
        assert seen.empty()  # the poison was never handed to the handler

        dead = read_topic(infra.bootstrap, dlq_of(topic), lambda records: len(records) >= 1)
        assert dead[0].value == b"{not json at all"
        assert header(dead[0], "dlq.reason") == "not_json"
        assert header(dead[0], "dlq.topic") == topic
        assert header(dead[0], "dlq.offset") == "0"
    finally:
        loop.stop()
        runtime.close()


class Instant:
    """A batch strategy with nothing to prepare and nothing to write together."""

    def __init__(self) -> None:
        self.handled: queue.Queue[CloudEvent] = queue.Queue()

    def prepare(self, events: list[CloudEvent]) -> list[Future[Any]]:
        futures: list[Future[Any]] = [Future() for _ in events]
        for future in futures:
            future.set_result(None)
        return futures

    def write(self, events: list[CloudEvent], prepared: list[Any]) -> list[Any]:
        return prepared

    def handle(self, event: CloudEvent, prepared: Any) -> list[Outgoing]:
        self.handled.put(event)
        return []

    def heavy(self, event: CloudEvent, prepared: Any) -> bool:
        return False

    def finished(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.mark.parametrize("batch", [False, True], ids=["one-at-a-time", "batch"])
def test_a_dead_lettered_message_is_named_on_its_log_line(infra: Infra, batch: bool) -> None:
    """``message_dead_lettered`` says which message went (logical topic, partition,
    offset) and its trace when it came with one, in either loop: the batch loop sends a
    message it cannot decode to the DLQ with nothing of it bound to the log context, and
    its lines (ingest's, verify's) named neither."""
    settings = infra.settings()
    runtime = Runtime(settings, "ingest")
    topic = Topic.REPORTS_RECEIVED
    physical = settings.topic(topic)
    runtime.admin.ensure([physical, dlq_of(physical)])
    handled: queue.Queue[CloudEvent] = queue.Queue()
    loop: ConsumerLoop
    if batch:
        strategy = Instant()
        handled = strategy.handled
        loop = BatchConsumerLoop(
            settings=settings, topics=[topic], group="dlq-lines", strategy=strategy,
            max_in_flight=50, producer=runtime.producer, admin=runtime.admin,
        )  # fmt: skip
    else:
        loop = ConsumerLoop(
            settings=settings, topics=[topic], group="dlq-lines",
            handler=lambda event, _: handled.put(event),
            producer=runtime.producer, admin=runtime.admin,
        )  # fmt: skip
    trace = "0af7651916cd43dd8448eb211c80319c"
    good = ReportReceived(
        report_id="r_8", story_id="s_8", revision=1, claims=1, received_at=datetime.now(UTC)
    )
    with captured() as logs:
        loop.start()
        try:
            traced = [("traceparent", traceparent_of(trace).encode())]
            raw_produce(infra.bootstrap, physical, [b"not json"], key=b"s_8", headers=traced)
            raw_produce(infra.bootstrap, physical, [b"not json either"], key=b"s_8")
            message = runtime.producer.message(topic, good, key="s_8")
            raw_produce(infra.bootstrap, physical, [message.value], key=b"s_8")
            assert handled.get(timeout=30).payload() == good
            dead = read_topic(infra.bootstrap, dlq_of(physical), lambda r: len(r) >= 2)
            lines = logs.wait("message_dead_lettered", 2, topic=topic.value)
        finally:
            loop.stop()
            runtime.close()
    dead_at = {(header(r, "dlq.partition"), header(r, "dlq.offset")) for r in dead}
    assert {(str(line["partition"]), str(line["offset"])) for line in lines} == dead_at
    by_offset = {line["offset"]: line for line in lines}
    assert by_offset[0]["reason"] == by_offset[1]["reason"] == "not_json"
    assert by_offset[0]["trace_id"] == trace
    if batch:  # nothing bound: no trace it did not come with
        assert "trace_id" not in by_offset[1]


def test_a_consumer_killed_before_committing_gets_the_message_again(
    infra: Infra, tmp_path: Path
) -> None:
    settings = infra.settings()
    runtime = Runtime(settings, "ingest")
    runtime.admin.ensure([settings.topic(Topic.REPORTS_SUBMITTED)])
    report = a_report(7)
    runtime.producer.send(runtime.producer.message(Topic.REPORTS_SUBMITTED, report, key="s_7"))

    # A separate process consumes in group "verify", notes the message, and hangs in the
    # handler: it never commits. We SIGKILL it there.
    marker = tmp_path / "seen.txt"
    env = {**os.environ, "TEST_SETTINGS": settings.model_dump_json(), "TEST_MARKER": str(marker)}
    child = subprocess.Popen([sys.executable, str(HERE / "hanging_consumer.py")], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            assert child.poll() is None, "the hanging consumer exited early"
            time.sleep(0.2)
        assert marker.read_text() == "r_7"
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()

    loop, seen = collecting_loop(settings, runtime, Topic.REPORTS_SUBMITTED, "verify")
    loop.start()
    try:
        event, _, _ = seen.get(timeout=60)
        assert event.payload() == report
    finally:
        loop.stop()
        runtime.close()


def test_a_groups_backlog_is_in_the_metrics_until_it_is_worked_off(infra: Infra) -> None:
    """The backlog comes from the member's own counters and the fetches' high watermark
    (the embedded broker's end offsets are wrong): 30 records queued show as 30 while the
    handler is held on the first, and as 0 once all are committed."""
    settings = infra.settings()
    runtime = Runtime(settings, "verify")
    topic = Topic.REPORTS_SUBMITTED
    runtime.admin.ensure([settings.topic(topic)])
    reports = [a_report(n) for n in range(30)]
    runtime.producer.send_all(
        [runtime.producer.message(topic, r, key="one-partition") for r in reports]
    )
    release = threading.Event()
    handled: list[str] = []

    def handle(event: CloudEvent, received: Received) -> None:
        release.wait(60)
        handled.append(received.key or "")

    group = "backlog-probe"
    loop = ConsumerLoop(
        settings=settings, topics=[topic], group=group, handler=handle,
        producer=runtime.producer, admin=runtime.admin,
    )  # fmt: skip

    def backlog() -> float | None:
        return REGISTRY.get_sample_value("newsroom_consumer_backlog", {"group": group})

    assert backlog() == 0  # a series from the start
    loop.start()
    try:
        wait_for(lambda: backlog() == 30, 60, what="the 30 queued records in the backlog")
        release.set()
        wait_for(lambda: len(handled) == 30 and backlog() == 0, 60, what="the backlog worked off")
    finally:
        release.set()
        loop.stop()
        runtime.close()
