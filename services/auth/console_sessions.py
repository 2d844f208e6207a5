"""The consoles' signed-in sessions, on the server: a random id sealed in the cookie, its
SHA-256 stored here. Signing out deletes the record, so the cookie, even replayed from a
copy, is signed out on its next request in every process."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from services.auth import repository
from services.clock import utcnow


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(user_id: str, console: str, seconds: int) -> str:
    """A new session of ``user_id`` on ``console``; returns the id the cookie carries."""
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    # Sessions that ran out without a sign-out are cleared here, a user at a time.
    repository.end_sessions_of(user_id, ended_by=now)
    if not repository.add_session(
        _digest(session_id), user_id, console, now, now + timedelta(seconds=seconds)
    ):
        raise repository.Taken(_digest(session_id))  # 256 random bits: never in practice
    return session_id


def alive(session_id: str, user_id: str, console: str) -> bool:
    return repository.session_alive(_digest(session_id), user_id, console, utcnow())


def end(session_id: str) -> None:
    repository.end_session(_digest(session_id))


def use_once(nonce: str, user_id: str, seconds: int) -> bool:
    """Record a one-time hand-off between consoles (``services/ui/handoff.py``); False
    when its nonce was recorded before (a replayed link). The record names no console,
    so no session can ever be opened with it."""
    now = utcnow()
    return repository.add_session(
        _digest(f"hand-off:{nonce}"), user_id, "(hand-off)", now, now + timedelta(seconds=seconds)
    )
