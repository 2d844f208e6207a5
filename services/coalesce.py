"""Concurrent callers' store commands, sent together: one command for a batch of callers.

The store answers one command at a time, so a command per request is what caps a
service under load (``make bench``). A :class:`Coalescer` lets each caller hand in its
item and wait for its own outcome, while one thread takes whatever has queued during
the previous command and runs one command for all of it. No caller waits for a timer:
only for the command in flight before its own. A caller's item is always in a command
that starts after the caller asked, so what it reads is as fresh as a command of its own.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Coalescer(Generic[T, R]):
    """``call(item)`` runs ``run([item, ...])`` with the items queued meanwhile.

    ``run`` answers one outcome per item, in order (a result, or an exception for that
    caller alone); if ``run`` itself raises, every caller of the batch gets the error.
    """

    def __init__(
        self, name: str, run: Callable[[list[T]], Sequence[R | BaseException]], max_batch: int
    ) -> None:
        self._name = name
        self._run = run
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[T, Future[R]]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, item: T) -> Future[R]:
        future: Future[R] = Future()
        self._queue.put((item, future))
        self._ensure_thread()
        return future

    def call(self, item: T, timeout: float = 60.0) -> R:
        """Wait in this thread for ``item``'s outcome."""
        return self.submit(item).result(timeout)

    async def acall(self, item: T) -> R:
        """Wait on the event loop for ``item``'s outcome: no worker thread is held while
        the command runs, and an async route needs no hop to a thread pool. (The store
        client's own timeouts bound the wait: every batch is answered.)"""
        return await asyncio.wrap_future(self.submit(item))

    def _ensure_thread(self) -> None:
        thread = self._thread
        if thread is None or not thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                    self._thread.start()

    def _loop(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self._answer(batch)

    def _answer(self, batch: list[tuple[T, Future[R]]]) -> None:
        try:
            outcomes = self._run([item for item, _ in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{self._name}: {len(outcomes)} outcomes for {len(batch)}")
        except BaseException as exc:  # the store is down or refused: every caller hears
            for _, future in batch:
                future.set_exception(exc)
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
