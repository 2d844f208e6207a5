"""The fault tests' own Newsroom: real processes with their own broker and store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fleet import Fleet


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    fleet = Fleet(tmp_path)
    fleet.start()
    try:
        yield fleet
    finally:
        fleet.stop()
