"""A reporter files while ingest's store is down: a 503 problem that says the retry is
safe and how to make it, with Retry-After; and the CLI says it without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from newsroom.stack import free_port
from tests.ingest.test_cli import STORY
from tests.support.infra import Infra
from tests.support.reports import submit
from tests.support.servers import ServiceProcess, api, settings_env
from tests.support.stack import make_user


def test_a_report_met_by_a_store_outage_is_told_to_retry_under_its_key(
    infra: Infra, tmp_path: Path
) -> None:
    private = Infra(tmp_path, broker_port=infra.broker_port)  # a store of its own to stop
    private.start_store()
    settings = private.settings(ingest_port=free_port(), store_timeout_ms=500)
    ingest = ServiceProcess("ingest", settings, tmp_path / "ingest.log")
    _, token = make_user(settings, "reporter")
    ingest.start()
    try:
        private.stop_store()
        with api(ingest.url, token) as client:
            answer = submit(client)
        assert answer.status_code == 503, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["retry-after"] == "5"
        detail = answer.json()["detail"]
        assert detail.startswith("The database is not reachable"), detail
        assert "same Idempotency-Key" in detail, detail
        story = tmp_path / "story.md"
        story.write_text(STORY)
        cli = subprocess.run(
            [sys.executable, "-m", "newsroom", "submit", str(story), "--token", token],
            env={**os.environ, **settings_env(settings)},
            text=True, capture_output=True, timeout=60, check=False,
        )  # fmt: skip
        assert cli.returncode == 1
        assert "HTTP 503" in cli.stderr, cli.stderr
        assert "Retry after 5 s." in cli.stderr
        assert "Traceback" not in cli.stderr
    finally:
        ingest.stop()
        private.stop_store()
