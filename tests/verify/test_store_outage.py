"""A verify change while the store is down fails fast (the edge answers 503), instead of
pymongo's transaction retrying an unreachable store for two minutes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def test_a_transaction_against_a_stopped_store_fails_within_seconds(tmp_path: Path) -> None:
    env = {**os.environ, "TEST_ROOT": str(tmp_path), "PYTHONPATH": str(HERE.parent.parent)}
    done = subprocess.run(
        [sys.executable, str(HERE / "outage_probe.py")],
        env=env, capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout.decode().strip().splitlines()[-1])
    assert result["first"] is True
    assert result["error"] in ("ServerSelectionTimeoutError", "NetworkTimeout", "AutoReconnect")
    assert result["seconds"] < 15
