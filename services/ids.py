"""Random ids (report, story, trace, request and event ids) from the system's generator,
read in bulk.

Each ``uuid.uuid4()`` or ``secrets.token_hex()`` is one ``getrandom`` call, and a report
took five of them (its request id, trace id, report id, story id and event id): 10-12%
of ingest's samples under load (``make bench``), where system calls are dear. Here one
call fills a buffer that serves 256 ids. The bytes are the same ``os.urandom`` bytes, so
an id is as unique and as unguessable as a uuid4's random part (128 bits, against
uuid4's 122). Not for secrets: tokens keep using :mod:`secrets` directly.
"""

from __future__ import annotations

import os
import threading

_ID_BYTES = 16
_BUFFER_BYTES = 256 * _ID_BYTES


class _Pool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buffer = b""
        self._at = 0

    def take(self, size: int) -> bytes:
        with self._lock:
            end = self._at + size
            if end > len(self._buffer):
                self._buffer = os.urandom(max(_BUFFER_BYTES, size))
                self._at, end = 0, size
            chunk = self._buffer[self._at : end]
            self._at = end
            return chunk

    def forget(self) -> None:
        # A forked child must not hand out the ids its parent will hand out.
        self._lock = threading.Lock()
        self._buffer = b""
        self._at = 0


_pool = _Pool()
os.register_at_fork(after_in_child=_pool.forget)


def random_hex() -> str:
    """32 lowercase hex digits of fresh randomness (the shape of ``uuid4().hex``)."""
    return _pool.take(_ID_BYTES).hex()
