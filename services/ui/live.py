"""Server-sent events for the consoles: one poller per process fans a "version" out to
every connected browser.

The source of truth is the store: the poller reads a cheap version string (a service
gives the function, e.g. the newest change and a count) once a second while anybody
listens, and tells every open stream when it changes. Several replicas each poll the same
store, so a change made through any replica reaches every browser.

A stream ends by itself after ``STREAM_SECONDS``; the browser's EventSource reconnects
(``retry``) and gets the current version first, so nothing is missed, and a server
shutting down never waits on a stream for long.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from services.log import get_logger

log = get_logger(__name__)

POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 10.0
STREAM_SECONDS = 25.0
RETRY_MS = 1500


def sse(event: str, data: dict[str, object]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


class Watch:
    """Polls ``version()`` while at least one stream listens; wakes the streams on a change."""

    def __init__(
        self, name: str, version: Callable[[], str], interval: float = POLL_SECONDS
    ) -> None:
        self.name = name
        self._version = version
        self._interval = interval
        self._current: str | None = None
        self._listeners: set[asyncio.Queue[str]] = set()
        self._task: asyncio.Task[None] | None = None

    async def read(self) -> str:
        return await run_in_threadpool(self._version)

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while self._listeners:
            try:
                found = await self.read()
            except Exception as exc:  # the store may be down: keep listening
                log.warning("ui_watch_failed", watch=self.name, error=str(exc))
                found = None
            if found is not None and found != self._current:
                self._current = found
                for queue in list(self._listeners):
                    with contextlib.suppress(asyncio.QueueFull):
                        queue.put_nowait(found)
            await asyncio.sleep(self._interval)

    async def stream(self, request: Request, event: str) -> AsyncIterator[str]:
        """An SSE stream: ``retry``, the current version, then every change, until the
        client goes away or ``STREAM_SECONDS`` pass."""
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=16)
        self._listeners.add(queue)
        self._ensure_running()
        try:
            yield f"retry: {RETRY_MS}\n\n"
            try:
                first = await self.read()
            except Exception:
                first = self._current or ""
            yield sse(event, {"version": first})
            started = last_sent = time.monotonic()
            while time.monotonic() - started < STREAM_SECONDS:
                try:
                    version = await asyncio.wait_for(queue.get(), timeout=POLL_SECONDS)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    if time.monotonic() - last_sent >= HEARTBEAT_SECONDS:
                        last_sent = time.monotonic()
                        yield ": keep-alive\n\n"
                    continue
                last_sent = time.monotonic()
                yield sse(event, {"version": version})
        finally:
            self._listeners.discard(queue)
