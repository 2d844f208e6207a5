from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.infra import Infra
    from tests.support.stack import Stack

# tests/shared measures the project's shared development story, which lives beside the
# repository (../shared/fixtures), not in it: only `make test-shared` runs it, so that
# `make test` needs nothing but the clone.
collect_ignore = [] if os.environ.get("NEWSROOM_SHARED_FIXTURES") else ["shared"]


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infra]:
    """One real Tansu broker and one real SecantusDB server for the whole session."""
    # Imported here so pure-unit folders (claim detection) collect without the stack.
    from services.log import configure_logging
    from tests.support.infra import Infra

    configure_logging("INFO", "console", to_stdout=False)
    infra = Infra(tmp_path_factory.mktemp("infra"))
    infra.start_broker()
    infra.start_store()
    try:
        yield infra
    finally:
        infra.stop()


@pytest.fixture(scope="session")
def stack(infra: Infra) -> Iterator[Stack]:
    """ingest, verify and publish in this process, on the session's broker and store."""
    from tests.support.stack import start_stack

    running = start_stack(infra)
    try:
        yield running
    finally:
        running.stop()
