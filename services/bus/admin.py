"""Topic administration: create the topics a service uses, and say whether the broker answers.

The embedded broker (Tansu, memory storage) forgets every topic when it restarts, and
does not create them on demand for clients that ask it not to, so each service ensures
its topics at start-up and again whenever a send finds one missing.
"""

from __future__ import annotations

import contextlib
import threading
import time

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from services.contracts import Topic, dlq_of
from services.log import get_logger
from services.settings import Settings

log = get_logger(__name__)


def topic_names(settings: Settings, topics: list[Topic] | None = None) -> list[str]:
    """Physical names of the given logical topics (all of them by default) and their DLQs."""
    names: list[str] = []
    for topic in topics or list(Topic):
        name = settings.topic(topic.value)
        names += [name, dlq_of(name)]
    return names


DAY_MS = 24 * 3600 * 1000


def new_topic(settings: Settings, name: str) -> NewTopic:
    """How the services make ``name``: its partitions (one for a DLQ, which keeps its
    records in the order they were refused), replication factor and topic configs."""
    replicas = settings.topic_replication_factor
    configs = {"min.insync.replicas": str(max(1, replicas - 1))}
    dlq = name.endswith(".dlq")
    if dlq:
        days = settings.dlq_retention_days
        configs["retention.ms"] = str(days * DAY_MS) if days else "-1"
    partitions = 1 if dlq else settings.topic_partitions
    return NewTopic(name, partitions, replicas, topic_configs=configs)


class TopicAdmin:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: KafkaAdminClient | None = None
        self._lock = threading.Lock()
        self._last_ok = 0.0

    def _admin(self) -> KafkaAdminClient:
        if self._client is None:
            self._client = KafkaAdminClient(
                bootstrap_servers=self._settings.kafka_bootstrap,
                client_id="newsroom-admin",
                request_timeout_ms=5000,
                # An unreachable broker is reported in 5 s, not kafka-python's 30.
                bootstrap_timeout_ms=5000,
            )
        return self._client

    def _reset(self) -> None:
        if self._client is not None:
            # Closing a broken client must not hide the error that broke it.
            with contextlib.suppress(Exception):
                self._client.close()
        self._client = None

    def ensure(self, names: list[str]) -> list[str]:
        """Create whichever of ``names`` are missing; return the ones created."""
        with self._lock:
            try:
                existing = set(self._admin().list_topics())
                missing = [n for n in names if n not in existing]
                if not missing:
                    return []
                new = [new_topic(self._settings, n) for n in missing]
                created: list[str] = []
                for topic in new:
                    # One at a time: a topic another replica created meanwhile is not an error.
                    try:
                        self._admin().create_topics([topic])
                        created.append(topic.name)
                    except TopicAlreadyExistsError:
                        pass
                if created:
                    log.info("topics_created", topics=created)
                return created
            except KafkaError:
                self._reset()
                raise

    def ping(self, max_age: float = 1.0) -> bool:
        """True when the broker answered within the last ``max_age`` seconds or answers now."""
        if time.monotonic() - self._last_ok < max_age:
            return True
        with self._lock:
            try:
                self._admin().list_topics()
            except Exception:
                self._reset()
                return False
        self._last_ok = time.monotonic()
        return True

    def close(self) -> None:
        with self._lock:
            self._reset()
