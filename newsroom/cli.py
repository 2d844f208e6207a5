"""The ``newsroom`` command: run the embedded stack, manage users, submit stories."""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from newsroom import local
from newsroom import stack as embedded
from newsroom.dlq import dlq_app
from newsroom.terminal import USED, connect_auth, fail, say, used_settings
from newsroom.users import users_app
from services.settings import ServiceName, Settings

app = typer.Typer(
    help="Newsroom: hold every story until its contested claims carry attribution.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(users_app, name="users")
app.add_typer(dlq_app, name="dlq")

DEMO_USERS = local.DEMO_USERS
# What readers see in the demo stories' bylines.
DEMO_DISPLAY_NAMES = {"demo-reporter": "Dana Reyes"}
SERVICE_USER = "svc-publish"


# --- the embedded stack ------------------------------------------------------------------


@app.command()
def up(
    demo_users: Annotated[bool, typer.Option(help="Create a demo user per role")] = True,
    new_tokens: Annotated[
        bool, typer.Option(help="Give the demo users new tokens (the old ones stop working)")
    ] = False,
    restart: Annotated[
        bool, typer.Option(help="Stop what runs first, then start with the settings given now")
    ] = False,
) -> None:
    """Start broker, store, ingest, verify and publish on this machine.

    The settings it starts with (ports included) are kept in <home>/settings.env, where
    every later newsroom command finds them; the demo users keep their tokens across
    restarts unless --new-tokens is given."""
    settings = used_settings()
    stack = embedded.EmbeddedStack(settings)
    kept_path = local.settings_path(settings.home)
    parts = stack.status()
    running = [p.name for p in parts if p.alive]
    if running:
        changed = local.running_differences(kept_path, local.kept_values(settings), parts)
        if changed and not restart:
            fail(
                f"Newsroom is already running ({', '.join(running)}) with other settings "
                f"than the ones given now (kept in {kept_path}):\n  "
                + "\n  ".join(changed)
                + "\nTo restart with the new ones: `.venv/bin/newsroom up --restart` "
                "(or `make down`, then `make up` again)."
            )
        if restart:
            stack.down(say)
    # The services read their settings from the environment: hand them what this command
    # settled on (kept settings included), and the stack's own secrets.
    env = {**os.environ, **local.kept_values(settings), **local.local_secrets(settings)}
    stack = embedded.EmbeddedStack(settings, env)
    local.save_settings(settings)
    tokens: dict[str, str] = {}

    def prepare() -> None:
        from services import auth
        from services.bus import TopicAdmin, topic_names

        say("topics: creating")
        admin = TopicAdmin(settings)
        admin.ensure(topic_names(settings))
        admin.close()
        connect_auth(settings)
        running = stack.pid("publish")
        if not (running and embedded.pid_alive(running)):
            # The stack started its processes from a copy of the environment: the token
            # goes into that copy. A running publish keeps the token it has.
            stack.env["NEWSROOM_SERVICE_TOKEN"] = auth.rotate_token(SERVICE_USER, auth.Role.SERVICE)
        if demo_users:
            tokens.update(_demo_tokens(settings, new_tokens))

    typer.echo(f"Starting Newsroom (data and logs under {stack.home})")
    try:
        stack.up(say, before_services=prepare)
    except embedded.StackError as exc:
        fail(f"{exc}\nRun `make down` to stop what did start.")
    _print_welcome(settings, tokens, kept_path)


def _demo_tokens(settings: Settings, renew: bool) -> dict[str, str]:
    """The demo users' tokens: the ones kept in tokens.env while they still work (so
    console users stay signed in across restarts), new ones otherwise or when asked.
    Written to tokens.env before anything is printed."""
    from services import auth
    from services.errors import NewsroomError

    kept = {} if renew else local.read_tokens(settings.home)
    tokens: dict[str, str] = {}
    for name, role in DEMO_USERS.items():
        token = kept.get(name)
        if token is not None:
            try:
                principal = auth.Authenticator(0).authenticate(token)
            except NewsroomError:
                principal = None
            if principal is not None and principal.name == name:
                tokens[name] = token
                continue
        tokens[name] = auth.rotate_token(name, auth.Role(role), DEMO_DISPLAY_NAMES.get(name))
    local.save_tokens(settings.home, tokens)
    return tokens


def _print_welcome(settings: Settings, tokens: dict[str, str], kept: Path) -> None:
    ingest, verify, publish = (settings.url_of(s) for s in ("ingest", "verify", "publish"))
    typer.secho("\nNewsroom is up.", fg=typer.colors.GREEN, bold=True)
    typer.echo(f"""
  API docs     ingest  {ingest}/docs
               verify  {verify}/docs
               publish {publish}/docs
  Console      reviewers {verify}/ui/    editors {publish}/ui/
  Feeds        {publish}/feeds/all.json  (.atom, .rss; or one section: /feeds/world.json)
""")
    home = _shown(settings.home)
    if tokens:
        typer.echo(
            f"  Demo tokens (kept across restarts; `up --new-tokens` replaces them).\n"
            f"  `source {home}/tokens.env` sets them as DEMO_REPORTER_TOKEN and so on,\n"
            f"  or give a command `--as reporter`:"
        )
        for name, token in tokens.items():
            typer.echo(f"    {name:<15} {token}")
    typer.echo(
        f"\n  Settings kept in {_shown(kept)}: every newsroom command uses them."
        "\n  Stop with `make down`; `.venv/bin/newsroom status` and "
        "`.venv/bin/newsroom logs [part]` show what runs."
    )


def _shown(path: Path) -> str:
    """``path`` as a person would type it here: relative when it is under this folder."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


@app.command()
def down() -> None:
    """Stop every part of the embedded stack."""
    stack = embedded.EmbeddedStack(used_settings())
    stopped = stack.down(say)
    typer.echo("Stopped: " + ", ".join(stopped) if stopped else "Nothing was running.")


@app.command()
def status() -> None:
    """Show each part: pid, port, and whether it answers."""
    settings = used_settings()
    stack = embedded.EmbeddedStack(settings)
    kept = local.settings_path(settings.home)
    if kept.is_file():
        typer.echo(f"(settings from {_shown(kept)}; data and logs under {_shown(stack.home)})")
    typer.echo(f"{'part':<9} {'pid':>7}  {'port':>5}  state")
    for part in stack.status():
        state = "ready" if part.ready else ("running, not ready" if part.alive else "stopped")
        typer.echo(f"{part.name:<9} {part.pid or '-':>7}  {part.port:>5}  {state}")


@app.command()
def logs(
    part: Annotated[
        str | None, typer.Argument(help="broker, store, ingest, verify or publish")
    ] = None,
    lines: Annotated[int, typer.Option("-n", help="How many lines", min=1, max=100_000)] = 40,
    follow: Annotated[
        bool, typer.Option("-f", help="Keep printing new lines (of the part named)")
    ] = False,
) -> None:
    """Print the last lines of a part's log (all parts when none is named)."""
    if follow and not part:
        fail("-f follows one part's log: name it, e.g. `newsroom logs verify -f`")
    stack = embedded.EmbeddedStack(used_settings())
    parts = [part] if part else list(embedded.PARTS)
    for name in parts:
        if name not in embedded.PARTS:
            fail(f"unknown part {name!r}; one of {', '.join(embedded.PARTS)}")
        if len(parts) > 1:
            typer.secho(f"==> {name} <==", bold=True)
        typer.echo(embedded.log_tail(stack.log_path(name), lines))
    if follow and part:
        path = stack.log_path(part)
        with path.open(errors="replace") as handle:
            handle.seek(0, os.SEEK_END)
            while True:
                line = handle.readline()
                if line:
                    typer.echo(line, nl=False)
                else:
                    time.sleep(0.3)


@app.command()
def serve(service: Annotated[str, typer.Argument(help="ingest, verify or publish")]) -> None:
    """Run one service in the foreground (what `up` and the container images run)."""
    import uvicorn

    from services.http.serving import server_options
    from services.log import configure_logging

    if service not in embedded.SERVICES:
        fail(f"unknown service {service!r}; one of {', '.join(embedded.SERVICES)}")
    name: ServiceName = service  # type: ignore[assignment]
    settings = Settings()  # `up` hands its settings over in the environment
    configure_logging(settings.log_level, settings.log_format, service=name)
    module = importlib.import_module(f"{name}.app")
    uvicorn.run(
        module.create_app(settings),
        host=settings.host,
        port=settings.port_of(name),
        timeout_graceful_shutdown=10,
        **server_options(settings),
    )


@app.command()
def bootstrap(
    admin: Annotated[
        str | None, typer.Option(help="Also create this first admin; its token is printed once")
    ] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for a writable store")] = 120.0,
) -> None:
    """Prepare a deployment: wait for the store, register the service token, and create
    the first admin. Running it again changes nothing and prints no token."""
    from services import auth
    from services.auth import provision
    from services.errors import NewsroomError

    settings = used_settings()
    if settings.service_token is None:
        fail("set NEWSROOM_SERVICE_TOKEN (see README: Deploy it)")
    if not embedded.wait_until(lambda: embedded.store_writable(settings.mongo_url), wait, None, 1):
        fail(f"the store at {settings.mongo_url} did not take writes within {wait:.0f} s")
    connect_auth(settings)
    try:
        token = settings.service_token.get_secret_value()  # type: ignore[union-attr]
        registered = provision.ensure_token(SERVICE_USER, auth.Role.SERVICE, token)
        state = "token registered" if registered else "already registered"
        typer.echo(f"service user {SERVICE_USER}: {state}", err=True)
        if admin:
            created = provision.first_admin(admin)
            if created is None:
                typer.echo(
                    f"user {admin} exists: no token shown (`users token` issues one)", err=True
                )
            else:
                typer.echo(f"Created {admin} (admin). Token (shown once):", err=True)
                typer.echo(created.token)
    except NewsroomError as exc:
        fail(exc.detail)


# --- reports ---------------------------------------------------------------------------

TokenOption = Annotated[
    str | None,
    typer.Option(envvar="NEWSROOM_TOKEN", help="Your token (or set NEWSROOM_TOKEN)"),
]
AsOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="Act as a demo user of `newsroom up`: a role (reporter) or a name (demo-reporter)",
    ),
]
UrlOption = Annotated[str | None, typer.Option(help="ingest's URL (default from settings)")]


