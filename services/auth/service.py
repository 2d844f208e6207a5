"""Users, roles and tokens: create, revoke, authenticate."""

from __future__ import annotations

import re
import threading
import time
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services import text
from services.auth import repository, tokens
from services.auth.repository import TokenCheck, TokenRecord, UserCheck, UserRecord
from services.clock import utcnow
from services.cursors import decode_cursor, encode_cursor
from services.errors import Conflict, NotFound, Unauthorized, ValidationFailed


class Role(StrEnum):
    REPORTER = "reporter"
    REVIEWER = "reviewer"
    EDITOR = "editor"
    ADMIN = "admin"
    # Machine-to-machine: publish reads verify's snapshots with it. Nothing else.
    SERVICE = "service"


HUMAN_ROLES = (Role.REPORTER, Role.REVIEWER, Role.EDITOR, Role.ADMIN)
# ``issued_by`` of a token made by the ``newsroom users`` command (on the store's host);
# parentheses keep it apart from every user name.
CLI_ISSUER = "(cli)"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._'-]{0,99}$")


@dataclass(frozen=True)
class Principal:
    user_id: str
    name: str
    role: Role
    display_name: str | None = None

    @property
    def byline(self) -> str:
        """The name readers see: the display name, else the login name."""
        return self.display_name or self.name


@dataclass(frozen=True)
class CreatedUser:
    principal: Principal
    token: str


def name_key(name: str) -> str:
    """What makes two user names the same: NFC, then case folded (and NFC again, since
    folding can decompose)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", name).casefold())


def create_user(
    name: str,
    role: Role | str,
    display_name: str | None = None,
    *,
    issued_by: str = CLI_ISSUER,
) -> CreatedUser:
    """A new user and their first token, recorded as issued by ``issued_by``."""
    name = unicodedata.normalize("NFC", name.strip())
    if not _NAME.match(name):
        raise ValidationFailed(
            "A user name is 1-100 letters, digits, spaces or . _ ' -, "
            "starting with a letter or digit."
        )
    display_name = _display_name(display_name)
    try:
        role = Role(role)
    except ValueError as exc:
        raise ValidationFailed(f"Unknown role {role!r}; one of {', '.join(Role)}.") from exc
    key = name_key(name)
    backfill_name_keys()  # users from before names had a key: none after the first time
    if _by_name(name) is not None:
        raise Conflict(f"A user named {name!r} already exists (names ignore case).")
    user = UserRecord(
        user_id=f"u_{uuid.uuid4().hex[:16]}",
        name=name,
        name_key=key,
        role=role.value,
        display_name=display_name,
        created_at=utcnow(),
    )
    try:
        repository.add_user(user)
    except repository.Taken as exc:
        raise Conflict(f"A user named {name!r} already exists (names ignore case).") from exc
    return CreatedUser(
        Principal(user.user_id, name, role, display_name), issue_token(user.user_id, issued_by)
    )


def _display_name(value: str | None) -> str | None:
    """Readers' name for a user: 1-100 printable characters, no markup; None when unset."""
    if value is None or not value.strip():
        return None
    # The text policy every field keeps (NFC, no controls, no bidi overrides, no markup).
    value = " ".join(text.check("display_name", value).split())
    if len(value) > 100:
        raise ValidationFailed(
            "A display name is 1-100 characters.",
            [{"loc": ["display_name"], "msg": f"{len(value)} characters",
              "type": "string_too_long"}],
        )  # fmt: skip
    return value


def issue_token(user_id: str, issued_by: str) -> str:
    new = tokens.generate()
    repository.add_token(
        TokenRecord(
            token_id=new.token_id,
            user_id=user_id,
            digest=tokens.digest(new.secret),
            created_at=utcnow(),
            issued_by=issued_by,
        )
    )
    return new.value


def _by_name(name: str) -> UserRecord | None:
    """The user called ``name`` in any case; one made before names had a key gets it now."""
    user = repository.user_by_key(name_key(name))
    if user is None:
        user = repository.unkeyed_user(name.strip())
        if user is not None:
            _set_name_key(user)
    return user


