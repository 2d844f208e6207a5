"""Users a deployment needs before anybody can sign in: the service user publish reads
verify with (its token chosen by the operator, so it can sit in the environment before the
first start), and the first admin. Both idempotent: running them again changes nothing.
"""

from __future__ import annotations

from services.auth import repository, tokens
from services.auth.repository import TokenRecord, UserRecord
from services.auth.service import CreatedUser, Role, create_user, find_user
from services.clock import utcnow
from services.errors import Conflict, NotFound, ValidationFailed


def ensure_token(name: str, role: Role, value: str) -> bool:
    """Make ``value`` a valid token of user ``name`` (created with ``role`` if missing).

    True when something was registered, False when it already was. A token that belongs
    to somebody else, or a user with another role or revoked, is a conflict: nothing is
    changed then."""
    parsed = tokens.parse(value)
    if parsed is None:
        raise ValidationFailed(
            "The token is not a Newsroom token: nr_<16 hex digits>_<43 URL-safe characters>."
        )
    token_id, secret = parsed
    user = _user_with_role(name, role)
    record = repository.token(token_id)
    if record is not None:
        if record.user_id != user.user_id or not tokens.matches(secret, record.digest):
            raise Conflict(f"The token's id is already in use, not by {name!r}.")
        if record.revoked_at is not None:
            raise Conflict(f"This token of {name!r} was revoked: choose a new one.")
        return False
    try:
        repository.add_token(
            TokenRecord(
                token_id=token_id,
                user_id=user.user_id,
                digest=tokens.digest(secret),
                created_at=utcnow(),
            )
        )
    except repository.Taken:
        # Another bootstrap registered it meanwhile: the same answer as if it had been first.
        return ensure_token(name, role, value)
    return True


def _user_with_role(name: str, role: Role) -> UserRecord:
    try:
        user = find_user(name)
    except NotFound:
        try:
            created = create_user(name, role)
        except Conflict:  # made meanwhile by another bootstrap
            return _user_with_role(name, role)
        # create_user issues a token nobody asked for: it is never shown, so withdraw it.
        issued = tokens.parse(created.token)
        if issued is not None:
            repository.revoke_token(issued[0], utcnow())
        user = find_user(name)
    if user.role != role.value:
        raise Conflict(f"User {name!r} exists with role {user.role}, not {role.value}.")
    if user.revoked_at is not None:
        raise Conflict(f"User {name!r} is revoked.")
    return user


def first_admin(name: str) -> CreatedUser | None:
    """Create admin ``name`` with a token; None when a user of that name already exists
    (its token is not shown again: ``newsroom users token`` issues another)."""
    try:
        find_user(name)
        return None
    except NotFound:
        pass
    try:
        return create_user(name, Role.ADMIN)
    except Conflict:
        return None
