"""The services' log lines as the tests see them.

The session's services run in the test process, and ``configure_logging(to_stdout=False)``
leaves structlog's lines as records on the root logger (pytest shows them for a failing
test). :func:`captured` adds one more handler there and keeps each structlog line's event
dict as it went out: after ``merge_contextvars``, so what a request or a message bound is
on it, as it is in ``.newsroom/logs``. Lines of the standard library's loggers are left out.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tests.support.servers import wait_for

Line = dict[str, Any]


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self._lines: list[Line] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, dict):
            with self._guard:
                self._lines.append(dict(record.msg))

    def lines(self, event: str | None = None, **fields: Any) -> list[Line]:
        """The lines so far named ``event`` (any, if None) whose ``fields`` have these values."""
        with self._guard:
            lines = list(self._lines)
        return [
            line
            for line in lines
            if (event is None or line.get("event") == event)
            and all(line.get(k) == v for k, v in fields.items())
        ]

    def wait(self, event: str, count: int = 1, timeout: float = 30.0, **fields: Any) -> list[Line]:
        """The lines ``lines(event, **fields)`` gives, once there are ``count`` of them."""

        def enough() -> list[Line] | None:
            lines = self.lines(event, **fields)
            return lines if len(lines) >= count else None

        found: list[Line] = wait_for(enough, timeout, what=f"{count} {event} line(s) {fields}")
        return found


@contextmanager
def captured() -> Iterator[Captured]:
    """Every structlog line logged in this process while the block runs."""
    handler = Captured()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
