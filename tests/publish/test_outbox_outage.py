"""A release made while the broker is down is announced once it is back: the release row
is the outbox, and a worker sends what the broker has not acknowledged.

Runs publish against a broker of its own (the session's store), so stopping that broker
disturbs no other test.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from newsroom import stack as embedded
from services.contracts import Topic
from tests.publish.builders import cleared_story
from tests.publish.servers import VerifyStandIn
from tests.support.infra import Infra
from tests.support.kafka import read_topic
from tests.support.servers import ServiceProcess, api, wait_for
from tests.support.stack import make_users


@pytest.fixture
def lonely(
    infra: Infra, tmp_path: Path
) -> Iterator[tuple[Infra, ServiceProcess, VerifyStandIn, dict[str, str]]]:
    own = Infra(tmp_path)
    own.start_broker()
    base = own.settings(
        publish_port=embedded.free_port(),
        mongo_url=infra.mongo_url,
        store_port=infra.store_port,
        catchup_interval_seconds=0.5,
        webhook_master_key="lonely-key",
    )
    tokens = make_users(base, ("editor", "service"))
    verify = VerifyStandIn(tokens["service"])
    settings = base.model_copy(
        update={"service_token": SecretStr(tokens["service"]), "verify_url": verify.url}
    )
    process = ServiceProcess("publish", settings, tmp_path / "publish.log")
    process.start()
    try:
        yield own, process, verify, tokens
    finally:
        process.stop()
        verify.stop()
        own.stop_broker()


@pytest.mark.faults
def test_a_release_during_a_broker_outage_is_announced_when_it_is_back(lonely) -> None:  # type: ignore[no-untyped-def]
    own, process, verify, tokens = lonely
    settings = process.settings
    snapshot = verify.put(cleared_story())  # reaches publish by catch-up: no broker needed
    with api(process.url, tokens["editor"]) as editor:
        wait_for(
            lambda: editor.get(f"/v1/stories/{snapshot.story_id}/gate").status_code == 200,
            20,
            what="catch-up",
        )
        own.stop_broker()
        released = editor.post(f"/v1/stories/{snapshot.story_id}/publish")
        assert released.status_code == 200, released.text
    # The outbox's first send cannot be acknowledged now. Whether that attempt fails (the
    # row stays unsent and a later pass sends it) or is still waiting when the broker is
    # back, the event must arrive: nothing is lost.
    time.sleep(2.0)
    own.start_broker()  # empty: it forgot every topic and message

    topic = settings.topic(Topic.STORIES_PUBLISHED)

    def mine(records: list) -> list:  # type: ignore[type-arg]
        return [r for r in records if r.key == snapshot.story_id.encode()]

    wait_for(lambda: topic in embedded_topics(own.bootstrap), 90, what="topics recreated")
    records = mine(read_topic(own.bootstrap, topic, lambda r: bool(mine(r)), timeout=90))
    event = json.loads(records[0].value)["data"]
    assert (event["action"], event["story_id"]) == ("published", snapshot.story_id)


def embedded_topics(bootstrap: str) -> set[str]:
    from kafka import KafkaConsumer

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, allow_auto_create_topics=False)
    try:
        return set(consumer.topics())
    except Exception:
        return set()
    finally:
        consumer.close()
