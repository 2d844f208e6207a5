"""Time as the code reads it where behaviour depends on it (console sessions expire,
verify's leases end), passed in, so a test sets the time instead of waiting for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class SetClock:
    """A clock that stands still until a test moves it."""

    at: datetime

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


@dataclass
class MovableClock:
    """The real time moved forward by what a test asked for: a running service's time
    goes on, and a test skips ahead (past a lease's end) without waiting."""

    offset: timedelta = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


SYSTEM_CLOCK = SystemClock()


def utcnow(clock: Clock = SYSTEM_CLOCK) -> datetime:
    """Now by ``clock``, in UTC, at the store's precision (milliseconds): what a change
    answers or sends is what it stored. The one ``utcnow`` of every service."""
    now = clock.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def json_time(at: datetime) -> str:
    """``at`` as the APIs' JSON writes a time (pydantic's form, UTC as ``Z``), for a time
    put into a problem or a message by hand: the same instant reads the same everywhere."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
