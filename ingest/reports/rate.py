"""The per-reporter rate limit: a sliding minute, kept in this process.

Checking and counting are one step under a lock (:meth:`RateLimiter.reserve`): a
submission takes its place in the window before it is stored, and gives it back
(:meth:`RateLimiter.release`) if it is not stored after all (a replay, a lost race for a
revision number, an error). So concurrent submissions of one reporter in one process
never pass the limit. (Checking first and counting after the store write let 77 of 90
concurrent submissions through a limit of 60.)

Counting a reporter's last minute in the store cost a command per report, and the store
is what caps ingest (``make bench``). The window lives in memory instead: exact for one
ingest process; with N replicas behind a balancer a reporter may get up to N times the
limit, and a restart forgets the window. Both are fine for what the limit is for:
keeping one runaway client from flooding the desk.
"""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta

WINDOW = timedelta(minutes=1)


class RateLimiter:
    def __init__(self, per_minute: int) -> None:
        self.limit = per_minute
        self._accepted: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def _recent(self, reporter_id: str, now: datetime) -> deque[datetime]:
        times = self._accepted.setdefault(reporter_id, deque())
        while times and times[0] <= now - WINDOW:
            times.popleft()
        return times

    def reserve(self, reporter_id: str, now: datetime) -> int | None:
        """Count a submission at ``now`` if the reporter is under the limit (None), else
        the seconds until they may submit again. Check and count are one atomic step."""
        with self._lock:
            times = self._recent(reporter_id, now)
            if len(times) >= self.limit:
                return max(1, int((times[0] + WINDOW - now).total_seconds() + 0.999))
            times.append(now)
            if len(self._accepted) > 100_000:  # forget reporters idle for a minute
                idle = [r for r, t in self._accepted.items() if not t or t[-1] <= now - WINDOW]
                for reporter in idle:
                    del self._accepted[reporter]
            return None

    def release(self, reporter_id: str, at: datetime) -> None:
        """Give back the place :meth:`reserve` took at ``at``: nothing was stored."""
        with self._lock:
            times = self._accepted.get(reporter_id)
            if times is not None and at in times:
                times.remove(at)