def _set_name_key(user: UserRecord) -> None:
    # An older user whose name differs only by case from a keyed one is left without a key.
    repository.set_name_key(user.user_id, name_key(user.name))


def backfill_name_keys() -> None:
    """Give users made before names had a key their key (``newsroom`` does at start,
    :func:`create_user` before it checks a name)."""
    for user in repository.unkeyed_users():
        _set_name_key(user)


def find_user(name: str) -> UserRecord:
    user = _by_name(name)
    if user is None:
        raise NotFound(f"No user named {name!r}.")
    return user


def new_token_for(name: str, issued_by: str = CLI_ISSUER) -> str:
    user = find_user(name)
    if user.revoked_at is not None:
        raise Conflict(f"User {name!r} is revoked.")
    value = issue_token(user.user_id, issued_by)
    # A revocation that ran meanwhile marked the user before sweeping their tokens: if
    # the mark is there now, this token may have missed the sweep, so sweep it here.
    if repository.is_revoked(user.user_id):
        repository.revoke_tokens_of(user.user_id, utcnow())
        raise Conflict(f"User {name!r} is revoked.")
    return value


def is_revoked(user_id: str) -> bool:
    """Whether the user with this id was revoked (what they hold, a claim's lease, ends)."""
    return repository.is_revoked(user_id)


def revoked_since(since: datetime) -> list[UserRecord]:
    """The users revoked after ``since`` (verify ends the leases they still hold)."""
    return repository.revoked_since(since)


def revoke_token(name: str, token_id: str) -> TokenRecord:
    """Revoke one of ``name``'s tokens (its public id, ``nr_<token_id>_...``): refused on
    the next request in every process, the user and their other tokens unchanged. How a
    token is rotated: issue another, move its users to it, revoke this one."""
    user = find_user(name)
    found = repository.token(token_id)
    if found is None or found.user_id != user.user_id:
        raise NotFound(f"{user.name} has no token {token_id!r}.")
    if found.revoked_at is None:
        repository.revoke_token(token_id, utcnow())
    revoked = repository.token(token_id)
    assert revoked is not None  # tokens are never deleted
    return revoked


def revoke_user(name: str) -> UserRecord:
    """Revoke the user, every token they hold and every console session they have.

    The user is marked first, then the tokens: see :func:`new_token_for`."""
    user = find_user(name)
    if user.role == Role.ADMIN and user.revoked_at is None and repository.active_admins(2) < 2:
        # Nobody could manage users over HTTP again; the command line still could, but
        # a desk without shell access would be locked out by one click.
        raise Conflict(
            f"{user.name} is the last admin; make another admin first "
            "(POST /v1/users, or newsroom users add NAME --role admin)."
        )
    now = utcnow()
    repository.mark_revoked(user.user_id, now)
    repository.revoke_tokens_of(user.user_id, now)
    repository.end_sessions_of(user.user_id)
    revoked = repository.user(user.user_id)
    if revoked is None:  # deleted meanwhile: users are never deleted
        raise NotFound(f"No user named {name!r}.")
    return revoked


def set_display_name(name: str, display_name: str | None) -> UserRecord:
    """Give ``name`` the byline readers see (None or blank: the login name again). Reports
    already stored keep the byline they were filed under; the next one carries this."""
    user = find_user(name)
    repository.set_display_name(user.user_id, _display_name(display_name))
    changed = repository.user(user.user_id)
    if changed is None:  # deleted meanwhile: users are never deleted
        raise NotFound(f"No user named {name!r}.")
    return changed


USERS_CURSOR = ("name",)
USERS_PAGE = 200


def users_page(cursor: str | None, limit: int) -> tuple[list[UserRecord], str | None]:
    """A page of users by name and the cursor of the next (None at the end); a cursor
    this listing did not give out is a 400."""
    after = decode_cursor(cursor, USERS_CURSOR)["name"] if cursor else None
    found = repository.users_page(after, limit + 1)
    page = found[:limit]
    more = len(found) > limit
    return page, encode_cursor({"name": page[-1].name}) if more else None


