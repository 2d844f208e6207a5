"""The consoles' signed-in sessions, on the server: a random id sealed in the cookie, its
SHA-256 stored here. Signing out deletes the record, so the cookie, even replayed from a
copy, is signed out on its next request in every process."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from mongoengine.errors import NotUniqueError

from services.auth.models import ConsoleSession
from services.clock import utcnow


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(user_id: str, console: str, seconds: int) -> str:
    """A new session of ``user_id`` on ``console``; returns the id the cookie carries."""
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    # Sessions that ran out without a sign-out are cleared here, a user at a time.
    ConsoleSession.objects(user_id=user_id, expires_at__lte=now).delete()
    ConsoleSession(
        session_digest=_digest(session_id),
        user_id=user_id,
        console=console,
        created_at=now,
        expires_at=now + timedelta(seconds=seconds),
    ).save(force_insert=True)
    return session_id


def alive(session_id: str, user_id: str, console: str) -> bool:
    found = ConsoleSession._get_collection().find_one(
        {
            "_id": _digest(session_id),
            "user_id": user_id,
            "console": console,
            "expires_at": {"$gt": utcnow()},
        },
        projection={"_id": 1},
    )
    return found is not None


def end(session_id: str) -> None:
    ConsoleSession.objects(session_digest=_digest(session_id)).delete()


def use_once(nonce: str, user_id: str, seconds: int) -> bool:
    """Record a one-time hand-off between consoles (``services/ui/handoff.py``); False
    when its nonce was recorded before (a replayed link). The record names no console,
    so no session can ever be opened with it."""
    now = utcnow()
    record = ConsoleSession(
        session_digest=_digest(f"hand-off:{nonce}"),
        user_id=user_id,
        console="(hand-off)",
        created_at=now,
        expires_at=now + timedelta(seconds=seconds),
    )
    try:
        record.save(force_insert=True)
    except NotUniqueError:
        return False
    return True
