"""Admin endpoints for users and tokens (mounted by ingest). The same operations as the
`newsroom users` command; a token is shown once, when it is made, and recorded with the
admin who issued it (``GET /v1/users/{name}`` reads that audit back)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services import auth
from services.auth import Principal, Role
from services.http.deps import PageCursor, PageLimit, require
from services.text import LINE, PlainText

# A byline: what readers see in place of the login name; blank or null means the name.
DisplayName = Annotated[str, StringConstraints(max_length=100), LINE]

router = APIRouter(prefix="/v1/users", tags=["users"])
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid token"},
    403: {"description": "Not an admin"},
}


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    name: PlainText = Field(min_length=1, max_length=100)
    # Strict mode would want a Role instance; from JSON the value is a string.
    role: Role = Field(strict=False)
    display_name: DisplayName | None = Field(
        None, description="The byline readers see, 1-100 characters (default: the name)"
    )


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    display_name: DisplayName | None = Field(
        description='The byline readers see on the user\'s next reports; null or "": '
        "the name. Reports already filed keep theirs."
    )


class UserOut(BaseModel):
    user_id: str
    name: str
    role: str
    display_name: str | None
    created_at: datetime
    revoked: bool


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null at the end")


class TokenRecordOut(BaseModel):
    token_id: str = Field(description="The token's public id (`nr_<token_id>_...`).")
    issued_at: datetime
    issued_by: str | None = Field(
        description="The admin who issued it, `(cli)` for the newsroom command, "
        "null for tokens older than this record."
    )
    revoked_at: datetime | None


class UserDetailOut(UserOut):
    tokens: list[TokenRecordOut]


class TokenOut(BaseModel):
    name: str
    token: str = Field(description="Shown once; stored only as a hash.")


class CreatedUserOut(UserOut):
    token: str = Field(description="Shown once; stored only as a hash.")


def _out(user: auth.UserRecord) -> UserOut:
    return UserOut(
        user_id=user.user_id,
        name=user.name,
        role=user.role,
        display_name=user.display_name,
        created_at=user.created_at,
        revoked=user.revoked_at is not None,
    )


def _token_out(token: auth.TokenRecord) -> TokenRecordOut:
    return TokenRecordOut(
        token_id=token.token_id,
        issued_at=token.created_at,
        issued_by=token.issued_by,
        revoked_at=token.revoked_at,
    )


@router.post("", status_code=201, response_model=CreatedUserOut, responses=PROBLEMS)
def create_user(payload: UserIn, admin: Admin) -> CreatedUserOut:
    created = auth.create_user(
        payload.name, payload.role, payload.display_name, issued_by=admin.name
    )
    user = auth.service.find_user(created.principal.name)
    return CreatedUserOut(**_out(user).model_dump(), token=created.token)


@router.get(
    "",
    response_model=UserPage,
    summary="Users by name, in cursor pages",
    responses={**PROBLEMS, 400: {"description": "A cursor this listing did not give out"}},
)
def list_users(
    _: Admin,
    cursor: PageCursor = None,
    limit: PageLimit = 50,
) -> UserPage:
    users, next_cursor = auth.users_page(cursor, limit)
    return UserPage(items=[_out(u) for u in users], next_cursor=next_cursor)


@router.get("/{name}", response_model=UserDetailOut, responses=PROBLEMS)
def get_user(name: str, _: Admin) -> UserDetailOut:
    """The user and every token they have had: when, by whom, and whether revoked."""
    user = auth.find_user(name)
    tokens = [_token_out(t) for t in auth.tokens_of(user)]
    return UserDetailOut(**_out(user).model_dump(), tokens=tokens)


@router.patch("/{name}", response_model=UserOut, responses=PROBLEMS)
def change_user(name: str, payload: UserChange, _: Admin) -> UserOut:
    """Change what readers see of a user: their byline."""
    return _out(auth.set_display_name(name, payload.display_name))


@router.delete("/{name}", response_model=UserOut, responses=PROBLEMS)
def revoke_user(name: str, _: Admin) -> UserOut:
    return _out(auth.revoke_user(name))


@router.delete("/{name}/tokens/{token_id}", response_model=TokenRecordOut, responses=PROBLEMS)
def revoke_token(name: str, token_id: str, _: Admin) -> TokenRecordOut:
    """Revoke one token (say, after issuing its replacement); the user keeps the others."""
    return _token_out(auth.revoke_token(name, token_id))


@router.post("/{name}/tokens", status_code=201, response_model=TokenOut, responses=PROBLEMS)
def new_token(name: str, admin: Admin) -> TokenOut:
    return TokenOut(name=name, token=auth.new_token_for(name, issued_by=admin.name))
