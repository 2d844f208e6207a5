"""A whole Newsroom of real processes for fault injection: its own broker and store (so
they can be killed without touching the session's), and ingest, verify and publish as
`newsroom serve` processes on free ports; verify in one replica or more, one consumer
group."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from newsroom import stack as embedded
from services.settings import ServiceName, Settings
from tests.support.infra import Infra
from tests.support.servers import ServiceProcess
from tests.support.stack import make_users

SERVICES: tuple[ServiceName, ...] = ("ingest", "verify", "publish")


@dataclass
class Fleet:
    root: Path
    infra: Infra = field(init=False)
    settings: Settings = field(init=False)
    # Verify's replicas: the first is "verify" (the one clients and the other services
    # call); each further one, "verify2" and on, consumes in the same group from its own
    # port.
    verify_replicas: int = 1
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    kills: dict[str, int] = field(default_factory=dict)
    broker_wipes: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        """Every process of the fleet by name: the three services, then verify's other
        replicas."""
        return SERVICES + tuple(f"verify{n}" for n in range(2, self.verify_replicas + 1))

    def start(self, **overrides: Any) -> None:
        self.infra = Infra(self.root)
        try:
            self._start(**overrides)
        except BaseException:
            # A fixture's teardown never runs when its set-up fails: leave nothing running.
            self.stop()
            raise

    def _start(self, **overrides: Any) -> None:
        self.infra.start_broker()
        self.infra.start_store()
        settings = self.infra.settings(
            ingest_port=embedded.free_port(),
            verify_port=embedded.free_port(),
            publish_port=embedded.free_port(),
            webhook_master_key="fleet-webhook-key",
            session_secret="fleet-session-secret",
            redeliver_after_seconds=3.0,
            catchup_interval_seconds=2.0,
            rate_limit_per_minute=100_000,
            **overrides,
        )
        roles = ("service", "reporter", "reviewer", "editor", "admin")
        self.tokens = make_users(settings, roles, names={"service": "svc-publish"})
        service_token = self.tokens.pop("service")
        self.settings = settings.model_copy(update={"service_token": SecretStr(service_token)})
        self._start_services()

    def _start_services(self, attempts: int = 3) -> None:
        """Start the three services and verify's other replicas. A free port can be taken
        by another program (other test runs share this machine) before the service binds
        it: then all of them start again on new ports."""
        self.kills = dict.fromkeys(self.names, 0)
        replicas = {name: embedded.free_port() for name in self.names if name not in SERVICES}
        for attempt in range(attempts):
            try:
                # All start at once (their imports and first connections overlap), then
                # each is waited for.
                for name in SERVICES:
                    log = self.root / f"{name}-{attempt}.log"
                    self.services[name] = ServiceProcess(name, self.settings, log)
                for name, port in replicas.items():
                    log = self.root / f"{name}-{attempt}.log"
                    own = self.settings.model_copy(update={"verify_port": port})
                    self.services[name] = ServiceProcess("verify", own, log)
                for service in self.services.values():
                    service.start(wait=False)
                for service in self.services.values():
                    service.wait_ready()
                return
            except RuntimeError as exc:
                for started in self.services.values():
                    started.stop()
                if "address already in use" not in str(exc) or attempt == attempts - 1:
                    raise
                moved = {f"{name}_port": embedded.free_port() for name in SERVICES}
                self.settings = self.settings.model_copy(update=moved)
                replicas = {name: embedded.free_port() for name in replicas}

    def url(self, service: ServiceName) -> str:
        return self.settings.url_of(service)

    def client(self, service: ServiceName, role: str) -> httpx.Client:
        return httpx.Client(
            base_url=self.url(service),
            timeout=30,
            headers={"Authorization": f"Bearer {self.tokens[role]}"},
        )

    def kill_and_restart(self, name: str) -> None:
        self.services[name].kill()
        self.kills[name] += 1
        self.services[name].start()

    def wipe_broker(self) -> None:
        self.infra.restart_broker()
        self.broker_wipes += 1

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()
        self.infra.stop()


@dataclass
class LoadResult:
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)  # report_id -> answer
    attempts: int = 0
    retried: int = 0
    refused: list[str] = field(default_factory=list)


def submit_reports(
    url: str,
    token: str,
    count: int,
    make_payload: Callable[[int], dict[str, Any]],
    concurrency: int = 6,
) -> LoadResult:
    """Submit ``count`` reports, each with its own Idempotency-Key, retrying the same key
    on connection errors, 5xx and 429 like a careful client."""
    result = LoadResult()
    lock = threading.Lock()

    def one(n: int) -> None:
        key = uuid.uuid4().hex
        payload = make_payload(n)
        delay = 0.2
        with httpx.Client(
            base_url=url, timeout=10, headers={"Authorization": f"Bearer {token}"}
        ) as client:
            for _ in range(200):
                with lock:
                    result.attempts += 1
                try:
                    answer = client.post(
                        "/v1/reports", json=payload, headers={"Idempotency-Key": key}
                    )
                except httpx.HTTPError:
                    answer = None
                if answer is not None and answer.status_code == 202:
                    with lock:
                        result.accepted[answer.json()["report_id"]] = answer.json()
                    return
                if answer is not None and answer.status_code < 500 and answer.status_code != 429:
                    with lock:
                        result.refused.append(f"{answer.status_code} {answer.text[:200]}")
                    return
                with lock:
                    result.retried += 1
                time.sleep(delay + random.random() * delay)
                delay = min(delay * 1.5, 2.0)
        with lock:
            result.refused.append("gave up after 200 attempts")

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    return result