def _token(token: str | None, who: str | None) -> str:
    """The token given, or the demo user's from tokens.env (--as)."""
    if who is not None:
        name = local.demo_user_of(who)
        if name is None:
            roles = ", ".join(local.DEMO_USERS.values())
            fail(f"--as {who!r}: not a demo user; one of {roles} (or demo-<role>)")
        home = local.home_of()
        found = local.read_tokens(home).get(str(name))
        if found is None:
            fail(
                f"--as {who}: no token for {name} in {_shown(home / local.TOKENS_FILE)}; "
                "`make up` writes it"
            )
        return str(found)
    if not token:
        fail("no token: give --token TOKEN, set NEWSROOM_TOKEN, or use --as ROLE after `make up`")
    return str(token)


def _program() -> str:
    """This command as it can be typed again here (`.venv/bin/newsroom` from the repo)."""
    argv0 = sys.argv[0]
    if argv0.endswith("__main__.py") or not argv0:
        return f"{_shown(Path(sys.executable))} -m newsroom"
    return _shown(Path(argv0)) if os.sep in argv0 else argv0


@app.command()
def submit(
    file: Annotated[Path, typer.Argument(help="Markdown with front matter: headline, section")],
    token: TokenOption = None,
    who: AsOption = None,
    story_id: Annotated[str | None, typer.Option(help="Your story's id, for a revision")] = None,
    publish_when_cleared: Annotated[
        bool | None, typer.Option(help="Release automatically once every claim is cleared")
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(
            help="The story's language, a BCP 47 tag (en, fr, ar, pt-BR); default: the "
            "story's so far, else the newsroom's"
        ),
    ] = None,
    revises: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=1_000_000,
            help="With --story-id: the revision this one replaces (the latest you saw); "
            "refused if the story has a later one, so versions sent out of order never "
            "replace a newer text",
        ),
    ] = None,
    url: UrlOption = None,
) -> None:
    """Submit a story (or a revision) from a Markdown file."""
    from newsroom import client

    base = url or used_settings().url_of("ingest")
    secret = _token(token, who)
    try:
        story = client.read_story(file, story_id, publish_when_cleared, language, revises)
        answer = client.submit(base, secret, story)
    except client.ClientError as exc:
        fail(str(exc))
    typer.secho(
        f"Accepted: report {answer['report_id']} (story {answer['story_id']}, "
        f"revision {answer['revision']}).",
        fg=typer.colors.GREEN,
    )
    how = f" --as {who}" if who else ("" if os.environ.get("NEWSROOM_TOKEN") else " --token TOKEN")
    typer.echo(f"Track it: {_program()} report {answer['report_id']}{how}")
    typer.echo(f"      or: {answer['status_url']}")


