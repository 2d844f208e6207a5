"""Verify against the session stack: one producer of reports for the whole session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from services.bus import EventProducer, TopicAdmin
from tests.support.stack import Stack
from tests.verify.support import Newsroom


@pytest.fixture(scope="session")
def newsroom(stack: Stack) -> Iterator[Newsroom]:
    admin = TopicAdmin(stack.settings)
    producer = EventProducer(stack.settings, source="/newsroom/tests", admin=admin)
    try:
        yield Newsroom(stack, producer)
    finally:
        producer.close()
        admin.close()


@pytest.fixture
def story(newsroom: Newsroom) -> dict[str, Any]:
    """A fresh story (revision 1 of BODY) as verify shows it."""
    report = newsroom.submit(newsroom.report())
    return newsroom.wait_story(report.story_id)
