"""Gate answers kept as the bytes sent, per (story, snapshot version, state).

A gate answer is a pure function of the story's snapshot and its state in publish, and
the snapshot's version grows with every change verify makes (a lease taken or given back
included), so an answer kept under that key is never stale. Reading the key is a
projection of two fields; reading, decoding and validating a 1,000-claim snapshot and
serialising its blockers is what a cache hit saves. Each process keeps its own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class AnswerCache:
    """A least-recently-used map of answer bytes, bounded by count and by total size."""

    def __init__(self, max_entries: int = 256, max_bytes: int = 32 * 1024 * 1024) -> None:
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._bytes = 0
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        # sync routes run on a thread pool
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], tuple[Hashable, bytes]]) -> bytes:
        """The answer under ``key``; else ``make()``, kept under the key it returns (the
        row read may be newer than the key read before it)."""
        with self._lock:
            body = self._entries.get(key)
            if body is not None:
                self._entries.move_to_end(key)
                return body
        made_key, body = make()
        if len(body) <= self._max_bytes:
            with self._lock:
                self._put(made_key, body)
        return body

    def _put(self, key: Hashable, body: bytes) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old)
        self._entries[key] = body
        self._bytes += len(body)
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._entries)
