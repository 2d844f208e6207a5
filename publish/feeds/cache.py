"""Rendered feed pages, kept in memory until a publication changes.

Every change to any publication takes the next number of one counter (``feed_seq``) in
the same transaction. A page is rendered once, labelled with the counter value read
*before* its data, and served from memory while no newer change is known. This process
learns of changes at once when it makes them (:meth:`FeedCache.observe` after a
release) and within about a second when another replica does (a worker reads the
counter). So a conditional request that ends in ``304`` touches no database at all.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

MAX_ENTRIES = 2048


@dataclass(frozen=True)
class Rendered:
    seq: int
    body: bytes
    etag: str  # weak (W/"..."): a hash of the body, as sent plain or gzipped
    last_modified: str  # IMF-fixdate
    # Whole seconds, for If-Modified-Since; None when two changes share that second (then
    # only the ETag answers 304: conditional.date_validator).
    last_modified_ts: int | None
    media_type: str


class FeedCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known = 0
        self._entries: dict[tuple[str, str, int | None], Rendered] = {}

    @property
    def known(self) -> int:
        return self._known

    def observe(self, seq: int) -> None:
        """A change numbered ``seq`` exists: anything rendered before it is stale."""
        with self._lock:
            if seq > self._known:
                self._known = seq

    def get(self, key: tuple[str, str, int | None]) -> Rendered | None:
        entry = self._entries.get(key)  # dict reads are atomic; no lock on the hot path
        if entry is not None and entry.seq >= self._known:
            return entry
        return None

    def put(self, key: tuple[str, str, int | None], entry: Rendered) -> None:
        with self._lock:
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.clear()  # deep cursor pages of old versions: cheap to rebuild
            current = self._entries.get(key)
            if current is None or current.seq <= entry.seq:
                self._entries[key] = entry
            if entry.seq > self._known:
                self._known = entry.seq
