"""What a service process runs beside its routes: the store, the bus, and background workers.

A service builds one :class:`Runtime` from its settings, adds its consumer loops and
workers, and hands it to the HTTP app, whose lifespan starts and stops it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol, TypeVar, cast

import mongoengine
from kafka.errors import KafkaError

from services import auth
from services.bus.admin import TopicAdmin, topic_names
from services.bus.producer import EventProducer
from services.log import get_logger
from services.settings import Settings
from services.store import (
    connect_store,
    disconnect_store,
    ensure_indexes,
    is_store_unavailable,
    ping,
)

log = get_logger(__name__)


class Worker(Protocol):
    name: str

    def start(self) -> None: ...
    def stop(self, timeout: float = 15.0) -> None: ...


class Checked(Protocol):
    """A worker readiness asks: ``health()`` says why it is stuck, or None."""

    name: str

    def health(self) -> str | None: ...


class PeriodicWorker:
    """Runs ``work()`` every ``interval`` seconds, or at once when :meth:`wake` is called.

    ``work`` returns True when it did something and may have more to do right away.
    Failures are logged and retried at the next tick; the store being down is expected
    and logged quietly.
    """

    def __init__(self, name: str, interval: float, work: Callable[[], bool]) -> None:
        self.name = name
        self._interval = interval
        self._work = work
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            busy = False
            try:
                busy = self._work()
            except Exception as exc:
                if is_store_unavailable(exc) or isinstance(exc, KafkaError):
                    log.warning("worker_dependency_down", worker=self.name, error=str(exc))
                else:
                    log.exception("worker_failed", worker=self.name)
            if busy:
                continue
            self._wake.wait(self._interval)
            self._wake.clear()


T = TypeVar("T")


class Paced:
    """Spacing for work whose cost grows with what the store holds, such as a count (the
    store reads and decodes every document it counts, and answers one statement at a
    time): at most once every ``every`` seconds, and after a run that took ``t`` seconds
    not again for ``rest`` times ``t``. So the work takes at most 1/(1 + ``rest``) of the
    store's time however large the count grows; a figure it keeps is just older."""

    def __init__(
        self, every: float, rest: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._every = every
        self._rest = rest
        self._clock = clock
        self._next = float("-inf")

    def due(self) -> bool:
        return self._clock() >= self._next

    def run(self, work: Callable[[], T]) -> T:
        """``work()``, timed; the next run is due ``every`` after this one began, and no
        sooner than ``rest`` times its duration after it ended (failed or not)."""
        began = self._clock()
        try:
            return work()
        finally:
            ended = self._clock()
            self._next = max(began + self._every, ended + self._rest * (ended - began))


class Runtime:
    def __init__(
        self,
        settings: Settings,
        service: str,
        documents: Sequence[type[mongoengine.Document]] = (),
    ) -> None:
        self.settings = settings
        self.service = service
        self.admin = TopicAdmin(settings)
        self.producer = EventProducer(settings, source=f"/newsroom/{service}", admin=self.admin)
        self.authenticator = auth.Authenticator(settings.auth_cache_seconds)
        self._documents = list(documents)
        self._workers: list[Worker] = []
        self._probes = ThreadPoolExecutor(4, thread_name_prefix=f"{service}-readiness")
        self.started = False

    def add_worker(self, worker: Worker) -> None:
        self._workers.append(worker)

    @property
    def workers(self) -> Iterable[Worker]:
        return tuple(self._workers)

    def connect(self) -> None:
        connect_store(self.settings, auth.ALIAS)
        connect_store(self.settings, self.service)

    def start(self) -> None:
        self.connect()
        ensure_indexes([*auth.DOCUMENTS, *self._documents])
        try:
            self.admin.ensure(topic_names(self.settings))
        except KafkaError as exc:
            # Not fatal: the loops and the producer ensure topics again when the broker is back.
            log.warning("broker_unreachable_at_start", error=str(exc))
        for worker in self._workers:
            worker.start()
        self.started = True
        log.info("service_started", workers=[w.name for w in self._workers])

    def close(self) -> None:
        """Close the bus clients (a runtime that was never started, too)."""
        self.producer.close()
        self.admin.close()

    def stop(self) -> None:
        for worker in reversed(self._workers):
            worker.stop()
        self.close()
        self._probes.shutdown(wait=False, cancel_futures=True)
        disconnect_store(self.service)
        self.started = False
        log.info("service_stopped")

    async def readiness(self, timeout: float = 2.5) -> Readiness:
        """Whether the store and the broker answer, within ``timeout`` seconds each, and
        whether every checked worker (consumer loops, outboxes) is getting its work done.

        The checks run on threads of their own, not the request pool: while the store is
        down, requests hold pool threads until their timeouts, and a probe queued behind
        them would time out at the prober instead of answering 503. A check that hangs
        (a half-closed socket) counts as down."""
        loop = asyncio.get_running_loop()
        checks = {
            "store": loop.run_in_executor(self._probes, ping, self.service),
            "broker": loop.run_in_executor(self._probes, self.admin.ping),
        }
        workers = {
            w.name: loop.run_in_executor(self._probes, _worker_health, w)
            for w in self._workers
            if callable(getattr(w, "health", None))
        }
        results: dict[str, bool] = {}
        for name, check in checks.items():
            try:
                results[name] = bool(await asyncio.wait_for(check, timeout))
            except TimeoutError:
                results[name] = False
        stuck: dict[str, str] = {}
        for name, probe in workers.items():
            try:
                problem = await asyncio.wait_for(probe, timeout)
            except TimeoutError:
                problem = "its health check did not answer"
            results[name] = problem is None
            if problem is not None:
                stuck[name] = problem
        return Readiness(results, stuck)


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, bool]
    # Worker name -> why it is not getting its work done.
    stuck: dict[str, str]

    @property
    def ok(self) -> bool:
        return all(self.checks.values())


def _worker_health(worker: Worker) -> str | None:
    try:
        return cast(Checked, worker).health()
    except Exception as exc:
        # The store or broker being down shows in their own checks; say it here too.
        return f"health check failed: {type(exc).__name__}"