def list_users(page_size: int = USERS_PAGE) -> Iterator[UserRecord]:
    """Every user by name, a page at a time: one read of them all would hold the store
    while it decodes every user."""
    cursor: str | None = None
    while True:
        page, cursor = users_page(cursor, page_size)
        yield from page
        if cursor is None:
            return


def tokens_of(user: UserRecord) -> list[TokenRecord]:
    """Every token of ``user``, oldest first: when, by whom, and whether revoked."""
    return repository.tokens_of(user.user_id)


class Authenticator:
    """Token -> principal. The token's record is read on every request, so a revoked
    token (``revoke_user`` revokes every token of the user) fails on the next request in
    every process. Concurrent requests' reads leave together, as one command (see
    :mod:`services.coalesce`): each request's token is read by a command that starts after
    the request arrived, so a grouped read is as fresh as a read of its own. Only the
    user's name and role are cached, per token, for ``cache_seconds``: a role never
    changes under a live token (``rotate_token`` revokes the old ones)."""

    def __init__(self, cache_seconds: float) -> None:
        self._ttl = cache_seconds
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._lock = threading.Lock()

    def authenticate(self, value: str) -> Principal:
        """In a worker thread (the consoles, the command line)."""
        token_id, secret = _parse(value)
        user_id = _check(repository.token_reads.call(token_id), secret)
        return self._cached(token_id) or self._remember(
            token_id, repository.user_reads.call(user_id)
        )

    async def authenticate_async(self, value: str) -> Principal:
        """On the event loop (the API's routes): the reads hold no thread."""
        token_id, secret = _parse(value)
        user_id = _check(await repository.token_reads.acall(token_id), secret)
        return self._cached(token_id) or self._remember(
            token_id, await repository.user_reads.acall(user_id)
        )

    def _cached(self, token_id: str) -> Principal | None:
        with self._lock:
            hit = self._cache.get(token_id)
        return hit[1] if hit and hit[0] > time.monotonic() else None

    def _remember(self, token_id: str, user: UserCheck | None) -> Principal:
        if user is None or user.revoked:
            raise Unauthorized(f"The user of this token has been revoked. {_ASK}")
        principal = Principal(user.user_id, user.name, Role(user.role), user.display_name)
        if self._ttl > 0:
            with self._lock:
                if len(self._cache) > 10_000:
                    self._cache.clear()
                self._cache[token_id] = (time.monotonic() + self._ttl, principal)
        return principal


# What a refused token's holder does: tokens are issued by admins (or `newsroom users`).
_ASK = "Ask an admin for a new token (`newsroom users token NAME`)."


def _parse(value: str) -> tuple[str, str]:
    parsed = tokens.parse(value)
    if parsed is None:
        raise Unauthorized(
            "The bearer token is malformed: a Newsroom token is nr_, its id, _ and its "
            "secret, as it was shown when it was issued. Check that it was copied whole."
        )
    return parsed


def _check(record: TokenCheck | None, secret: str) -> str:
    """The user id of a valid, unrevoked token record; else the caller is refused."""
    if record is None or not tokens.matches(secret, record.digest):
        raise Unauthorized(
            "The bearer token is not valid (mistyped, or issued by another Newsroom). Check it; "
            f"{_ASK}"
        )
    if record.revoked:
        raise Unauthorized(f"The bearer token has been revoked. {_ASK}")
    return record.user_id


def rotate_token(name: str, role: Role, display_name: str | None = None) -> str:
    """A fresh token for ``name`` (created with ``role`` if missing); its older tokens stop
    working. Used for the embedded stack's demo and service users on every start."""
    user = _by_name(name)
    if user is None:
        return create_user(name, role, display_name, issued_by=CLI_ISSUER).token
    repository.revoke_tokens_of(user.user_id, utcnow())
    if display_name:  # a blank one clears it
        repository.reinstate(user.user_id, role.value, display_name=_display_name(display_name))
    else:
        repository.reinstate(user.user_id, role.value)
    return issue_token(user.user_id, CLI_ISSUER)
