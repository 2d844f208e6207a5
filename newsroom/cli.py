"""The ``newsroom`` command: run the embedded stack, manage users, submit stories."""

from __future__ import annotations

import importlib
import os
import secrets
import time
from pathlib import Path
from typing import Annotated

import typer

from newsroom import stack as embedded
from services.settings import ServiceName, Settings

app = typer.Typer(
    help="Newsroom: hold every story until its contested claims carry attribution.",
    no_args_is_help=True,
    add_completion=False,
)
users_app = typer.Typer(help="Users, roles and tokens (admin).", no_args_is_help=True)
app.add_typer(users_app, name="users")

DEMO_USERS = {
    "demo-reporter": "reporter",
    "demo-reviewer": "reviewer",
    "demo-editor": "editor",
    "demo-admin": "admin",
}
SERVICE_USER = "svc-publish"


def _settings() -> Settings:
    from services.log import configure_logging

    settings = Settings()
    # The command's own output is for people; library chatter only when something is wrong.
    configure_logging("WARNING", "console")
    return settings


def _say(message: str) -> None:
    typer.echo(f"  {message}")


def _fail(message: str, code: int = 1) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _connect_auth(settings: Settings) -> None:
    from services import auth
    from services.store import connect_store, ensure_indexes

    connect_store(settings, auth.ALIAS)
    ensure_indexes(auth.DOCUMENTS)


def _local_secrets(settings: Settings) -> dict[str, str]:
    """Keys the embedded stack needs, made once and kept (0600) under the stack's home,
    never in the repository. Settings from the environment win."""
    path = settings.home / "secrets.env"
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            if "=" in line:
                key, value = line.split("=", 1)
                values[key] = value
    wanted = ("NEWSROOM_WEBHOOK_MASTER_KEY", "NEWSROOM_SESSION_SECRET")
    if any(k not in values for k in wanted):
        for key in wanted:
            values.setdefault(key, secrets.token_urlsafe(32))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
        path.chmod(0o600)
    return {k: v for k, v in values.items() if k not in os.environ}


# --- the embedded stack ------------------------------------------------------------------


@app.command()
def up(
    demo_users: Annotated[bool, typer.Option(help="Create a demo user per role")] = True,
) -> None:
    """Start broker, store, ingest, verify and publish on this machine."""
    settings = _settings()
    env = {**os.environ, **_local_secrets(settings)}
    stack = embedded.EmbeddedStack(settings, env)
    tokens: dict[str, str] = {}

    def prepare() -> None:
        from services import auth
        from services.bus import TopicAdmin, topic_names

        _say("topics: creating")
        admin = TopicAdmin(settings)
        admin.ensure(topic_names(settings))
        admin.close()
        _connect_auth(settings)
        running = stack.pid("publish")
        if not (running and embedded.pid_alive(running)):
            # The stack started its processes from a copy of the environment: the token
            # goes into that copy. A running publish keeps the token it has.
            stack.env["NEWSROOM_SERVICE_TOKEN"] = auth.rotate_token(SERVICE_USER, auth.Role.SERVICE)
        if demo_users:
            for name, role in DEMO_USERS.items():
                tokens[name] = auth.rotate_token(name, auth.Role(role))

    typer.echo(f"Starting Newsroom (data and logs under {stack.home})")
    try:
        stack.up(_say, before_services=prepare)
    except embedded.StackError as exc:
        _fail(f"{exc}\nRun `make down` to stop what did start.")
    _print_welcome(settings, tokens)
    if tokens:
        path = settings.home / "tokens.env"
        path.write_text(
            "".join(f"{n.upper().replace('-', '_')}_TOKEN={t}\n" for n, t in tokens.items())
        )
        path.chmod(0o600)


def _print_welcome(settings: Settings, tokens: dict[str, str]) -> None:
    ingest, verify, publish = (settings.url_of(s) for s in ("ingest", "verify", "publish"))
    typer.secho("\nNewsroom is up.", fg=typer.colors.GREEN, bold=True)
    typer.echo(f"""
  API docs     ingest  {ingest}/docs
               verify  {verify}/docs
               publish {publish}/docs
  Console      reviewers {verify}/ui/    editors {publish}/ui/
  Feeds        {publish}/feeds/all.json  (.atom, .rss; or one section: /feeds/world.json)
""")
    if tokens:
        typer.echo("  Demo tokens (new on every start; also in .newsroom/tokens.env):")
        for name, token in tokens.items():
            typer.echo(f"    {name:<15} {token}")
    typer.echo(
        "\n  Stop with `make down`; `newsroom status` and `newsroom logs [part]` show what runs."
    )


@app.command()
def down() -> None:
    """Stop every part of the embedded stack."""
    stack = embedded.EmbeddedStack(_settings())
    stopped = stack.down(_say)
    typer.echo("Stopped: " + ", ".join(stopped) if stopped else "Nothing was running.")


@app.command()
def status() -> None:
    """Show each part: pid, port, and whether it answers."""
    stack = embedded.EmbeddedStack(_settings())
    typer.echo(f"{'part':<9} {'pid':>7}  {'port':>5}  state")
    for part in stack.status():
        state = "ready" if part.ready else ("running, not ready" if part.alive else "stopped")
        typer.echo(f"{part.name:<9} {part.pid or '-':>7}  {part.port:>5}  {state}")


