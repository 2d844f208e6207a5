"""The session's stack: ingest, verify and publish served in this process on free ports,
sharing one settings, with one user per role."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import mongoengine
from pydantic import SecretStr

from newsroom import stack as embedded
from services import auth
from services.clock import MovableClock
from services.settings import DEFAULT_SECTIONS, ServiceName, Settings
from services.store import connect_store, ensure_indexes
from tests.support.infra import Infra
from tests.support.servers import ServedApp, api, serve_app, settings_env

ROLES = ("reporter", "reviewer", "editor", "admin")


def make_user(settings: Settings, role: str, name: str | None = None) -> tuple[str, str]:
    """Create a user with ``role`` in ``settings``' auth database; return (name, token).

    mongoengine's "auth" alias is process-wide and the session stack's services read
    it: users for any other settings are made by the real `newsroom users add` in a
    process of their own, so the alias is never pointed elsewhere under the stack.
    """
    name = name or f"{role}-{uuid.uuid4().hex[:8]}"
    known = mongoengine.connection._connection_settings.get(auth.ALIAS)
    if known is None or known.get("name") == settings.database(auth.ALIAS):
        connect_store(settings, auth.ALIAS)
        ensure_indexes(auth.DOCUMENTS)
        return name, auth.create_user(name, role).token
    result = subprocess.run(
        [sys.executable, "-m", "newsroom", "users", "add", name, "--role", role],
        env={**os.environ, **settings_env(settings)},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return name, result.stdout.strip().splitlines()[-1]


_MAKE_USERS = """
import json, sys, uuid
from services import auth
from services.settings import Settings
from services.store import connect_store, ensure_indexes
settings = Settings()
connect_store(settings, auth.ALIAS)
ensure_indexes(auth.DOCUMENTS)
made = {}
for wanted in sys.argv[1:]:
    role, _, name = wanted.partition("=")
    made[role] = auth.create_user(name or f"{role}-{uuid.uuid4().hex[:8]}", role).token
print(json.dumps(made))
"""


def make_users(
    settings: Settings, roles: tuple[str, ...], names: dict[str, str] | None = None
) -> dict[str, str]:
    """One user per role in ``settings``' auth database, made in one child process (one
    interpreter start for all of them, not one per user): role -> token. ``names`` gives
    some roles a fixed user name. As with :func:`make_user`, this process's "auth" alias
    belongs to the session stack and is never repointed."""
    wanted = [f"{role}={(names or {}).get(role, '')}" for role in roles]
    out = subprocess.run(
        [sys.executable, "-c", _MAKE_USERS, *wanted],
        env={**settings_env(settings), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=60, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )  # fmt: skip
    tokens: dict[str, str] = json.loads(out.stdout.strip().splitlines()[-1])
    return tokens


@dataclass
class Stack:
    settings: Settings
    apps: dict[str, ServedApp] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # role -> token
    names: dict[str, str] = field(default_factory=dict)  # role -> user name
    # Verify's clock: a test moves it past a lease's end instead of waiting.
    clock: MovableClock = field(default_factory=MovableClock)

    def url(self, service: ServiceName) -> str:
        return self.settings.url_of(service)

    def client(self, service: ServiceName, role: str | None = None) -> httpx.Client:
        return api(self.url(service), self.tokens[role] if role else None)

    def new_user(self, role: str) -> tuple[str, str]:
        return make_user(self.settings, role)

    def stop(self) -> None:
        for app in reversed(list(self.apps.values())):
            app.stop()


# A test that reads the whole queue or a feed of one section owns that section: with
# the session's one stack, a section two test files share makes either one's order
# depend on which ran first (CI saw exactly that between the queue and a browser test).
OWNED_SECTIONS = (
    "queue-paging",
    "queue-by-story",
    "trace-in-logs",
    "interruptions",
    "earlier-reviews",
    "shift",
    "narrow",
    "dlq-replay",
    "desk-races",
)


def start_stack(infra: Infra) -> Stack:
    settings = infra.settings(
        sections=DEFAULT_SECTIONS + OWNED_SECTIONS,
        ingest_port=embedded.free_port(),
        verify_port=embedded.free_port(),
        publish_port=embedded.free_port(),
        webhook_master_key="test-webhook-master-key",
        session_secret="test-session-secret",
        # Many tests submit as the same reporter; the limit has its own test.
        rate_limit_per_minute=100_000,
        # The tests' client plays the gateway: its X-Forwarded-Proto is believed.
        forwarded_allow_ips="127.0.0.1",
        # The HTTP-edge tests wait these out (defaults 10 s and 30 s); shorter, yet far
        # longer than any test client takes to send a head or a body.
        header_timeout_seconds=5.0,
        body_timeout_seconds=15.0,
    )
    _, service_token = make_user(settings, "service", "svc-publish")
    settings = settings.model_copy(update={"service_token": SecretStr(service_token)})
    stack = Stack(settings)
    for role in ROLES:
        stack.names[role], stack.tokens[role] = make_user(settings, role)
    stack.tokens["service"] = service_token
    stack.apps["ingest"] = serve_app("ingest", settings)
    stack.apps["verify"] = serve_app("verify", settings, clock=stack.clock)
    stack.apps["publish"] = serve_app("publish", settings)
    return stack
