"""Revoked reviewers' leases: ended by verify soon after the revocation, not when someone
next contends for the claim.

A revoked user's requests are refused at once, but a lease they held ran on until another
reviewer leased, marked or dismissed the claim (:func:`review.contended`): publish's gate
and desk named them as the one to act meanwhile, from the holders verify sent when the
story last changed, for up to the lease's hour. Revocation runs in any service's admin API
or the command line, which may not write verify's claims; so verify looks for it. A pass
(:meth:`RevokedLeases.run`) reads the users revoked lately (one read of the small users
collection, all a pass costs when nobody was) and, for those it has not handled, ends
each live lease they hold through the path a contender takes: audited ``released``, "...
was revoked", and the story's change sent (``StoryChanged`` ``leases``), which publish
patches its holders from.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from services.auth import revoked_since
from services.log import get_logger
from verify.common import StoryChanged
from verify.stories import review
from verify.stories.repository import leases
from verify.stories.unit_of_work import SYSTEM

log = get_logger(__name__)

# The longest lease (``POST /claims/{id}/lease`` takes 1..3600 s): a user revoked before
# that, when this process starts, holds no lease taken before their revocation.
LONGEST_LEASE = timedelta(seconds=3600)


class RevokedLeases:
    """What the passes saw, so that a revocation costs the claims' read twice, not at
    every pass: once when first seen, and once ``late`` after it, for a lease it raced (a
    request let in just before it, or on a token another process still had cached, up to
    ``auth_cache_seconds``). Passes read the users revoked within ``late`` plus a margin
    (a revocation stamped before a pass's read may commit after it; clocks of processes
    differ a little)."""

    def __init__(self, notify: StoryChanged, late: timedelta, margin: timedelta) -> None:
        self._notify = notify
        self._late = late
        self._margin = margin
        self._since: datetime | None = None
        # user id -> (their revocation, whether its late pass is done)
        self._done: dict[str, tuple[datetime, bool]] = {}
        self._lock = threading.Lock()  # the worker's thread, and a test's direct call

    def run(self, now: datetime) -> bool:
        """One pass: end the live leases of users revoked since the last ones. Never busy
        (False): what a pass finds it ends."""
        with self._lock:
            since = self._since if self._since is not None else now - LONGEST_LEASE
            found = revoked_since(since)
            self._since = now - self._late - self._margin
            due: dict[str, tuple[datetime, bool]] = {}
            for user in found:
                if user.revoked_at is None:  # reinstated since the read: nothing held
                    continue
                late = now >= user.revoked_at + self._late
                done = self._done.get(user.user_id)
                if done is not None and done[0] == user.revoked_at and (done[1] or not late):
                    continue
                due[user.user_id] = (user.revoked_at, late)
            if due:
                self._end(list(due), now)
                self._done.update(due)
            self._done = {k: v for k, v in self._done.items() if v[0] > self._since}
        return False

    def _end(self, user_ids: list[str], now: datetime) -> None:
        ended = 0
        for claim in leases.held_by(user_ids, now):
            ended += review.end_revoked_lease(claim, SYSTEM, now, self._notify)
        log.info("revoked_leases_ended", users=len(user_ids), leases=ended)
