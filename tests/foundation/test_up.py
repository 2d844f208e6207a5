"""`newsroom up` (what `make up` runs) brings up all five processes, a story can go
from reporter to feed through them, `newsroom down` leaves nothing running, and a
second `up` comes back with the data."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from newsroom import stack as embedded
from tests.support.desk import confirm_claim_list, publish_when_publishable, verify_every_claim
from tests.support.reports import report
from tests.support.servers import api

PARTS = ("broker", "store", "ingest", "verify", "publish")


def newsroom(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsroom", *args], env=env, cwd=cwd, text=True,
        capture_output=True, timeout=240, check=False,
    )  # fmt: skip


def tokens_of(output: str) -> dict[str, str]:
    found = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].startswith("demo-") and parts[1].startswith("nr_"):
            found[parts[0].removeprefix("demo-")] = parts[1]
    return found


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    ports = {part: embedded.free_port() for part in PARTS}
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")}
    return {
        **clean,
        "NEWSROOM_HOME": str(tmp_path / "home"),
        "NEWSROOM_DB_PREFIX": f"up{uuid.uuid4().hex[:8]}",
        **{f"NEWSROOM_{part.upper()}_PORT": str(port) for part, port in ports.items()},
    }


def test_up_runs_the_system_and_down_stops_it(env: dict[str, str], tmp_path: Path) -> None:
    up = newsroom(env, tmp_path, "up")
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        assert "Newsroom is up." in up.stdout
        # Not a terminal: no colour codes, and a normal start logs no refused connection
        # from probing the broker before it listens.
        said = up.stdout + up.stderr
        assert "\x1b[" not in said
        assert "error" not in said.lower(), said
        for part in PARTS:
            assert f"{part}: ready in" in up.stdout
        tokens = tokens_of(up.stdout)
        assert set(tokens) == {"reporter", "reviewer", "editor", "admin"}
        urls = {s: f"http://127.0.0.1:{env[f'NEWSROOM_{s.upper()}_PORT']}"
                for s in ("ingest", "verify", "publish")}  # fmt: skip
        for url in urls.values():
            assert httpx.get(f"{url}/readyz", timeout=10).status_code == 200

        # From reporter to feed: publish confirms with verify using its service token.
        with api(urls["ingest"], tokens["reporter"]) as reporter:
            story = reporter.post("/v1/reports", json=report(),
                                  headers={"Idempotency-Key": uuid.uuid4().hex}).json()  # fmt: skip
        with api(urls["verify"], tokens["reviewer"]) as reviewer:
            verify_every_claim(reviewer, story["story_id"])
            confirm_claim_list(reviewer, story["story_id"])
        with api(urls["publish"], tokens["editor"]) as editor:
            publish_when_publishable(editor, story["story_id"])
        feed = httpx.get(f"{urls['publish']}/feeds/all.json", timeout=10).json()
        assert any(story["story_id"] in item["id"] for item in feed["items"])

        pids = [int((Path(env["NEWSROOM_HOME"]) / "run" / f"{p}.pid").read_text()) for p in PARTS]
        down = newsroom(env, tmp_path, "down")
        assert down.returncode == 0, down.stderr
        assert not [pid for pid in pids if embedded.pid_alive(pid)]

        again = newsroom(env, tmp_path, "up")
        assert again.returncode == 0, again.stdout + again.stderr
        feed = httpx.get(f"{urls['publish']}/feeds/all.json", timeout=10).json()
        assert any(story["story_id"] in item["id"] for item in feed["items"])
        status = newsroom(env, tmp_path, "status")
        assert status.stdout.count(" ready") == len(PARTS), status.stdout
    finally:
        newsroom(env, tmp_path, "down")


def test_a_port_in_use_is_a_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        # As servers do: the port free_port picked waits in TIME_WAIT for its server.
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", int(env["NEWSROOM_STORE_PORT"])))
        taken.listen()
        try:
            up = newsroom(env, tmp_path, "up")
        finally:
            newsroom(env, tmp_path, "down")
    assert up.returncode == 1
    assert f"store: port {env['NEWSROOM_STORE_PORT']}" in up.stderr
    assert "already in use" in up.stderr


def test_probing_a_broker_that_does_not_listen_yet_logs_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """`up` probes the broker until it answers: a probe before it listens is no error."""
    with caplog.at_level("DEBUG"):
        assert embedded.broker_ready(f"127.0.0.1:{embedded.free_port()}") is False
    assert [r.getMessage() for r in caplog.records if r.levelno >= 30] == []


def test_the_console_format_has_no_colour_codes_off_a_terminal() -> None:
    code = (
        "import logging; from services.log import configure_logging; "
        "configure_logging('WARNING', 'console'); logging.getLogger('x').warning('hello')"
    )
    ran = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "hello" in ran.stdout
    assert "\x1b[" not in ran.stdout


def test_down_stops_what_a_crashed_service_left_running(tmp_path: Path) -> None:
    """A service killed with SIGKILL leaves its children (verify's detection pool) in its
    session; `down` (and `up`, before starting it again) stops them."""
    from services.settings import Settings

    ready = tmp_path / "child.pid"
    script = tmp_path / "service.py"
    script.write_text(
        "import os, signal, subprocess, sys\n"
        "if sys.argv[1:] == ['child']:\n"
        f"    open({str(ready)!r}, 'w').write(str(os.getpid()))\n"
        "else:\n"
        "    subprocess.Popen([sys.executable, __file__, 'child'])\n"
        "signal.pause()\n"
    )
    parent = embedded.spawn([sys.executable, str(script)], tmp_path / "verify.log")
    assert embedded.wait_until(lambda: ready.exists() and ready.read_text().isdigit(), 30)
    child = int(ready.read_text())
    stack = embedded.EmbeddedStack(Settings(home=tmp_path / "home"))
    stack._pid_path("verify").parent.mkdir(parents=True)
    stack._pid_path("verify").write_text(str(parent.pid))
    os.kill(parent.pid, 9)
    parent.wait(timeout=30)
    assert embedded.leftovers(parent.pid) == [child]

    said: list[str] = []
    stack.down(said.append)
    assert embedded.wait_until(lambda: not embedded.pid_alive(child), 10)
    assert said == [f"verify: stopping what its crashed process {parent.pid} left running (1)"]
