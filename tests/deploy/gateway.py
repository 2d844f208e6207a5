"""The production gateway (deploy/gateway.conf, proxy.conf, tls.conf) under Debian's nginx.

The deploy files stay the source of truth: rendering changes only addresses. Listen
ports become loopback ports the test picked; each `http://<service>:<port>` becomes an
upstream group of that name listing the local replicas; `/etc/nginx/` include paths point
at copies in a temporary directory. Anything else in the files reaches nginx as written.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from newsroom import stack as embedded

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SERVICE_PORTS = {"ingest": 8001, "verify": 8002, "publish": 8003}
INCLUDED = ("proxy.conf", "ops.conf", "trusted-proxies.conf", "tls-params.conf")


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None
    )
    if found is None:
        raise AssertionError(
            "Debian's nginx is missing: `make test` installs it (apt-get install nginx)"
        )
    return found


def render(text: str, root: Path, listen: dict[int, int], upstreams: dict[str, list[int]]) -> str:
    """``text`` with only its addresses changed (see the module's docstring)."""
    for public, local in listen.items():
        text, count = re.subn(
            rf"^(\s*)listen {public}(\s|;)", rf"\1listen 127.0.0.1:{local}\2", text, flags=re.M
        )
        assert count, f"no `listen {public}` in the gateway's configuration"
    for service, port in SERVICE_PORTS.items():
        if service in upstreams:
            text = text.replace(f"http://{service}:{port};", f"http://{service};")
    return text.replace("/etc/nginx/", f"{root}/")


@dataclass
class Gateway:
    """nginx with the project's gateway in front of local replicas, on loopback ports."""

    root: Path
    replicas: dict[str, list[int]]  # service -> the local ports of its replicas
    ports: dict[str, int] = field(default_factory=dict)  # service -> the gateway's port
    tls_port: int | None = None
    process: subprocess.Popen[bytes] | None = None

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def pick_ports(self, tls: bool = False) -> None:
        """Choose the gateway's loopback ports (before the services need its URLs)."""
        self.ports = {s: embedded.free_port() for s in SERVICE_PORTS}
        self.tls_port = embedded.free_port() if tls else None

    def config(self, tls: tuple[Path, Path] | None = None) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        if not self.ports:
            self.pick_ports(tls is not None)
        listen = {SERVICE_PORTS[s]: p for s, p in self.ports.items()}
        for name in INCLUDED:
            shutil.copy(DEPLOY / name, self.root / name)
        if tls is not None:
            cert, key = tls
            params = (self.root / "tls-params.conf").read_text()
            params = params.replace("/etc/nginx/tls/fullchain.pem", str(cert))
            params = params.replace("/etc/nginx/tls/privkey.pem", str(key))
            (self.root / "tls-params.conf").write_text(params)
        groups = "".join(
            f"upstream {service} {{\n"
            + "".join(f"  server 127.0.0.1:{port};\n" for port in ports)
            + "}\n"
            for service, ports in self.replicas.items()
        )
        servers = render((DEPLOY / "gateway.conf").read_text(), self.root, listen, self.replicas)
        if tls is not None:
            if self.tls_port is None:
                self.tls_port = embedded.free_port()
            servers += render((DEPLOY / "tls.conf").read_text(), self.root,
                              {443: self.tls_port}, self.replicas)  # fmt: skip
        # Every server listens where the test said, on loopback; one without a listen line
        # would take port 80.
        listens = re.findall(r"^\s*listen\s+([^;\s]+)", servers, flags=re.M)
        assert all(a.startswith("127.0.0.1:") for a in listens), listens
        assert len(listens) == servers.count("server {"), "a server without a listen line"
        temp = "".join(
            f"  {kind}_temp_path {self.root / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        user = "user root;\n" if os.geteuid() == 0 else ""
        main = (
            f"{user}worker_processes 1;\ndaemon off;\npid {self.root / 'nginx.pid'};\n"
            f"error_log {self.root / 'error.log'} info;\nevents {{ worker_connections 256; }}\n"
            f"http {{\n  access_log {self.root / 'access.log'};\n{temp}{groups}{servers}\n}}\n"
        )
        path = self.root / "nginx.conf"
        path.write_text(main)
        return path

    def check(self, path: Path) -> subprocess.CompletedProcess[str]:
        """`nginx -t` on the rendered configuration."""
        return subprocess.run(
            [nginx_binary(), "-t", "-p", str(self.root), "-e", str(self.root / "error.log"),
             "-c", str(path)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    def start(self, tls: tuple[Path, Path] | None = None) -> None:
        path = self.config(tls)
        checked = self.check(path)
        assert checked.returncode == 0, checked.stderr
        self.process = embedded.spawn(
            [nginx_binary(), "-p", str(self.root), "-e", str(self.root / "error.log"),
             "-c", str(path)],
            self.root / "nginx.out",
        )  # fmt: skip
        every = [*self.ports.values(), *([self.tls_port] if self.tls_port else [])]
        if not embedded.wait_until(
            lambda: all(embedded.tcp_open("127.0.0.1", p) for p in every), 30, self.process
        ):
            raise AssertionError(
                "nginx did not start:\n" + embedded.log_tail(self.root / "error.log", 30)
            )

    def stop(self) -> None:
        """SIGQUIT: the master stops its workers and exits (a SIGKILL would orphan them)."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGQUIT)
                try:
                    self.process.wait(30)
                except subprocess.TimeoutExpired:
                    self.process.send_signal(signal.SIGTERM)
                    self.process.wait(30)
            self.process = None
