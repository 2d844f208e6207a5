"""The real broker (Tansu) and the real store (SecantusDB) for a test session.

Started through the same functions `newsroom up` uses, on free ports, with data in a
temporary directory; the fault tests stop and restart them through this object.
"""

from __future__ import annotations

import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsroom import stack
from services.settings import Settings

HOST = "127.0.0.1"


@dataclass
class Infra:
    root: Path
    broker_port: int = field(default_factory=stack.free_port)
    store_port: int = field(default_factory=stack.free_port)
    broker: subprocess.Popen[bytes] | None = None
    store: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.broker_port}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://{HOST}:{self.store_port}/"

    def start_broker(self) -> None:
        log = self.root / f"broker-{self.broker_port}.log"
        self.broker = stack.spawn(stack.broker_argv(HOST, self.broker_port), log)
        if not stack.wait_until(lambda: stack.broker_ready(self.bootstrap), 30, self.broker):
            raise RuntimeError(f"the test broker did not start:\n{stack.log_tail(log)}")

    def start_store(self) -> None:
        log = self.root / "store.log"
        data = self.root / "store-data"
        data.mkdir(exist_ok=True)
        self.store = stack.spawn(stack.store_argv(HOST, self.store_port, data), log)
        if not stack.wait_until(lambda: stack.store_ready(self.mongo_url), 60, self.store):
            raise RuntimeError(f"the test store did not start:\n{stack.log_tail(log)}")

    def stop_broker(self) -> None:
        if self.broker is not None:
            self.broker.kill()
            self.broker.wait()
            self.broker = None

    def stop_store(self) -> None:
        if self.store is not None:
            stack.stop_process(self.store.pid)
            self.store.wait()
            self.store = None

    def restart_broker(self) -> None:
        """Kill the broker and start it again: memory storage, so it comes back empty."""
        self.stop_broker()
        self.start_broker()

    def stop(self) -> None:
        self.stop_broker()
        self.stop_store()

    def settings(self, **overrides: Any) -> Settings:
        """Settings for one test: its own topics, groups and databases; short timeouts."""
        unique = uuid.uuid4().hex[:10]
        values: dict[str, Any] = {
            "kafka_bootstrap": self.bootstrap,
            "mongo_url": self.mongo_url,
            "broker_port": self.broker_port,
            "store_port": self.store_port,
            "topic_prefix": f"t{unique}.",
            "db_prefix": f"t{unique}",
            "topic_partitions": 2,
            "consumer_session_timeout_ms": 6000,
            "consumer_heartbeat_ms": 1000,
            "consumer_max_poll_interval_ms": 10000,
            "consumer_retry_backoff_seconds": 0.2,
            "relay_interval_seconds": 0.3,
            "redeliver_after_seconds": 4.0,
            "catchup_interval_seconds": 3.0,
            "queue_metrics_seconds": 0.5,
            "auth_cache_seconds": 0.0,
            "store_timeout_ms": 2000,
            "home": self.root / f"home-{unique}",
            "log_format": "console",
            # The tests' webhook receivers listen on 127.0.0.1.
            "webhook_allow_private_targets": True,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)
