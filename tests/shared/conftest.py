"""Checks on the project's shared development story, which lives beside the repository
(`../shared/fixtures/`), not in it. `make test` leaves this folder out; `make test-shared`
runs it, and fails at once when the folder is not there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shared_fixtures() -> Path:
    """The folder `make test-shared` points at (NEWSROOM_SHARED_FIXTURES), else
    ``../shared/fixtures`` beside the checkout."""
    return Path(os.environ.get("NEWSROOM_SHARED_FIXTURES") or REPO.parent / "shared" / "fixtures")


@pytest.fixture(scope="session")
def fixtures() -> Path:
    folder = shared_fixtures()
    missing = [n for n in ("panjshir.txt", "panjshir.claims.json") if not (folder / n).is_file()]
    if missing:
        pytest.fail(
            f"the shared fixtures are not at {folder} (missing {', '.join(missing)}): "
            "`make test-shared` needs ../shared/fixtures beside the checkout, or "
            "NEWSROOM_SHARED_FIXTURES set to that folder",
            pytrace=False,
        )
    return folder
