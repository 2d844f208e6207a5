"""Python's cycle collector waits while a story is analysed.

Detection builds no reference cycles (tests/detection/test_collector.py holds it to
that): everything it allocates is freed by reference counting, so the collector finds
nothing in it. Yet its allocations set off the collector hundreds of times per story,
and the older generations' passes walk every entry of the word caches: about a tenth
of detection's CPU (measured with the collector on and off, round by round, over the
same stories). So automatic collection is paused for the analysis, then put back as it
was; anything another thread left for the collector meanwhile is collected at its next
pass after that. Threads share the pause: the collector resumes when the last analysis
in the process ends.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_inside = 0
_was_enabled = False


def pause() -> None:
    """Pause automatic collection (every pause is ended by one resume)."""
    global _inside, _was_enabled
    with _lock:
        if _inside == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _inside += 1


def resume() -> None:
    """End a pause; the last to end puts automatic collection back as it was."""
    global _inside
    with _lock:
        _inside -= 1
        if _inside == 0 and _was_enabled:
            gc.enable()
