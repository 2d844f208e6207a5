"""The layout bench's helpers: the per-story queue key, the projection, the rotation,
and one small run of every layout on its own scratch store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bench.claims_layout import PHASES, Ceiling, Phase, detect, order, run_layout
from bench.layouts import LAYOUTS, queue_keys, status_range
from bench.verify_drain import new_reports

T0 = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)


def test_a_queue_key_per_status_at_its_oldest_claim() -> None:
    later = T0 + timedelta(seconds=5)
    keys = queue_keys([("pending", later), ("verified", T0), ("pending", T0), ("pending", later)])
    assert keys == [f"pending|{T0.isoformat()}", f"verified|{T0.isoformat()}"]
    assert queue_keys([]) == []


def test_the_status_range_selects_that_status_only() -> None:
    keys = queue_keys([("pending", T0), ("contested", T0), ("verified", T0)])
    bounds = status_range("pending")
    assert [k for k in keys if bounds["$gt"] < k < bounds["$lt"]] == [f"pending|{T0.isoformat()}"]
    # Oldest first is the keys' own order.
    older, newer = queue_keys([("pending", T0)]), queue_keys([("pending", T0 + timedelta(1))])
    assert older < newer


def test_the_ceiling_is_the_tightest_bound() -> None:
    # 10 ms detection + 10 store + 10 verify on 2 cores: 66.7/s, against 200/s alone.
    shared = Ceiling.of(10.0, 10.0, 10.0)
    assert shared.bound == "all cores"
    assert shared.stories_per_second == pytest.approx(2000 / 30)
    assert shared.ratio == pytest.approx(1 / 3)
    # A store needing 40 ms a story can do 25/s on its one core, whatever the rest.
    store_bound = Ceiling.of(10.0, 40.0, 1.0)
    assert store_bound.bound == "store process"
    assert store_bound.stories_per_second == pytest.approx(25.0)
    assert store_bound.ratio == pytest.approx(25.0 / 200.0)


def test_each_round_starts_with_the_next_layout() -> None:
    rounds = [order(r) for r in range(len(LAYOUTS) + 1)]
    assert [r[0] for r in rounds] == [*LAYOUTS, LAYOUTS[0]]
    assert all(sorted(r) == sorted(LAYOUTS) for r in rounds)


def test_a_phase_without_units_has_no_figure() -> None:
    phase = Phase(cpu=0.5, commands=10, units=4)
    assert phase.per_unit_ms() == pytest.approx(125.0)
    assert phase.commands_per_unit() == pytest.approx(2.5)
    assert Phase().per_unit_ms() != Phase().per_unit_ms()  # nan


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_layout_stores_and_serves_the_reviewers(name: str, tmp_path: Path) -> None:
    stories, detection = detect(new_reports(3))
    assert detection > 0
    run = run_layout(name, stories, 2, tmp_path)
    assert run.phases["write"].units == 3
    for phase in PHASES:
        assert run.phases[phase].commands > 0, phase
        assert run.phases[phase].cpu >= 0.0