@app.command()
def report(
    report_id: Annotated[str, typer.Argument(help="The report id submit printed")],
    token: TokenOption = None,
    who: AsOption = None,
    url: UrlOption = None,
) -> None:
    """Show where a report is: accepted, queued, in_review, cleared, published,
    needs_correction, corrected, retracted (or superseded), and what holds it."""
    from newsroom import client

    base = url or used_settings().url_of("ingest")
    secret = _token(token, who)
    try:
        found = client.report(base, secret, report_id)
    except client.ClientError as exc:
        fail(str(exc))
    typer.echo(
        f"{found['headline']}  [{found['section']}, {found.get('language', '?')}]  "
        f"by {found['byline']}"
    )
    typer.echo(
        f"report {found['report_id']}  story {found['story_id']}  revision {found['revision']}"
    )
    for entry in found["timeline"]:
        typer.echo(f"  {entry['status']:<10} {entry['at']}")
    typer.secho(f"Now: {found['status']}", bold=True)
    for line in found.get("held", []):
        typer.echo(f"  held: {line}")
    flagged = found.get("status") == "needs_correction"
    for line in found.get("corrections", []):
        # Once corrected (or retracted) they are why it was flagged, no longer a task.
        typer.echo(f"  {'needs correction' if flagged else 'was flagged'}: {line}")
    if found.get("corrections") and flagged:
        typer.echo(f"  Correct it: submit a new revision with --story-id {found['story_id']}")
    if found.get("superseded_by"):
        typer.echo(f"  The story's latest revision is {found['superseded_by']}.")


@app.command()
def redeliver(
    subscription_id: Annotated[str, typer.Argument(help="The webhook subscription")],
    delivery_id: Annotated[str, typer.Argument(help="A failed or delivered delivery of it")],
    token: TokenOption = None,
    who: AsOption = None,
    url: Annotated[str | None, typer.Option(help="publish's URL (default from settings)")] = None,
) -> None:
    """Send a webhook delivery again (editor or admin token): same event, new attempts."""
    from newsroom import client

    base = url or used_settings().url_of("publish")
    secret = _token(token, who)
    try:
        found = client.redeliver(base, secret, subscription_id, delivery_id)
    except client.ClientError as exc:
        fail(str(exc))
    typer.echo(
        f"Delivery {found['id']} queued again ({found['event']}, story {found['story_id']})."
    )


def main() -> None:
    from pymongo.errors import PyMongoError

    try:
        app()
    except PyMongoError as exc:
        used = USED.get("settings")
        where = used.mongo_url if used else "the configured store"
        typer.secho(
            f"error: the store at {where} did not answer ({type(exc).__name__}). "
            "Is it running (`.venv/bin/newsroom status`), and on that port?",
            fg=typer.colors.RED,
            err=True,
        )
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
