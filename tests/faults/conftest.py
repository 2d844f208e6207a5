"""The fault tests' own Newsroom: real processes with their own broker and store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fleet import Fleet


@pytest.fixture
def fleet(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Fleet]:
    """The fleet, with as many verify replicas as the test's indirect parameter says (1)."""
    fleet = Fleet(tmp_path, verify_replicas=getattr(request, "param", 1))
    fleet.start()
    try:
        yield fleet
    finally:
        fleet.stop()
