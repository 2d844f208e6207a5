"""`newsroom up` over a stack an older version started: that version kept no
settings.env, so what the running parts were started with is unknown. The ones that answer
where the settings given now say are taken as started with them (no false "running with
(default)" refusal); a running part that does not answer there is named."""

from __future__ import annotations

from pathlib import Path

from newsroom import local
from newsroom.stack import PartStatus

WANTED = {"NEWSROOM_BROKER_PORT": "18492", "NEWSROOM_STORE_PORT": "18417"}


def _parts(store_ready: bool) -> list[PartStatus]:
    return [
        PartStatus("broker", 101, True, 18492, True),
        PartStatus("store", 102, True, 18417, store_ready),
        PartStatus("ingest", None, False, 18401, False),
    ]


def test_a_home_without_kept_settings_is_taken_as_started_with_these(tmp_path: Path) -> None:
    kept = local.settings_path(tmp_path)
    assert local.running_differences(kept, WANTED, _parts(store_ready=True)) == []


def test_a_running_part_not_answering_where_told_is_named(tmp_path: Path) -> None:
    kept = local.settings_path(tmp_path)
    [line] = local.running_differences(kept, WANTED, _parts(store_ready=False))
    assert line.startswith("store: running (pid 102), not answering on port 18417")
    assert "(default)" not in line


def test_kept_settings_are_compared_as_before(tmp_path: Path) -> None:
    kept = local.settings_path(tmp_path)
    kept.write_text("NEWSROOM_BROKER_PORT=9092\nNEWSROOM_STORE_PORT=18417\n")
    assert local.running_differences(kept, WANTED, _parts(store_ready=True)) == [
        "NEWSROOM_BROKER_PORT: running with 9092, asked for 18492"
    ]
