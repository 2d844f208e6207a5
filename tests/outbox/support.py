"""A scratch outbox for the tests: rows in a collection of a test database, sent to a
real topic of the session's broker through the shared worker."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.collection import Collection

from services.bus import EventProducer, Outgoing, TopicAdmin, topic_names
from services.clock import utcnow
from services.contracts import Topic
from services.outbox import OutboxRows, OutboxWorker, Rendered, new_row, render_each
from services.settings import Settings
from services.store import client, connect_store
from tests.support.kafka import read_topic

ALIAS = "outbox-test"


class ScratchRows:
    """Rows carry their own value; a row marked ``broken`` cannot be rendered."""

    name = "test-rows"
    projection: Mapping[str, Any] | None = None
    legacy: Mapping[str, Any] | None = {"legacy_unsent": True}

    def __init__(self, rows: OutboxRows, topic: str) -> None:
        self.rows = rows
        self._topic = topic

    def render(self, docs: list[dict[str, Any]]) -> list[Rendered]:
        def one(doc: dict[str, Any]) -> Rendered:
            if doc.get("broken"):
                raise ValueError("this row cannot be serialised")
            message = Outgoing(self._topic, doc["key"], doc["value"], [])
            return Rendered(doc["_id"], message, doc=doc)

        return render_each(docs, one)

    def sent(self, sent: list[Rendered], token: str, now: datetime) -> None:
        self.rows.done([r.row_id for r in sent], token, now)


@dataclass
class Scratch:
    settings: Settings
    collection: Collection[Any]
    rows: OutboxRows
    producer: EventProducer
    topic: str

    def add(self, n: int, *, value: bytes | None = None, **fields: Any) -> list[str]:
        now = utcnow()
        ids = [f"row-{uuid.uuid4().hex[:10]}" for _ in range(n)]
        self.collection.insert_many(
            [
                {
                    "_id": row_id,
                    "key": row_id,
                    "value": value if value is not None else json.dumps({"id": row_id}).encode(),
                    "outbox": new_row(now),
                    **fields,
                }
                for row_id in ids
            ]
        )
        return ids

    def worker(self, producer: EventProducer | None = None, **kwargs: Any) -> OutboxWorker:
        source = ScratchRows(self.rows, self.topic)
        return OutboxWorker(source, producer or self.producer, **kwargs)

    def row(self, row_id: str) -> dict[str, Any]:
        found = self.collection.find_one({"_id": row_id})
        assert found is not None
        return found

    def keys_on_topic(self, expected: set[str], timeout: float = 60.0) -> list[str]:
        """Every key on the topic once the expected ones are all there."""
        records = read_topic(
            self.settings.kafka_bootstrap,
            self.topic,
            lambda rs: expected <= {r.key.decode() for r in rs},
            timeout=timeout,
        )
        return [r.key.decode() for r in records]


def scratch(settings: Settings) -> Scratch:
    connect_store(settings, ALIAS, "outboxtest")
    collection = client(ALIAS)[settings.database("outboxtest")]["rows"]
    admin = TopicAdmin(settings)
    admin.ensure(topic_names(settings, [Topic.STORIES_PUBLISHED]))
    producer = EventProducer(settings, source="/newsroom/test", admin=admin)
    return Scratch(
        settings,
        collection,
        OutboxRows(lambda: collection),
        producer,
        settings.topic(Topic.STORIES_PUBLISHED.value),
    )
