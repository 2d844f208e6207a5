"""What every ``newsroom`` command shares: the settings it runs with, how it speaks to a
person, how it fails, and its connection to the users' store."""

from __future__ import annotations

import typer

from newsroom import local
from services.settings import Settings

# The settings the running command uses: what an error names when a part does not answer.
USED: dict[str, Settings] = {}


def used_settings() -> Settings:
    from services.log import configure_logging

    settings = USED["settings"] = local.load_settings()
    # The command's own output is for people; library chatter only when something is wrong.
    configure_logging("WARNING", "console")
    return settings


def say(message: str) -> None:
    typer.echo(f"  {message}")


def fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def connect_auth(settings: Settings) -> None:
    from services import auth
    from services.store import connect_store, ensure_indexes

    connect_store(settings, auth.ALIAS)
    ensure_indexes(auth.DOCUMENTS)
    auth.backfill_name_keys()
