"""A whole-attempt time limit for a webhook delivery.

httpx's timeouts apply to each connect, write and read, so a receiver that sends its
status line and headers a byte at a time, each byte within the read timeout, would hold a
sending place for as long as it likes: four such subscribers hold all eight. A
:class:`Deadline` learns the attempt's socket from httpcore's ``trace`` extension and
shuts it down when the attempt's time is up; the blocked read then fails at once.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any


class Deadline:
    """``with Deadline(seconds) as deadline:`` around one request sent with
    ``extensions={"trace": deadline.trace}`` on a connection of its own (a reused one
    reports no connect). ``expired`` says whether the time ran out."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sock: socket.socket | None = None
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._timer.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._timer.cancel()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event != "connection.connect_tcp.complete":
            return
        sock = info["return_value"].get_extra_info("socket")
        with self._lock:
            self._sock = sock
            expired = self.expired
        if expired:  # ran out while connecting
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sock = self._sock
        if sock is not None:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # closed already: the attempt ended meanwhile
        sock.shutdown(socket.SHUT_RDWR)
