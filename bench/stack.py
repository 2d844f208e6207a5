"""The bench's own embedded stack: its home under ``bench/.run``, its own free ports.

Started through the same functions as ``newsroom up`` (:class:`newsroom.stack.EmbeddedStack`),
with the same preparation (topics, the ``svc-publish`` service user whose token publish
gets as NEWSROOM_SERVICE_TOKEN), so a running ``make up`` is never touched. The only
setting changed from the defaults is the rate limit (see :data:`CHANGED`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsroom import stack as embedded
from services.settings import Settings

HOME = Path(__file__).resolve().parent / ".run"
WORK = HOME / "work"  # load scripts, answers, profiles: kept across the run's stacks
SERVICE_USER = "svc-publish"
REPORTERS = 100

# Settings the bench changes from the defaults, and why (recorded in the report).
CHANGED = {
    "NEWSROOM_RATE_LIMIT_PER_MINUTE": (
        "1000000",
        "the default (60 per reporter per minute) would answer 429 to a load test; the "
        "limit is still checked on every report, as in production",
    ),
}


def _say(message: str) -> None:
    print(f"  {message}", flush=True)


@dataclass
class BenchStack:
    settings: Settings
    env: dict[str, str]
    stack: embedded.EmbeddedStack
    reporter_tokens: list[str] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)  # role -> token
    extra: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    # -- where things are ------------------------------------------------------------
    def url(self, service: str) -> str:
        return self.settings.url_of(service)  # type: ignore[arg-type]

    def pid(self, part: str) -> int:
        if part in self.extra:
            return self.extra[part].pid
        pid = self.stack.pid(part)
        assert pid is not None, part
        return pid

    def pids(self) -> dict[str, int]:
        found = {p: self.pid(p) for p in embedded.PARTS}
        found.update({name: proc.pid for name, proc in self.extra.items()})
        return found

    def database(self, owner: str) -> str:
        return self.settings.database(owner)

    # -- processes -------------------------------------------------------------------
    def with_second_verify(self) -> BenchStack:
        """This stack, with another verify process in the same group, on another port."""
        self.start_second_verify()
        return self

    def start_second_verify(self) -> str:
        """Another verify process, in the same consumer group, on another port."""
        taken = {self.stack.port(p) for p in embedded.PARTS}
        port = next(p for p in iter(embedded.free_port, None) if p not in taken)
        env = {**self.env, "NEWSROOM_VERIFY_PORT": str(port)}
        log = self.stack.log_path("verify2")
        proc = embedded.spawn(embedded.service_argv("verify"), log, env)
        url = f"http://127.0.0.1:{port}"
        if not embedded.wait_until(lambda: embedded.http_ready(url), 90, proc):
            embedded.stop_process(proc.pid, timeout=3)
            raise embedded.StackError(f"verify2 did not start:\n{embedded.log_tail(log)}")
        self.extra["verify2"] = proc
        (HOME / "run" / "verify2.pid").write_text(str(proc.pid))
        return url

    def stop_extra(self, name: str) -> None:
        proc = self.extra.pop(name, None)
        if proc is not None:
            embedded.stop_process(proc.pid)

    def pause(self, part: str) -> None:
        os.kill(self.pid(part), signal.SIGSTOP)

    def resume(self, part: str) -> None:
        os.kill(self.pid(part), signal.SIGCONT)

    def down(self) -> None:
        for name in list(self.extra):
            self.stop_extra(name)
        self.stack.down(lambda _: None)


def _environment() -> dict[str, str]:
    host = "127.0.0.1"
    ports: dict[str, int] = {}
    while len(set(ports.values())) < len(embedded.PARTS):  # the OS may hand one out twice
        ports = {p: embedded.free_port(host) for p in embedded.PARTS}
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")}
    env.update(
        {
            "NEWSROOM_HOME": str(HOME),
            "NEWSROOM_HOST": host,
            "NEWSROOM_BROKER_PORT": str(ports["broker"]),
            "NEWSROOM_STORE_PORT": str(ports["store"]),
            "NEWSROOM_INGEST_PORT": str(ports["ingest"]),
            "NEWSROOM_VERIFY_PORT": str(ports["verify"]),
            "NEWSROOM_PUBLISH_PORT": str(ports["publish"]),
            "NEWSROOM_KAFKA_BOOTSTRAP": f"{host}:{ports['broker']}",
            "NEWSROOM_MONGO_URL": f"mongodb://{host}:{ports['store']}/",
            # Made here as `newsroom up` makes them (never committed).
            "NEWSROOM_WEBHOOK_MASTER_KEY": secrets.token_urlsafe(32),
            "NEWSROOM_SESSION_SECRET": secrets.token_urlsafe(32),
            "NEWSROOM_LOG_FORMAT": "json",
        }
    )
    env.update({name: value for name, (value, _) in CHANGED.items()})
    return env


def settings_from(env: dict[str, str]) -> Settings:
    values: dict[str, Any] = {
        k.removeprefix("NEWSROOM_").lower(): v for k, v in env.items() if k.startswith("NEWSROOM_")
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def stop_leftovers() -> None:
    """Stop what an interrupted bench run left running (every process it starts has a pid
    file under HOME)."""
    for pid_file in sorted(HOME.rglob("*.pid")):
        try:
            pid = int(pid_file.read_text().strip())
        except ValueError:
            continue
        if embedded.pid_alive(pid):
            embedded.stop_process(pid)


def clean() -> None:
    """Start a bench run from nothing: no process, no data, no logs of an earlier run."""
    stop_leftovers()
    shutil.rmtree(HOME, ignore_errors=True)
    WORK.mkdir(parents=True)


def start() -> BenchStack:
    """A fresh stack: the old ``bench/.run`` is wiped first (the store's data too)."""
    from services import auth
    from services.bus import TopicAdmin, topic_names
    from services.store import connect_store, ensure_indexes

    stop_leftovers()
    WORK.mkdir(parents=True, exist_ok=True)
    if (HOME / "logs").exists():  # an earlier stack's logs, kept for reading
        (HOME / "logs").rename(WORK / f"logs-{time.strftime('%H%M%S')}-{time.monotonic_ns()}")
    for part in ("data", "run"):
        shutil.rmtree(HOME / part, ignore_errors=True)
    WORK.mkdir(parents=True, exist_ok=True)
    (HOME / ".gitignore").write_text("*\n")
    env = _environment()
    settings = settings_from(env)
    bench = BenchStack(settings, env, embedded.EmbeddedStack(settings, env))

    def prepare() -> None:
        admin = TopicAdmin(settings)
        admin.ensure(topic_names(settings))
        admin.close()
        connect_store(settings, auth.ALIAS)
        ensure_indexes(auth.DOCUMENTS)
        token = auth.rotate_token(SERVICE_USER, auth.Role.SERVICE)
        # The stack keeps its own copy of the environment it starts the services with.
        env["NEWSROOM_SERVICE_TOKEN"] = bench.stack.env["NEWSROOM_SERVICE_TOKEN"] = token
        for role in ("reviewer", "editor"):
            bench.tokens[role] = auth.rotate_token(f"bench-{role}", auth.Role(role))
        bench.reporter_tokens = [
            auth.rotate_token(f"bench-reporter-{n:03d}", auth.Role.REPORTER)
            for n in range(REPORTERS)
        ]
        bench.tokens["reporter"] = bench.reporter_tokens[0]

    try:
        _up_together(bench.stack, prepare)
    except BaseException:
        bench.down()
        raise
    return bench


def _up_together(stack: embedded.EmbeddedStack, prepare: Callable[[], None]) -> None:
    """As ``newsroom up``, but the three services start at once (each waits only for the
    broker and the store): a fresh stack is up in the time of its slowest service."""
    (stack.home / "logs").mkdir(parents=True, exist_ok=True)
    for part in ("broker", "store"):
        stack.start_part(part, timeout=60, say=_say)
    prepare()
    with ThreadPoolExecutor(len(embedded.SERVICES)) as pool:
        started = [pool.submit(stack.start_part, p, 90, _say) for p in embedded.SERVICES]
        for future in started:
            future.result()


def settings_table(bench: BenchStack) -> list[tuple[str, str, str]]:
    """(setting, value, why) for every setting the bench stack runs with that is not the
    default, and the defaults that shape a figure."""
    defaults = Settings.model_construct()
    used = bench.settings.model_dump()
    shaping = ("topic_partitions", "relay_interval_seconds", "redeliver_after_seconds",
               "auth_cache_seconds", "consumer_session_timeout_ms", "log_level",
               "feed_page_size", "max_body_bytes")  # fmt: skip
    rows = []
    for name, value in used.items():
        env_name = f"NEWSROOM_{name.upper()}"
        default = getattr(defaults, name)
        if env_name in CHANGED:
            rows.append((env_name, str(value), f"changed: {CHANGED[env_name][1]}"))
        elif "secret" in name or "key" in name or "token" in name:
            if value is not None:
                rows.append((env_name, "(set)", "made for this run, as `newsroom up` does"))
        elif value != default and name in ("home", "log_format"):
            rows.append(
                (env_name, str(value), "the bench's own home; JSON logs (read for the e2e figure)")
            )
        elif value != default:
            rows.append((env_name, str(value), "a free port, so a running `make up` is untouched"))
        elif name in shaping:
            rows.append((env_name, str(value), "default"))
    rows.append(
        (
            "NEWSROOM_SERVICE_TOKEN",
            "(set)",
            f"the token of the `{SERVICE_USER}` service user, made as `newsroom up` makes it",
        )
    )
    return rows
