"""Users, tokens and console sessions in the auth database: the queries, over the raw
collections (:mod:`.models` declares them and their indexes), answering typed records.

Written as mongoengine stored them: ``_id`` for the id, no key for a None value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from services.auth.models import ApiToken, ConsoleSession, User
from services.coalesce import Coalescer


class Taken(Exception):
    """A unique key (a user's name, a token's or a session's id) is taken."""


@dataclass(frozen=True)
class UserRecord:
    user_id: str
    name: str
    role: str
    created_at: datetime
    # NFC + casefold of the name; None for users made before names had a key.
    name_key: str | None = None
    display_name: str | None = None
    revoked_at: datetime | None = None


@dataclass(frozen=True)
class TokenRecord:
    token_id: str
    user_id: str
    digest: str
    created_at: datetime
    revoked_at: datetime | None = None
    issued_by: str | None = None


def _users() -> Any:
    return User._get_collection()


def _tokens() -> Any:
    return ApiToken._get_collection()


def _sessions() -> Any:
    return ConsoleSession._get_collection()


def _insert(collection: Any, doc: dict[str, Any]) -> None:
    try:
        collection.insert_one(doc)
    except DuplicateKeyError as exc:
        raise Taken(str(doc["_id"])) from exc


def _add(collection: Any, record: UserRecord | TokenRecord, id_field: str) -> None:
    doc = {k: v for k, v in vars(record).items() if v is not None}
    doc["_id"] = doc.pop(id_field)
    _insert(collection, doc)


# --- users ----------------------------------------------------------------------------------


def _user(doc: dict[str, Any]) -> UserRecord:
    return UserRecord(
        user_id=doc["_id"],
        name=doc["name"],
        role=doc["role"],
        created_at=doc["created_at"],
        name_key=doc.get("name_key"),
        display_name=doc.get("display_name"),
        revoked_at=doc.get("revoked_at"),
    )


def add_user(user: UserRecord) -> None:
    """Store a new user (:class:`Taken` when its name is)."""
    _add(_users(), user, "user_id")


def user(user_id: str) -> UserRecord | None:
    doc = _users().find_one({"_id": user_id})
    return _user(doc) if doc else None


def user_by_key(key: str) -> UserRecord | None:
    doc = _users().find_one({"name_key": key})
    return _user(doc) if doc else None


def unkeyed_user(name: str) -> UserRecord | None:
    """The user called exactly ``name`` among those without a name key."""
    doc = _users().find_one({"name": name, "name_key": None})
    return _user(doc) if doc else None


def unkeyed_users() -> list[UserRecord]:
    return [_user(doc) for doc in _users().find({"name_key": None})]


def set_name_key(user_id: str, key: str) -> bool:
    """Give a user without a key ``key``; False when another user has it."""
    try:
        _users().update_one({"_id": user_id, "name_key": None}, {"$set": {"name_key": key}})
    except DuplicateKeyError:
        return False
    return True


def users_page(after: str | None, limit: int) -> list[UserRecord]:
    """Up to ``limit`` users by name, after the name ``after`` (names are unique, and
    indexed: one range read, never all of them)."""
    query = {"name": {"$gt": after}} if after is not None else {}
    found = _users().find(query).sort("name", ASCENDING).limit(limit)
    return [_user(doc) for doc in found]


def is_revoked(user_id: str) -> bool:
    return _users().find_one({"_id": user_id, "revoked_at": {"$ne": None}}, {"_id": 1}) is not None


def revoked_since(since: datetime) -> list[UserRecord]:
    """The users revoked after ``since``: no index on ``revoked_at`` (an entry per user
    for a rare admin act), so a read of the users collection, which is small (the desk's
    staff, not its readers)."""
    return [_user(doc) for doc in _users().find({"revoked_at": {"$gt": since}})]


def mark_revoked(user_id: str, at: datetime) -> None:
    _users().update_one({"_id": user_id, "revoked_at": None}, {"$set": {"revoked_at": at}})


_KEEP = object()


def active_admins(limit: int) -> int:
    """How many unrevoked admins there are, counted up to ``limit``."""
    return int(_users().count_documents({"role": "admin", "revoked_at": None}, limit=limit))


def set_display_name(user_id: str, display_name: str | None) -> None:
    _users().update_one({"_id": user_id}, {"$set": {"display_name": display_name}})


def reinstate(user_id: str, role: str, display_name: str | object | None = _KEEP) -> None:
    """Not revoked, with ``role`` (and ``display_name`` when given: None clears it)."""
    changes: dict[str, Any] = {"revoked_at": None, "role": role}
    if display_name is not _KEEP:
        changes["display_name"] = display_name
    _users().update_one({"_id": user_id}, {"$set": changes})


# --- tokens ---------------------------------------------------------------------------------


def _token(doc: dict[str, Any]) -> TokenRecord:
    return TokenRecord(
        token_id=doc["_id"],
        user_id=doc["user_id"],
        digest=doc["digest"],
        created_at=doc["created_at"],
        revoked_at=doc.get("revoked_at"),
        issued_by=doc.get("issued_by"),
    )


def add_token(token: TokenRecord) -> None:
    """Store a new token (:class:`Taken` when its id is)."""
    _add(_tokens(), token, "token_id")


def token(token_id: str) -> TokenRecord | None:
    doc = _tokens().find_one({"_id": token_id})
    return _token(doc) if doc else None


def tokens_of(user_id: str) -> list[TokenRecord]:
    """Oldest first."""
    found = _tokens().find({"user_id": user_id}).sort("created_at", ASCENDING)
    return [_token(doc) for doc in found]


def revoke_token(token_id: str, at: datetime) -> None:
    """Revoked at ``at``, unless it was already (the first revocation's time stays)."""
    _tokens().update_one({"_id": token_id, "revoked_at": None}, {"$set": {"revoked_at": at}})


def revoke_tokens_of(user_id: str, at: datetime) -> None:
    _tokens().update_many({"user_id": user_id, "revoked_at": None}, {"$set": {"revoked_at": at}})


# --- authentication: one command for concurrent requests' reads -----------------------------


@dataclass(frozen=True)
class TokenCheck:
    """What authenticating a token reads of it."""

    user_id: str
    digest: str
    revoked: bool


@dataclass(frozen=True)
class UserCheck:
    """What authenticating a token reads of its user."""

    user_id: str
    name: str
    role: str
    display_name: str | None
    revoked: bool


def _read_tokens(ids: list[str]) -> list[TokenCheck | None]:
    fields = {"digest": 1, "user_id": 1, "revoked_at": 1}
    found = {
        doc["_id"]: TokenCheck(doc["user_id"], doc["digest"], doc.get("revoked_at") is not None)
        for doc in _tokens().find({"_id": {"$in": list(set(ids))}}, projection=fields)
    }
    return [found.get(i) for i in ids]


def _read_users(ids: list[str]) -> list[UserCheck | None]:
    fields = {"name": 1, "role": 1, "display_name": 1, "revoked_at": 1}
    found = {
        doc["_id"]: UserCheck(
            doc["_id"],
            doc["name"],
            doc["role"],
            doc.get("display_name"),
            doc.get("revoked_at") is not None,
        )
        for doc in _users().find({"_id": {"$in": list(set(ids))}}, projection=fields)
    }
    return [found.get(i) for i in ids]


# One of each per process, as the auth database's connection is (mongoengine's "auth"
# alias). Read as stored, not through mongoengine: building documents cost more than the
# rest of an authentication.
token_reads: Coalescer[str, TokenCheck | None] = Coalescer("auth-token-reads", _read_tokens, 256)
user_reads: Coalescer[str, UserCheck | None] = Coalescer("auth-user-reads", _read_users, 256)


# --- console sessions -----------------------------------------------------------------------


def add_session(digest: str, user_id: str, console: str, at: datetime, until: datetime) -> bool:
    """Store a session (or a hand-off's nonce); False when its digest is stored already."""
    doc = {"_id": digest, "user_id": user_id, "console": console, "created_at": at,
           "expires_at": until}  # fmt: skip
    try:
        _insert(_sessions(), doc)
    except Taken:
        return False
    return True


def session_alive(digest: str, user_id: str, console: str, now: datetime) -> bool:
    query = {"_id": digest, "user_id": user_id, "console": console, "expires_at": {"$gt": now}}
    return _sessions().find_one(query, projection={"_id": 1}) is not None


def end_session(digest: str) -> None:
    _sessions().delete_one({"_id": digest})


def end_sessions_of(user_id: str, ended_by: datetime | None = None) -> None:
    """Every session of the user (only those over by ``ended_by``, when given)."""
    query: dict[str, Any] = {"user_id": user_id}
    if ended_by is not None:
        query["expires_at"] = {"$lte": ended_by}
    _sessions().delete_many(query)