@app.command()
def logs(
    part: Annotated[
        str | None, typer.Argument(help="broker, store, ingest, verify or publish")
    ] = None,
    lines: Annotated[int, typer.Option("-n", help="How many lines")] = 40,
    follow: Annotated[bool, typer.Option("-f", help="Keep printing new lines")] = False,
) -> None:
    """Print the last lines of a part's log (all parts when none is named)."""
    stack = embedded.EmbeddedStack(_settings())
    parts = [part] if part else list(embedded.PARTS)
    for name in parts:
        if name not in embedded.PARTS:
            _fail(f"unknown part {name!r}; one of {', '.join(embedded.PARTS)}")
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

    from services.log import configure_logging

    if service not in embedded.SERVICES:
        _fail(f"unknown service {service!r}; one of {', '.join(embedded.SERVICES)}")
    name: ServiceName = service  # type: ignore[assignment]
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format, service=name)
    module = importlib.import_module(f"{name}.app")
    uvicorn.run(
        module.create_app(settings),
        host=settings.host,
        port=settings.port_of(name),
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        # The request's scheme and client come from the forwarded headers only when the
        # gateway sent them (https behind TLS makes the consoles' cookie Secure).
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
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

    settings = _settings()
    if settings.service_token is None:
        _fail("set NEWSROOM_SERVICE_TOKEN (see README: Deploy it)")
    if not embedded.wait_until(lambda: embedded.store_writable(settings.mongo_url), wait, None, 1):
        _fail(f"the store at {settings.mongo_url} did not take writes within {wait:.0f} s")
    _connect_auth(settings)
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
        _fail(exc.detail)


# --- reports ---------------------------------------------------------------------------

TokenOption = Annotated[
    str, typer.Option(envvar="NEWSROOM_TOKEN", help="Your token (or set NEWSROOM_TOKEN)")
]
UrlOption = Annotated[str | None, typer.Option(help="ingest's URL (default from settings)")]


@app.command()
def submit(
    file: Annotated[Path, typer.Argument(help="Markdown with front matter: headline, section")],
    token: TokenOption,
    story_id: Annotated[str | None, typer.Option(help="Your story's id, for a revision")] = None,
    publish_when_cleared: Annotated[
        bool | None, typer.Option(help="Release automatically once every claim is cleared")
    ] = None,
    url: UrlOption = None,
) -> None:
    """Submit a story (or a revision) from a Markdown file."""
    from newsroom import client

    base = url or Settings().url_of("ingest")
    try:
        story = client.read_story(file, story_id, publish_when_cleared)
        answer = client.submit(base, token, story)
    except client.ClientError as exc:
        _fail(str(exc))
    typer.secho(
        f"Accepted: report {answer['report_id']} (story {answer['story_id']}, "
        f"revision {answer['revision']}).",
        fg=typer.colors.GREEN,
    )
    typer.echo(f"Track it: newsroom report {answer['report_id']}   ({answer['status_url']})")


@app.command()
def report(
    report_id: Annotated[str, typer.Argument(help="The report id submit printed")],
    token: TokenOption,
    url: UrlOption = None,
) -> None:
    """Show where a report is: accepted, queued, in_review, cleared, published."""
    from newsroom import client

    base = url or Settings().url_of("ingest")
    try:
        found = client.report(base, token, report_id)
    except client.ClientError as exc:
        _fail(str(exc))
    typer.echo(f"{found['headline']}  [{found['section']}]  by {found['byline']}")
    typer.echo(
        f"report {found['report_id']}  story {found['story_id']}  revision {found['revision']}"
    )
    for entry in found["timeline"]:
        typer.echo(f"  {entry['status']:<10} {entry['at']}")
    typer.secho(f"Now: {found['status']}", bold=True)


# --- users -------------------------------------------------------------------------------


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help="reporter, reviewer, editor, admin (or service)")],
) -> None:
    """Create a user; prints the new token alone on the last line (shown once, stored hashed)."""
    from services import auth
    from services.errors import NewsroomError

    settings = _settings()
    _connect_auth(settings)
    if role not in list(auth.Role):
        _fail(f"unknown role {role!r}; one of {', '.join(auth.Role)}")
    try:
        created = auth.create_user(name, role)
    except NewsroomError as exc:
        _fail(exc.detail)
    typer.echo(
        f"Created {created.principal.name} ({created.principal.role.value}). Token (shown once):",
        err=True,
    )
    typer.echo(created.token)


@users_app.command("list")
def users_list() -> None:
    """List users, their roles and whether they are revoked."""
    from services import auth

    _connect_auth(_settings())
    typer.echo(f"{'name':<24} {'role':<9} {'created':<20} state")
    for user in auth.list_users():
        state = "revoked" if user.revoked_at else "active"
        typer.echo(f"{user.name:<24} {user.role:<9} {user.created_at:%Y-%m-%d %H:%M:%S}  {state}")


@users_app.command("revoke")
def users_revoke(name: str) -> None:
    """Revoke a user and every token they hold."""
    from services import auth
    from services.errors import NewsroomError

    _connect_auth(_settings())
    try:
        auth.revoke_user(name)
    except NewsroomError as exc:
        _fail(exc.detail)
    typer.echo(f"Revoked {name} and all their tokens.")


@users_app.command("token")
def users_token(name: str) -> None:
    """Issue another token for an existing user; prints it alone on the last line."""
    from services import auth
    from services.errors import NewsroomError

    _connect_auth(_settings())
    try:
        token = auth.new_token_for(name)
    except NewsroomError as exc:
        _fail(exc.detail)
    typer.echo(token)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
