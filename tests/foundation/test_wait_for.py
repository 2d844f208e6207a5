"""``wait_for``, the suite's one way to wait: a condition that holds by its deadline is met,
even when the waiting thread did not run between the moment it came to hold and the
deadline (a loaded 2-core machine stalls a thread for a second now and then)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.support import servers
from tests.support.servers import wait_for


@dataclass
class FakeTime:
    """``time`` as ``wait_for`` reads it: a clock that moves only when told to."""

    now: float = 100.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_a_condition_that_came_to_hold_during_a_stall_past_the_deadline_is_met(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeTime()
    monkeypatch.setattr(servers, "time", clock)
    held = False

    def check() -> bool:
        nonlocal held
        if held:
            return True
        clock.now += 3.0  # the check stalls (a slow answer) past the 2 s deadline ...
        held = True  # ... and meanwhile the condition came to hold
        return False

    assert wait_for(check, 2, what="the next second") is True


def test_a_condition_that_never_holds_times_out_after_a_check_at_the_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeTime()
    monkeypatch.setattr(servers, "time", clock)
    checked: list[float] = []

    def check() -> bool:
        checked.append(clock.now)
        return False

    with pytest.raises(AssertionError, match="timed out after 1s waiting for nothing"):
        wait_for(check, 1, interval=0.25, what="nothing")
    assert checked[-1] >= 101.0  # the last check is made at the deadline, not before it
    assert len(checked) == 5  # 0, 0.25, 0.5, 0.75, then at the deadline (1.0)
