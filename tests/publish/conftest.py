"""Fixtures for publish's tests.

``solo``: publish run as a real process (``newsroom serve publish``) on the session's
broker and store, with its own topics and databases, short webhook backoff, and verify's
HTTP played by :class:`VerifyStandIn` so a test controls exactly what verify answers at
the moment of release. Everything else is real: Kafka, MongoDB, HTTP, the webhook
receiver. The session ``stack`` (with the real verify) is used for end-to-end tests.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from newsroom import stack as embedded
from services.bus import EventProducer, TopicAdmin
from services.contracts import StoryReviewed, Topic
from services.settings import DEFAULT_SECTIONS, Settings
from tests.publish.servers import VerifyStandIn, WebhookReceiver
from tests.support.infra import Infra
from tests.support.kafka import story_behind
from tests.support.servers import ServiceProcess, api
from tests.support.stack import make_users

ROLES = ("reporter", "reviewer", "editor", "admin", "service")
PUBLIC_URL = "https://news.solo.example/desk"
# Sections of their own let tests read a feed no other test writes to.
TEST_SECTIONS = tuple(f"t{i}" for i in range(60))


@dataclass
class Solo:
    settings: Settings
    verify: VerifyStandIn
    receiver: WebhookReceiver
    process: ServiceProcess
    tokens: dict[str, str]
    producer: EventProducer
    sections: list[str] = field(default_factory=lambda: list(TEST_SECTIONS))

    @property
    def url(self) -> str:
        return self.settings.url_of("publish")

    @property
    def public_url(self) -> str:
        """What readers are given in links (feeds, pages, ninjs)."""
        return self.settings.public_url_of("publish")

    def local(self, public_link: str) -> str:
        """A public link as a path on this process (the proxy's job in production)."""
        assert public_link.startswith(self.public_url), public_link
        return public_link.removeprefix(self.public_url)

    def client(self, role: str | None = None) -> httpx.Client:
        return api(self.url, self.tokens[role] if role else None)

    def section(self) -> str:
        """A section no other test uses."""
        return self.sections.pop(0)

    def reviewed(
        self, snapshot: StoryReviewed, *, event: bool = True, trace_id: str | None = None
    ) -> StoryReviewed:
        """Verify now says ``snapshot``; with ``event``, it also announces it on the bus
        (with ``trace_id``'s traceparent, as verify's outbox sends it)."""
        self.verify.put(snapshot)
        if event:
            message = self.producer.message(
                Topic.STORIES_REVIEWED, snapshot, key=snapshot.story_id, trace_id=trace_id
            )
            self.producer.send(message)
        return snapshot

    def behind(self, story_id: str) -> str:
        """A new story id whose events share ``story_id``'s partition (kafka-python's
        default partitioner: murmur2 of the key), so they are consumed after its events:
        a marker that proves publish has handled everything sent before it."""
        return story_behind(story_id, self.settings.topic_partitions)

    def gate(self, story_id: str, version: int, timeout: float = 30.0) -> dict[str, Any]:
        """The gate once publish has seen ``version`` of the story."""
        deadline = time.monotonic() + timeout
        last: Any = None
        with self.client("editor") as client:
            while time.monotonic() < deadline:
                response = client.get(f"/v1/stories/{story_id}/gate")
                if response.status_code == 200 and response.json()["version"] >= version:
                    return dict(response.json())
                last = response.text
                time.sleep(0.1)
        raise AssertionError(f"publish never showed version {version} of {story_id}: {last}")


@contextlib.contextmanager
def running_solo(infra: Infra, folder: Path) -> Iterator[Solo]:
    """A publish process of its own (with its own topics, databases and stand-ins)."""
    port = embedded.free_port()
    base = infra.settings(
        publish_port=port,
        webhook_master_key="solo-webhook-master-key",
        webhook_backoff_seconds=0.2,
        webhook_max_attempts=4,
        webhook_timeout_seconds=2.0,
        catchup_interval_seconds=1.0,
        feed_page_size=3,
        sections=DEFAULT_SECTIONS + TEST_SECTIONS,
        newsroom_name="Solo Newsroom",
        # Readers reach publish through a proxy: every link must use this, never the port.
        public_publish_url=PUBLIC_URL,
    )
    tokens = make_users(base, ROLES)
    verify = VerifyStandIn(tokens["service"])
    settings = base.model_copy(
        update={"service_token": SecretStr(tokens["service"]), "verify_url": verify.url}
    )
    process = ServiceProcess("publish", settings, folder / "publish.log")
    process.start()
    producer = EventProducer(settings, "/tests/publish", TopicAdmin(settings))
    receiver = WebhookReceiver()
    try:
        yield Solo(settings, verify, receiver, process, tokens, producer)
    finally:
        producer.close()
        process.stop()
        verify.stop()
        receiver.stop()


@pytest.fixture(scope="session")
def solo(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Solo]:
    """The publish process most tests share: none of them restarts it."""
    with running_solo(infra, tmp_path_factory.mktemp("solo")) as shared:
        yield shared


@pytest.fixture
def own_solo(infra: Infra, tmp_path: Path) -> Iterator[Solo]:
    """A publish process for one test alone, which it may kill and restart."""
    with running_solo(infra, tmp_path) as own:
        yield own
