"""A long body is detected in a pool of its own, one process at a lower CPU priority
(verify/README.md, "The large lane"; ``verify.consumer.LONG_BODY``): ordinary stories'
detection never waits for its worker, and the CPU their work needs goes to them first.
Checked by what each pool's worker is (its niceness), not by timing."""

from __future__ import annotations

import os
from typing import Any, cast

from tests.verify import pool_probe
from tests.verify.support import Newsroom
from tests.verify.test_large_lane import many_claims
from verify.consumer import LONG_BODY, LONG_NICE, ReportStrategy
from verify.stories.analysis import Analysis


def test_a_long_body_is_detected_apart_at_a_lower_priority(newsroom: Newsroom) -> None:
    long = newsroom.report(headline="Results", body=many_claims(400), claims=[])
    short = newsroom.report()
    assert len(long.body) > LONG_BODY >= len(short.body)
    strategy = ReportStrategy(
        cast(Any, None), cast(Any, None), lambda: None, processes=1, max_claims=1000
    )
    try:
        analysed = strategy._submit(long).result(timeout=300)
        assert isinstance(analysed, Analysis)
        assert len(analysed.candidates) == 400
        # Only the long pool has been started: the short pool's worker never saw it.
        assert list(strategy._pools) == [True]
        assert isinstance(strategy._submit(short).result(timeout=300), Analysis)
        # The worker that analysed each report: what it runs at.
        long_worker = strategy._executor(True).submit(pool_probe.niceness).result(timeout=300)
        ordinary = strategy._executor(False).submit(pool_probe.niceness).result(timeout=300)
    finally:
        strategy.close()
    here = os.nice(0)
    assert ordinary == here
    assert long_worker == min(19, here + LONG_NICE)
