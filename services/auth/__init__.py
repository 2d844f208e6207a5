"""Authentication and roles shared by every service."""

from services.auth.models import ALIAS, DOCUMENTS
from services.auth.service import (
    HUMAN_ROLES,
    Authenticator,
    CreatedUser,
    Principal,
    Role,
    create_user,
    list_users,
    new_token_for,
    revoke_user,
    rotate_token,
)

__all__ = [
    "ALIAS",
    "DOCUMENTS",
    "HUMAN_ROLES",
    "Authenticator",
    "CreatedUser",
    "Principal",
    "Role",
    "create_user",
    "list_users",
    "new_token_for",
    "revoke_user",
    "rotate_token",
]
