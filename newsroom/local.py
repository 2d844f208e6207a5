"""What `newsroom up` keeps under its home (``.newsroom/`` by default, mode 0600, never in
the repository) so that every later `newsroom` command, in any shell, finds it:

- ``settings.env``: the settings the stack was started with (ports and host always, and
  every other ``NEWSROOM_*`` setting that was given), read by every command as defaults
  that the environment and ``.env`` override;
- ``tokens.env``: the demo users' tokens as ``export DEMO_REPORTER_TOKEN=...`` lines;
- ``secrets.env``: the keys the embedded stack makes for itself.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from newsroom.stack import PartStatus
from services.settings import Settings

SETTINGS_FILE = "settings.env"
TOKENS_FILE = "tokens.env"
SECRETS_FILE = "secrets.env"
# Where each part is: kept even when they are the defaults, so a later command in a new
# shell (or another stack's environment) cannot point this one somewhere else.
ALWAYS_KEPT = ("host", "ingest_port", "verify_port", "publish_port", "broker_port", "store_port")
# Secrets live in secrets.env or the environment; the home is where the file itself is.
NEVER_KEPT = frozenset({"service_token", "webhook_master_key", "session_secret", "home"})
DEMO_USERS = {
    "demo-reporter": "reporter",
    "demo-reviewer": "reviewer",
    "demo-editor": "editor",
    "demo-admin": "admin",
}


def home_of() -> Path:
    """The stack's home as the environment and ``.env`` say (the kept file lives there)."""
    return Settings().home


def settings_path(home: Path) -> Path:
    return home / SETTINGS_FILE


def load_settings() -> Settings:
    """Settings for any command: the environment, then ``.env``, then what `up` kept."""
    kept = settings_path(home_of())
    if kept.is_file():
        # Later files win; the environment wins over both.
        return Settings(_env_file=(kept, ".env"))
    return Settings()


def env_name(field: str) -> str:
    return f"NEWSROOM_{field.upper()}"


def _as_env(value: Any) -> str:
    if isinstance(value, list | tuple | dict):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def kept_values(settings: Settings) -> dict[str, str]:
    """The ``NEWSROOM_*`` lines `up` keeps for ``settings``."""
    fields = (set(settings.model_fields_set) | set(ALWAYS_KEPT)) - NEVER_KEPT
    # The embedded addresses follow the ports unless they were given on their own.
    if settings.kafka_bootstrap == f"127.0.0.1:{settings.broker_port}":
        fields.discard("kafka_bootstrap")
    if settings.mongo_url == f"mongodb://127.0.0.1:{settings.store_port}/":
        fields.discard("mongo_url")
    dumped = settings.model_dump(mode="json", include=fields)
    return {env_name(k): _as_env(v) for k, v in sorted(dumped.items())}


def read_env_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip().removeprefix("export ").strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip()
    return values


def write_private(path: Path, text: str) -> None:
    """Write ``text`` readable by this user only (the file is created 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    path.chmod(0o600)


def differences(kept: Mapping[str, str], wanted: Mapping[str, str]) -> list[str]:
    """Lines saying which kept setting the wanted ones change, and how."""
    out = []
    for key in sorted(set(kept) | set(wanted)):
        if kept.get(key) != wanted.get(key):
            was = kept.get(key, "(default)")
            now = wanted.get(key, "(default)")
            out.append(f"{key}: running with {was}, asked for {now}")
    return out


def running_differences(
    kept_path: Path, wanted: Mapping[str, str], parts: Iterable[PartStatus]
) -> list[str]:
    """Lines saying how the running stack differs from the settings wanted now.

    A stack started by a version that kept no settings (a home from before
    ``settings.env``) says nothing of what it runs with: the parts answering where the
    settings given now say are taken as started with them, and a running part that does
    not answer there is named (never "running with (default)", which nobody knows)."""
    if kept_path.is_file():
        return differences(read_env_file(kept_path), wanted)
    return [
        f"{part.name}: running (pid {part.pid}), not answering on port {part.port} "
        "(started by a version that kept no settings)"
        for part in parts
        if part.alive and not part.ready
    ]


def save_settings(settings: Settings) -> Path:
    path = settings_path(settings.home)
    header = (
        "# The settings `newsroom up` started this stack with; every newsroom command reads them.\n"
    )
    lines = "".join(f"{k}={v}\n" for k, v in kept_values(settings).items())
    write_private(path, header + lines)
    return path


# --- demo tokens -------------------------------------------------------------------------


def token_variable(name: str) -> str:
    """``demo-reporter`` -> ``DEMO_REPORTER_TOKEN``."""
    return f"{name.upper().replace('-', '_')}_TOKEN"


def read_tokens(home: Path) -> dict[str, str]:
    """Demo user name -> token, from tokens.env."""
    values = read_env_file(home / TOKENS_FILE)
    return {
        name: values[token_variable(name)] for name in DEMO_USERS if token_variable(name) in values
    }


def save_tokens(home: Path, tokens: Mapping[str, str]) -> Path:
    path = home / TOKENS_FILE
    lines = "".join(f"export {token_variable(n)}={t}\n" for n, t in tokens.items())
    write_private(path, "# The demo users' tokens: `source` this file to set them.\n" + lines)
    return path


def demo_user_of(who: str) -> str | None:
    """A role (``reporter``) or a demo user's name (``demo-reporter``) -> the demo name."""
    name = who if who.startswith("demo-") else f"demo-{who}"
    return name if name in DEMO_USERS else None


# --- the stack's own secrets -------------------------------------------------------------


def local_secrets(settings: Settings) -> dict[str, str]:
    """Keys the embedded stack needs, made once and kept (0600) under the stack's home,
    never in the repository. Settings from the environment win."""
    import secrets

    path = settings.home / SECRETS_FILE
    values = read_env_file(path)
    wanted = ("NEWSROOM_WEBHOOK_MASTER_KEY", "NEWSROOM_SESSION_SECRET")
    if any(k not in values for k in wanted):
        for key in wanted:
            values.setdefault(key, secrets.token_urlsafe(32))
        write_private(path, "".join(f"{k}={v}\n" for k, v in values.items()))
    return {k: v for k, v in values.items() if k not in os.environ}
