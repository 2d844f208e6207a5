"""Structured logging: one event name per line, data as key-value pairs.

JSON when stdout is not a terminal, readable when it is. ``merge_contextvars`` comes
first so a request id or trace id bound once shows on every line of that request or
message. The standard library's loggers (uvicorn, kafka-python, pymongo) go through the
same renderer.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog

from services.ids import random_hex

TRACE_HEADER = "traceparent"


def configure_logging(
    level: str = "INFO", fmt: str = "auto", service: str | None = None, *, to_stdout: bool = True
) -> None:
    """Set up structlog and route the standard library's loggers through it.

    ``to_stdout=False`` leaves the root logger's handlers alone (the tests: pytest
    captures records and shows them for failing tests only)."""
    use_json = fmt == "json" or (fmt == "auto" and not sys.stdout.isatty())
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    if service:
        shared.append(_add_service(service))
    renderer: structlog.types.Processor
    if use_json:
        shared.append(structlog.processors.format_exc_info)
        renderer = structlog.processors.JSONRenderer()
    else:
        # Colours only for a terminal: `newsroom up > file` gets no escape codes.
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stdout.isatty())

    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    root = logging.getLogger()
    if to_stdout:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(formatter)
        root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # The Kafka client logs every reconnect at INFO/WARNING; keep its noise for real faults.
    logging.getLogger("kafka").setLevel(logging.ERROR)
    logging.getLogger("pymongo").setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)


def _add_service(service: str) -> structlog.types.Processor:
    def add(_: Any, __: str, event_dict: structlog.types.EventDict) -> structlog.types.EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return add


def new_trace_id() -> str:
    return random_hex()


def bind_trace(trace_id: str | None, **also: Any) -> str:
    """Bind a trace id (and ``also``) for the current context (request or message) and
    return it."""
    trace_id = trace_id or new_trace_id()
    structlog.contextvars.bind_contextvars(trace_id=trace_id, **also)
    return trace_id


@contextmanager
def bound_trace(trace_id: str | None) -> Iterator[None]:
    """``trace_id`` on every line logged in the block, then what was bound before again
    (nothing bound for None): a worker's work for one story, outside the request or
    message that began it, in that story's trace."""
    if not trace_id:
        yield
        return
    with structlog.contextvars.bound_contextvars(trace_id=trace_id):
        yield


def current_trace_id() -> str | None:
    value = structlog.contextvars.get_contextvars().get("trace_id")
    return str(value) if value else None


def trace_id_of(traceparent: str | None) -> str | None:
    """The trace id of a W3C traceparent value (None when it is not one)."""
    parts = traceparent.split("-") if traceparent else ()
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None


def traceparent_of(trace_id: str) -> str:
    """A W3C traceparent value carrying our trace id (span id is not tracked)."""
    return f"00-{trace_id[:32].rjust(32, '0')}-{'0' * 15}1-01"


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
