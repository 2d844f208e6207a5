"""Authentication and roles shared by every service."""

from services.auth import console_sessions
from services.auth.models import ALIAS, DOCUMENTS
from services.auth.repository import TokenRecord, UserRecord
from services.auth.service import (
    HUMAN_ROLES,
    Authenticator,
    CreatedUser,
    Principal,
    Role,
    backfill_name_keys,
    create_user,
    find_user,
    is_revoked,
    list_users,
    new_token_for,
    revoke_token,
    revoke_user,
    revoked_since,
    rotate_token,
    set_display_name,
    tokens_of,
    users_page,
)

__all__ = [
    "ALIAS",
    "DOCUMENTS",
    "HUMAN_ROLES",
    "Authenticator",
    "CreatedUser",
    "Principal",
    "Role",
    "TokenRecord",
    "UserRecord",
    "backfill_name_keys",
    "console_sessions",
    "create_user",
    "find_user",
    "is_revoked",
    "list_users",
    "new_token_for",
    "revoke_token",
    "revoke_user",
    "revoked_since",
    "rotate_token",
    "set_display_name",
    "tokens_of",
    "users_page",
]
