"""Whether a consumer loop is getting through its work, for readiness.

The loop calls :meth:`Progress.advanced` whenever it finishes a message (handled or sent
to the DLQ) and whenever a poll finds nothing waiting. So ``stalled_for`` grows only
while there is work the loop cannot finish (a message retried over and over, a store or
broker that does not answer, a handler that hangs), never while it is idle. The broker's
end offsets are not trusted here (see DEVELOPERS.md); a batch-working loop calls the same
two methods.
"""

from __future__ import annotations

import time


class Progress:
    def __init__(self) -> None:
        self._at = time.monotonic()

    def advanced(self) -> None:
        self._at = time.monotonic()

    def stalled_for(self) -> float:
        """Seconds since the loop last finished a message or found nothing waiting."""
        return time.monotonic() - self._at
