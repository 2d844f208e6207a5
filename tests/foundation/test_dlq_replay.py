"""A DLQ's records shown and replayed (``newsroom dlq``, ``services/bus/dlq.py``), against
the real broker: a "bad deploy" refuses events, the fix is deployed, replay sends them
back in order with their key and trace, once, and a record that fails again goes back
to the DLQ."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
from datetime import UTC, datetime

import structlog

from services.bus import ConsumerLoop, Received
from services.bus.dlq import REPLAYED_FROM, DeadLetters
from services.contracts import CloudEvent, ReportReceived, Topic, dlq_of
from services.errors import InvalidMessage
from services.log import bind_trace
from services.runtime import Runtime
from services.settings import Settings
from tests.support.infra import Infra
from tests.support.kafka import header, raw_produce, read_topic
from tests.support.servers import settings_env

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def receipt(n: int) -> ReportReceived:
    return ReportReceived(
        report_id=f"r_{n}", story_id="s_1", revision=n, claims=1, received_at=datetime.now(UTC)
    )


class Deploy:
    """A consumer of reports.received whose handler is first an old release that does not
    know the event type, then the fixed one, which records what it was handed."""

    def __init__(self, settings: Settings, runtime: Runtime) -> None:
        self.fixed = False
        self.seen: queue.Queue[tuple[CloudEvent, Received, str | None]] = queue.Queue()
        self.loop = ConsumerLoop(
            settings=settings, topics=[Topic.REPORTS_RECEIVED], group="ingest",
            handler=self.handle, producer=runtime.producer, admin=runtime.admin,
        )  # fmt: skip

    def handle(self, event: CloudEvent, received: Received) -> None:
        if not self.fixed:
            raise InvalidMessage("unknown_type", f"event type {event.type!r}")
        trace = structlog.contextvars.get_contextvars().get("trace_id")
        self.seen.put((event, received, trace))


def dlq_records(infra: Infra, settings: Settings, count: int) -> list:  # type: ignore[type-arg]
    dlq = dlq_of(settings.topic(Topic.REPORTS_RECEIVED))
    return read_topic(infra.bootstrap, dlq, lambda records: len(records) >= count)


def test_replay_sends_what_a_bad_deploy_refused_back_in_order_once(infra: Infra) -> None:
    settings = infra.settings()
    runtime = Runtime(settings, "verify")
    deploy = Deploy(settings, runtime)
    deploy.loop.start()
    letters = DeadLetters(settings, Topic.REPORTS_RECEIVED)
    try:
        topic = settings.topic(Topic.REPORTS_RECEIVED)
        runtime.admin.ensure([topic, dlq_of(topic)])
        bind_trace(TRACE)
        sent = [runtime.producer.message(Topic.REPORTS_RECEIVED, receipt(n), key="s_1")
                for n in (1, 2, 3)]  # fmt: skip
        runtime.producer.send_all(sent)
        structlog.contextvars.clear_contextvars()
        raw_produce(infra.bootstrap, topic, [b"{not json"], key=b"s_2")  # real poison
        refused = dlq_records(infra, settings, 4)
        assert sorted(header(r, "dlq.reason") or "" for r in refused) == [
            "not_json", "unknown_type", "unknown_type", "unknown_type",
        ]  # fmt: skip

        deploy.fixed = True  # the fix is deployed
        dry = letters.replay(runtime.producer, reason="unknown_type", dry_run=True)
        assert (dry.sent, dry.skipped_reason) == (3, 1)
        assert deploy.seen.empty()  # a dry run sends nothing...
        first = letters.replay(runtime.producer, reason="unknown_type")
        assert (first.sent, first.skipped_reason) == (3, 1)  # ...and records nothing

        got = [deploy.seen.get(timeout=30) for _ in range(3)]
        # In order, with their key, their trace and their own event ids.
        assert [e.id for e, _, _ in got] == [json.loads(m.value)["id"] for m in sent]
        assert {(r.key, trace) for _, r, trace in got} == {("s_1", TRACE)}

        again = letters.replay(runtime.producer, reason="unknown_type")
        assert again.sent == 0
        everything = letters.replay(runtime.producer)
        # What replay sent before counts as sent; the poison goes again, and fails again.
        assert (everything.sent, everything.already) == (1, 3)
        back = dlq_records(infra, settings, 5)[-1]
        assert back.value == b"{not json"
        assert header(back, "dlq.reason") == "not_json"
        assert header(back, REPLAYED_FROM) == f"{dlq_of(topic)}:{refused[-1].offset}"

        # A sentinel behind the replayed ones on their partition: once it is handled,
        # anything sent twice would have been handled before it.
        sentinel = runtime.producer.message(Topic.REPORTS_RECEIVED, receipt(9), key="s_1")
        runtime.producer.send(sentinel)
        event, _, _ = deploy.seen.get(timeout=30)
        assert event.id == json.loads(sentinel.value)["id"]
        assert deploy.seen.empty()
        # The re-sent records carry no dlq.* header, and say where they came from.
        replayed = read_topic(
            infra.bootstrap, topic,
            lambda records: sum(header(r, REPLAYED_FROM) is not None for r in records) >= 4,
        )  # fmt: skip
        for record in (r for r in replayed if header(r, REPLAYED_FROM) is not None):
            assert not [k for k, _ in record.headers if k.startswith("dlq.")]
    finally:
        letters.close()
        deploy.loop.stop()
        runtime.close()


def newsroom(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsroom", "dlq", *args],
        env={**os.environ, **settings_env(settings)},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_command_shows_and_replays_and_refuses_what_it_cannot_do(infra: Infra) -> None:
    settings = infra.settings()
    runtime = Runtime(settings, "verify")
    try:
        topic = settings.topic(Topic.REPORTS_RECEIVED)
        runtime.admin.ensure([topic, dlq_of(topic)])
        event = runtime.producer.message(Topic.REPORTS_RECEIVED, receipt(1), key="s_1")
        dead = [
            ("dlq.reason", b"unknown_type"), ("dlq.detail", b"event type"),
            ("dlq.topic", topic.encode()), ("dlq.at", b"2026-12-05T01:02:03+00:00"),
        ]  # fmt: skip
        raw_produce(infra.bootstrap, dlq_of(topic), [event.value], b"s_1", event.headers + dead)

        shown = newsroom(settings, "show", "reports.received", "--json")
        assert shown.returncode == 0, shown.stderr
        (line,) = shown.stdout.splitlines()
        record = json.loads(line)
        assert record["event_type"] == "org.newsroom.report.received"
        assert record["event_id"] == json.loads(event.value)["id"]
        assert (record["reason"], record["key"], record["replayed"]) == (
            "unknown_type",
            "s_1",
            False,
        )
        assert record["at"] == "2026-12-05T01:02:03+00:00"

        done = newsroom(settings, "replay", "reports.received.dlq", "--limit", "5")
        assert done.returncode == 0, done.stderr
        assert "Sent 1 record(s)" in done.stdout
        back = read_topic(infra.bootstrap, topic, lambda records: len(records) >= 1)
        assert back[0].value == event.value
        assert json.loads(newsroom(settings, "show", "reports.received", "--json").stdout)[
            "replayed"
        ]

        past = newsroom(settings, "show", "reports.received", "--from", "5")
        assert past.returncode == 0
        assert past.stdout == ""
        assert "0 record(s)" in past.stderr
        unknown = newsroom(settings, "show", "reports.nope")
        assert unknown.returncode == 2
        assert "unknown topic" in unknown.stderr
        bad = newsroom(settings, "replay", "reports.received", "--reason", "x;y")
        assert bad.returncode == 2
        assert "bad reason" in bad.stderr
        over = newsroom(settings, "replay", "reports.received", "--limit", "0")
        assert over.returncode == 2
        down = settings.model_copy(update={"kafka_bootstrap": "127.0.0.1:1"})
        gone = newsroom(down, "show", "reports.received")
        assert gone.returncode == 3
        assert "does not answer" in gone.stderr
        assert "Traceback" not in gone.stderr
        assert "ECONNREFUSED" not in gone.stderr
    finally:
        runtime.close()


def test_a_record_the_dlq_kept_truncated_is_not_sent(infra: Infra) -> None:
    """Over 512 KiB, a DLQ keeps the start of a value (``ConsumerLoop.to_dlq``): sending
    that back would hand consumers a cut event, so replay passes over it and says so."""
    settings = infra.settings()
    runtime = Runtime(settings, "verify")
    letters = DeadLetters(settings, Topic.REPORTS_RECEIVED)
    try:
        topic = settings.topic(Topic.REPORTS_RECEIVED)
        runtime.admin.ensure([topic, dlq_of(topic)])
        cut = [("dlq.reason", b"not_json"), ("dlq.truncated", b"900000")]
        raw_produce(infra.bootstrap, dlq_of(topic), [b'{"specversion": "1.0", "id'], b"s_1", cut)
        result = letters.replay(runtime.producer)
        assert (result.sent, result.unreplayable) == (0, 1)
        (shown,) = list(letters.read())
        assert shown.truncated
    finally:
        letters.close()
        runtime.close()
