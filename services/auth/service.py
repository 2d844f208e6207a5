"""Users, roles and tokens: create, revoke, authenticate."""

from __future__ import annotations

import re
import threading
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum

from mongoengine import NotUniqueError

from services.auth import tokens
from services.auth.models import ApiToken, User
from services.contracts import utcnow
from services.errors import Conflict, NotFound, Unauthorized, ValidationFailed


class Role(StrEnum):
    REPORTER = "reporter"
    REVIEWER = "reviewer"
    EDITOR = "editor"
    ADMIN = "admin"
    # Machine-to-machine: publish reads verify's snapshots with it. Nothing else.
    SERVICE = "service"


HUMAN_ROLES = (Role.REPORTER, Role.REVIEWER, Role.EDITOR, Role.ADMIN)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._'-]{0,99}$")


@dataclass(frozen=True)
class Principal:
    user_id: str
    name: str
    role: Role


@dataclass(frozen=True)
class CreatedUser:
    principal: Principal
    token: str


def create_user(name: str, role: Role | str) -> CreatedUser:
    name = name.strip()
    if not _NAME.match(name):
        raise ValidationFailed(
            "A user name is 1-100 letters, digits, spaces or . _ ' -, "
            "starting with a letter or digit."
        )
    try:
        role = Role(role)
    except ValueError as exc:
        raise ValidationFailed(f"Unknown role {role!r}; one of {', '.join(Role)}.") from exc
    user = User(
        user_id=f"u_{uuid.uuid4().hex[:16]}", name=name, role=role.value, created_at=utcnow()
    )
    try:
        user.save(force_insert=True)
    except NotUniqueError as exc:
        raise Conflict(f"A user named {name!r} already exists.") from exc
    return CreatedUser(Principal(user.user_id, name, role), issue_token(user.user_id))


def issue_token(user_id: str) -> str:
    new = tokens.generate()
    ApiToken(
        token_id=new.token_id,
        user_id=user_id,
        digest=tokens.digest(new.secret),
        created_at=utcnow(),
    ).save(force_insert=True)
    return new.value


def find_user(name: str) -> User:
    user = User.objects(name=name).first()
    if user is None:
        raise NotFound(f"No user named {name!r}.")
    return user  # type: ignore[no-any-return]


def new_token_for(name: str) -> str:
    user = find_user(name)
    if user.revoked_at is not None:
        raise Conflict(f"User {name!r} is revoked.")
    return issue_token(user.user_id)


def revoke_user(name: str) -> User:
    """Revoke the user and every token they hold."""
    user = find_user(name)
    now = utcnow()
    User.objects(user_id=user.user_id, revoked_at=None).update(set__revoked_at=now)
    ApiToken.objects(user_id=user.user_id, revoked_at=None).update(set__revoked_at=now)
    user.reload()
    return user


def list_users() -> list[User]:
    return list(User.objects.order_by("name"))


class Authenticator:
    """Token -> principal, with a short cache so a busy service does not hit the store on
    every request. A revocation reaches it within ``cache_seconds``."""

    def __init__(self, cache_seconds: float) -> None:
        self._ttl = cache_seconds
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def authenticate(self, value: str) -> Principal:
        now = time.monotonic()
        if self._ttl > 0:
            with self._lock:
                hit = self._cache.get(value)
            if hit and hit[0] > now:
                return hit[1]
        principal = self._lookup(value)
        if self._ttl > 0:
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[value] = (now + self._ttl, principal)
        return principal

    @staticmethod
    def _lookup(value: str) -> Principal:
        parsed = tokens.parse(value)
        if parsed is None:
            raise Unauthorized("The bearer token is malformed.")
        token_id, secret = parsed
        record = ApiToken.objects(token_id=token_id).first()
        if record is None or not tokens.matches(secret, record.digest):
            raise Unauthorized("The bearer token is not valid.")
        if record.revoked_at is not None:
            raise Unauthorized("The bearer token has been revoked.")
        user = User.objects(user_id=record.user_id).first()
        if user is None or user.revoked_at is not None:
            raise Unauthorized("The user of this token has been revoked.")
        return Principal(user.user_id, user.name, Role(user.role))


def rotate_token(name: str, role: Role) -> str:
    """A fresh token for ``name`` (created with ``role`` if missing); its older tokens stop
    working. Used for the embedded stack's demo and service users on every start."""
    user = User.objects(name=name).first()
    if user is None:
        return create_user(name, role).token
    now = utcnow()
    ApiToken.objects(user_id=user.user_id, revoked_at=None).update(set__revoked_at=now)
    User.objects(user_id=user.user_id).update(set__revoked_at=None, set__role=role.value)
    return issue_token(user.user_id)
