"""How the store answers a query: the filters a piece of code sends (pymongo's command
monitoring), and SecantusDB's plan for each (``explain`` of a ``find`` with that filter:
its explain of an ``update`` or a count says COLLSCAN whatever the filter, while its
writes do use an index for ``_id`` alone)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pymongo import MongoClient, monitoring
from pymongo.collection import Collection


@dataclass(frozen=True)
class Sent:
    command: str
    collection: str
    filter: Mapping[str, Any]


class _Filters(monitoring.CommandListener):
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self._lock = threading.Lock()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        cmd = event.command
        name = event.command_name
        found: list[Sent] = []
        if name in ("find", "count"):
            found.append(Sent(name, cmd[name], cmd.get("filter", cmd.get("query", {}))))
        elif name == "update":
            found += [Sent(name, cmd[name], u.get("q", {})) for u in cmd.get("updates", [])]
        elif name == "aggregate":
            stages = cmd.get("pipeline", [])
            match = stages[0].get("$match", {}) if stages else {}
            found.append(Sent(name, cmd[name], match))
        with self._lock:
            self.sent += found

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@dataclass
class Watched:
    """A collection of a client of its own, whose queries are recorded."""

    collection: Collection[Any]
    listener: _Filters

    @property
    def filters(self) -> list[Sent]:
        return [s for s in self.listener.sent if s.collection == self.collection.name]

    def clear(self) -> None:
        self.listener.sent.clear()


@contextmanager
def watched(url: str, database: str, collection: str) -> Iterator[Watched]:
    listener = _Filters()
    # tz_aware as the services' own connections (services.store): a repository handed
    # this collection compares its dates with those it reads through its documents.
    client: MongoClient[Any] = MongoClient(url, event_listeners=[listener], tz_aware=True)
    try:
        yield Watched(client[database][collection], listener)
    finally:
        client.close()


@dataclass(frozen=True)
class Plan:
    stages: list[str]
    docs_examined: int

    @property
    def scans(self) -> bool:
        return "COLLSCAN" in self.stages


def plan(collection: Collection[Any], query: Mapping[str, Any]) -> Plan:
    answer = collection.database.command(
        "explain", {"find": collection.name, "filter": dict(query)}, verbosity="executionStats"
    )
    stages: list[str] = []
    node: Any = answer.get("queryPlanner", {}).get("winningPlan", {})
    while isinstance(node, Mapping) and node:
        stages.append(str(node.get("stage")))
        node = node.get("inputStage")
    examined = int(answer.get("executionStats", {}).get("totalDocsExamined", 0))
    return Plan(stages, examined)
