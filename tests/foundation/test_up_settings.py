"""`newsroom up` keeps the settings it ran with where every later command finds them,
refuses (saying what differs) to run again with other ones unless told to restart,
keeps the demo tokens across restarts unless asked for new ones, and the commands take
`--as ROLE`. Every error of submit and report names the URL it tried."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from newsroom import local
from newsroom import stack as embedded
from tests.foundation.test_up import PARTS, newsroom, tokens_of

STORY = """---
headline: Library hours cut from June
section: local
---
The city library will close on Sundays from June, the council said on Monday.
"""


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def _env(home: Path, **ports: int) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")}
    return {
        **clean,
        "NEWSROOM_HOME": str(home),
        **{f"NEWSROOM_{part.upper()}_PORT": str(port) for part, port in ports.items()},
    }


@pytest.mark.timeout(900)
def test_up_keeps_settings_and_tokens_for_every_later_command(home: Path, tmp_path: Path) -> None:
    ports = {part: embedded.free_port() for part in PARTS}
    first = _env(home, **ports) | {"NEWSROOM_DB_PREFIX": f"keep{uuid.uuid4().hex[:8]}"}
    # A later shell: only the home, none of the ports or prefixes `up` ran with.
    later = _env(home)
    try:
        up = newsroom(first, tmp_path, "up")
        assert up.returncode == 0, up.stdout + up.stderr
        tokens = tokens_of(up.stdout)
        kept = local.read_env_file(home / "settings.env")
        assert kept["NEWSROOM_INGEST_PORT"] == str(ports["ingest"])
        assert kept["NEWSROOM_DB_PREFIX"] == first["NEWSROOM_DB_PREFIX"]
        exported = (home / "tokens.env").read_text().splitlines()
        assert f"export DEMO_REPORTER_TOKEN={tokens['reporter']}" in exported
        assert (home / "tokens.env").stat().st_mode & 0o777 == 0o600

        status = newsroom(later, tmp_path, "status")
        assert status.stdout.count(" ready") == len(PARTS), status.stdout
        assert str(ports["ingest"]) in status.stdout

        story = tmp_path / "story.md"
        story.write_text(STORY)
        sent = newsroom(later, tmp_path, "submit", str(story), "--as", "reporter")
        assert sent.returncode == 0, sent.stderr
        track = next(ln for ln in sent.stdout.splitlines() if ln.startswith("Track it: "))
        assert track.endswith("--as reporter"), track
        report_id = track.split(" report ")[1].split()[0]
        pasted = subprocess.run(
            ["bash", "-c", track.removeprefix("Track it: ")], cwd=tmp_path, env=later,
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert pasted.returncode == 0, pasted.stderr
        assert "Now: " in pasted.stdout
        shown = newsroom(later, tmp_path, "report", report_id, "--as", "demo-reporter")
        assert shown.returncode == 0, shown.stderr
        assert report_id in shown.stdout

        # Asked to run with another port while running: refused, saying what and how.
        moved = _env(home, ingest=embedded.free_port())
        refused = newsroom(moved, tmp_path, "up")
        assert refused.returncode == 1
        assert f"NEWSROOM_INGEST_PORT: running with {ports['ingest']}, asked for" in refused.stderr
        assert "newsroom up --restart" in refused.stderr

        # The same settings again: the demo users keep their tokens.
        again = newsroom(later, tmp_path, "up")
        assert again.returncode == 0, again.stdout + again.stderr
        assert tokens_of(again.stdout) == tokens
        renewed = newsroom(later, tmp_path, "up", "--new-tokens")
        assert renewed.returncode == 0, renewed.stdout + renewed.stderr
        fresh = tokens_of(renewed.stdout)
        assert set(fresh) == set(tokens)
        assert all(fresh[role] != tokens[role] for role in tokens)
        assert local.read_tokens(home)["demo-reporter"] == fresh["reporter"]

        # Errors name the URL they tried.
        stale = newsroom(later, tmp_path, "submit", str(story), "--token", tokens["reporter"])
        assert stale.returncode == 1
        assert f"POST http://127.0.0.1:{ports['ingest']}/v1/reports" in stale.stderr
        assert "401" in stale.stderr
        closed = f"http://127.0.0.1:{embedded.free_port()}"
        unreachable = newsroom(
            later, tmp_path, "report", "r_x", "--as", "reporter", "--url", closed
        )
        assert unreachable.returncode == 1
        assert f"{closed}/v1/reports/r_x" in unreachable.stderr
        unknown = newsroom(later, tmp_path, "report", "r_x", "--as", "intern")
        assert unknown.returncode == 1
        assert "not a demo user" in unknown.stderr
    finally:
        newsroom(later, tmp_path, "down")


def test_the_track_hint_is_a_command_that_works_as_typed() -> None:
    from newsroom import cli

    argv = sys.argv[:]
    try:
        sys.argv[0] = str(Path.cwd() / ".venv" / "bin" / "newsroom")
        assert cli._program() == ".venv/bin/newsroom"
        sys.argv[0] = str(Path(cli.__file__).with_name("__main__.py"))
        assert cli._program().endswith("python -m newsroom") or " -m newsroom" in cli._program()
    finally:
        sys.argv[:] = argv
    ran = subprocess.run(
        [sys.executable, "-m", "newsroom", "report", "--help"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert "--as" in ran.stdout


def test_a_store_that_does_not_answer_is_named(tmp_path: Path) -> None:
    port = embedded.free_port()
    env = _env(tmp_path / "home", store=port) | {"NEWSROOM_STORE_TIMEOUT_MS": "500"}
    ran = newsroom(env, tmp_path, "users", "list")
    assert ran.returncode == 1
    assert f"the store at mongodb://127.0.0.1:{port}/ did not answer" in ran.stderr
    assert "Traceback" not in ran.stderr


def test_logs_takes_only_a_sensible_count_and_follows_one_named_part(tmp_path: Path) -> None:
    env = _env(tmp_path / "home")
    for count in ("0", "-3"):
        ran = newsroom(env, tmp_path, "logs", "verify", "-n", count)
        assert ran.returncode == 2, ran.stdout  # typer's usage error, before any file is read
        said = " ".join(ran.stderr.split())
        assert "Invalid value for '-n'" in said, said
        assert "greater than or equal to 1" in said, said
    ran = newsroom(env, tmp_path, "logs", "-f")
    assert ran.returncode == 1
    assert "name it" in ran.stderr
