"""Services under test: in this process (uvicorn in a thread) or as real processes.

In-process apps share mongoengine's global connection registry, whose aliases are fixed
per service ("ingest", "verify", "publish", "auth"): run at most one settings per
service in a process (the session ``stack``). A test that needs other settings, or a
process to kill, starts the service as a real process with :class:`ServiceProcess`.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from pydantic import SecretStr

from newsroom import stack as embedded
from services.http.serving import server_options
from services.settings import ServiceName, Settings


@dataclass
class ServedApp:
    name: str
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(30)


def serve_app(name: ServiceName, settings: Settings, **passed: Any) -> ServedApp:
    """Build the service's app with ``settings`` (and what else its factory takes, such as
    verify's clock) and serve it on its configured port."""
    app = importlib.import_module(f"{name}.app").create_app(settings, **passed)
    port = settings.port_of(name)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="on", **server_options(settings)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{name}", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    if not embedded.wait_until(lambda: embedded.http_ready(url), 60):
        server.should_exit = True
        raise RuntimeError(f"{name} did not become ready at {url}")
    return ServedApp(name, url, server, thread)


def settings_env(settings: Settings) -> dict[str, str]:
    """The NEWSROOM_* environment that rebuilds ``settings`` in another process."""
    env: dict[str, str] = {}
    for name, value in settings.model_dump().items():
        if value is None:
            continue
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if isinstance(value, list | tuple | dict):
            text = json.dumps(list(value) if not isinstance(value, dict) else value)
        else:
            text = str(value)
        env[f"NEWSROOM_{name.upper()}"] = text
    return env


@dataclass
class ServiceProcess:
    """A service run as `newsroom serve NAME`: a real process, killable with SIGKILL."""

    name: ServiceName
    settings: Settings
    log: Path
    process: subprocess.Popen[bytes] | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.settings.url_of(self.name)

    def start(self, wait: bool = True) -> None:
        env = {**os.environ, **settings_env(self.settings), **self.extra_env}
        env.pop("NEWSROOM_HOME", None)
        self.process = embedded.spawn(
            [sys.executable, "-m", "newsroom", "serve", self.name], self.log, env
        )
        if wait:
            self.wait_ready()

    def wait_ready(self) -> None:
        """Until the started process answers /readyz; RuntimeError (with its log) if it
        exits or does not within two minutes."""
        if not embedded.wait_until(lambda: embedded.http_ready(self.url), 120, self.process):
            raise RuntimeError(f"{self.name} did not start:\n{embedded.log_tail(self.log, 40)}")

    def kill(self) -> None:
        """SIGKILL to the whole process group, as a crashed container goes: no shutdown
        hooks, no final commit. The group takes verify's detection pool (its forkserver
        and resource tracker) with it; killing only the leader left them running."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.kill()
            self.process.wait()
            self.process = None

    def stop(self) -> None:
        if self.process is not None:
            embedded.stop_process(self.process.pid)
            self.process.wait()
            self.process = None


def api(url: str, token: str | None = None, **kwargs: Any) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=url, headers=headers, timeout=30, **kwargs)


def wait_for(
    check: Any, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"
) -> Any:
    """Poll ``check()`` until it returns something truthy; return it. The interval is
    short because the suite waits on hundreds of conditions: each wait ends at most
    ``interval`` after its condition holds. The last check starts at or after the
    deadline: on a loaded machine this thread may not run again until after it (a check
    that waits on a service, a stall of a second), and a condition that holds by then is
    met, not timed out on a check made before it could hold."""
    deadline = time.monotonic() + timeout
    while True:
        expired = time.monotonic() >= deadline
        last = check()
        if last:
            return last
        if expired:
            break
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
    raise AssertionError(f"timed out after {timeout}s waiting for {what}; last value: {last!r}")
