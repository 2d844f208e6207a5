"""Concurrent callers' store commands leave together (``services.coalesce``): each caller
gets its own outcome, and nobody waits for more than the command before its own."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.coalesce import Coalescer

DEADLINE = 30.0


class Recorder:
    """A ``run`` that records its batches and holds the first until ``gate`` opens."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.gate = threading.Event()
        self.running = threading.Event()

    def run(self, items: list[int]) -> list[int | BaseException]:
        self.batches.append(list(items))
        self.running.set()
        assert self.gate.wait(DEADLINE)
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]


def test_callers_queued_during_a_command_leave_together_in_the_next() -> None:
    recorder = Recorder()
    coalescer: Coalescer[int, int] = Coalescer("test-coalesce", recorder.run, max_batch=64)
    first = coalescer.submit(0)
    assert recorder.running.wait(DEADLINE)  # the first command is in flight
    waiting = [coalescer.submit(i) for i in (2, 4, 6, 8)]
    recorder.gate.set()
    assert first.result(DEADLINE) == 0
    assert [f.result(DEADLINE) for f in waiting] == [20, 40, 60, 80]
    assert recorder.batches == [[0], [2, 4, 6, 8]]


def test_an_item_s_error_reaches_its_caller_alone() -> None:
    recorder = Recorder()
    recorder.gate.set()
    coalescer: Coalescer[int, int] = Coalescer("test-coalesce", recorder.run, max_batch=64)
    with ThreadPoolExecutor(8) as pool:
        futures = {i: pool.submit(coalescer.call, i, DEADLINE) for i in range(8)}
        for i, future in futures.items():
            if i % 2:
                with pytest.raises(ValueError, match=f"odd {i}"):
                    future.result(DEADLINE)
            else:
                assert future.result(DEADLINE) == i * 10
    assert sorted(i for batch in recorder.batches for i in batch) == list(range(8))


def test_a_failed_command_fails_its_whole_batch_and_the_next_batch_runs() -> None:
    calls: list[list[int]] = []

    def run(items: list[int]) -> list[int]:
        calls.append(items)
        if len(calls) == 1:
            raise ConnectionError("store down")
        return items

    coalescer: Coalescer[int, int] = Coalescer("test-coalesce", run, max_batch=64)
    with pytest.raises(ConnectionError):
        coalescer.call(1, DEADLINE)
    assert coalescer.call(2, DEADLINE) == 2


def test_the_largest_batch_is_bounded() -> None:
    recorder = Recorder()
    coalescer: Coalescer[int, int] = Coalescer("test-coalesce", recorder.run, max_batch=3)
    first = coalescer.submit(0)
    assert recorder.running.wait(DEADLINE)
    rest = [coalescer.submit(2 * i) for i in range(1, 8)]
    recorder.gate.set()
    assert [f.result(DEADLINE) for f in [first, *rest]] == [20 * i for i in range(8)]
    assert [len(b) for b in recorder.batches] == [1, 3, 3, 1]


def test_an_async_caller_waits_on_the_event_loop() -> None:
    recorder = Recorder()
    recorder.gate.set()
    coalescer: Coalescer[int, int] = Coalescer("test-coalesce", recorder.run, max_batch=64)

    async def main() -> list[int]:
        return list(await asyncio.gather(*(coalescer.acall(i) for i in (2, 4, 6))))

    assert asyncio.run(asyncio.wait_for(main(), DEADLINE)) == [20, 40, 60]
