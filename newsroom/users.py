"""``newsroom users``: users, roles and tokens, for an admin at the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from newsroom.terminal import connect_auth, fail, used_settings

users_app = typer.Typer(help="Users, roles and tokens (admin).", no_args_is_help=True)


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help="reporter, reviewer, editor, admin (or service)")],
    display_name: Annotated[
        str | None, typer.Option(help="The name readers see in bylines (default: NAME)")
    ] = None,
) -> None:
    """Create a user; prints the new token alone on the last line (shown once, stored hashed)."""
    from services import auth
    from services.errors import NewsroomError

    settings = used_settings()
    connect_auth(settings)
    if role not in list(auth.Role):
        fail(f"unknown role {role!r}; one of {', '.join(auth.Role)}")
    try:
        created = auth.create_user(name, role, display_name)
    except NewsroomError as exc:
        fail(exc.detail)
    typer.echo(
        f"Created {created.principal.name} ({created.principal.role.value}). Token (shown once):",
        err=True,
    )
    typer.echo(created.token)


@users_app.command("set")
def users_set(
    name: str,
    display_name: Annotated[
        str,
        typer.Option(help='The byline readers see on their next reports ("" for NAME)'),
    ],
) -> None:
    """Change a user's display name (the byline); reports already filed keep theirs."""
    from services import auth
    from services.errors import NewsroomError

    connect_auth(used_settings())
    try:
        user = auth.set_display_name(name, display_name)
    except NewsroomError as exc:
        fail(exc.detail)
    typer.echo(f"{user.name} now signs as {user.display_name or user.name}.")


@users_app.command("list")
def users_list() -> None:
    """List users, their roles and whether they are revoked."""
    from services import auth

    connect_auth(used_settings())
    typer.echo(f"{'name':<24} {'role':<9} {'created':<20} state")
    for user in auth.list_users():
        state = "revoked" if user.revoked_at else "active"
        typer.echo(f"{user.name:<24} {user.role:<9} {user.created_at:%Y-%m-%d %H:%M:%S}  {state}")


@users_app.command("show")
def users_show(name: str) -> None:
    """A user and every token they have had: when, by whom, whether revoked."""
    from services import auth
    from services.errors import NewsroomError

    connect_auth(used_settings())
    try:
        user = auth.find_user(name)
    except NewsroomError as exc:
        fail(exc.detail)
    state = "revoked" if user.revoked_at else "active"
    typer.echo(f"{user.name} ({user.role}, {state}), created {user.created_at:%Y-%m-%d %H:%M:%S}")
    typer.echo(f"{'token':<18} {'issued':<20} {'issued by':<24} state")
    for token in auth.tokens_of(user):
        issued_by = token.issued_by or "(not recorded)"
        token_state = "revoked" if token.revoked_at else "active"
        issued_at = f"{token.created_at:%Y-%m-%d %H:%M:%S}"
        typer.echo(f"{token.token_id:<18} {issued_at:<20} {issued_by:<24} {token_state}")


@users_app.command("revoke")
def users_revoke(name: str) -> None:
    """Revoke a user and every token they hold."""
    from services import auth
    from services.errors import NewsroomError

    connect_auth(used_settings())
    try:
        auth.revoke_user(name)
    except NewsroomError as exc:
        fail(exc.detail)
    typer.echo(f"Revoked {name} and all their tokens.")


@users_app.command("revoke-token")
def users_revoke_token(name: str, token_id: str) -> None:
    """Revoke one of a user's tokens (its id, as `users show` lists it); the others stay."""
    from services import auth
    from services.errors import NewsroomError

    connect_auth(used_settings())
    try:
        auth.revoke_token(name, token_id)
    except NewsroomError as exc:
        fail(exc.detail)
    typer.echo(f"Revoked token {token_id} of {name}.")


@users_app.command("token")
def users_token(name: str) -> None:
    """Issue another token for an existing user; prints it alone on the last line."""
    from services import auth
    from services.errors import NewsroomError

    connect_auth(used_settings())
    try:
        token = auth.new_token_for(name)
    except NewsroomError as exc:
        fail(exc.detail)
    typer.echo(token)
