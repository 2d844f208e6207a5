"""Times in the consoles, in one style: relative ("5 min ago", "in 9 min"), with the exact
time in a ``<time datetime>`` and its title (the ``when`` macro)."""

from __future__ import annotations

from datetime import UTC, datetime


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def iso(at: datetime | None) -> str:
    return _aware(at).isoformat(timespec="seconds") if at else ""


def stamp(at: datetime | None) -> str:
    """``2026-05-04 13:02:11 UTC``"""
    return _aware(at).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC") if at else ""


def ago(at: datetime | None) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``in 9 min`` (a lease's end), else a date."""
    if at is None:
        return ""
    seconds = (datetime.now(UTC) - _aware(at)).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 45:
        text = "under a minute" if future else "just now"
        return f"in {text}" if future else text
    if seconds < 3600:
        amount = f"{round(seconds / 60)} min"
    elif seconds < 48 * 3600:
        amount = f"{round(seconds / 3600)} h"
    else:
        return _aware(at).astimezone(UTC).strftime("%Y-%m-%d")
    return f"in {amount}" if future else f"{amount} ago"


def parse_time(value: str | None) -> datetime | None:
    """An ISO 8601 time from JSON (a feed's ``date_published``), to show like the others."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None
