"""Every setting is in the README's "Configure it" tables, and every name there is one.

A setting a deployer cannot find is one they cannot set; a name the README lists that
`Settings` does not read is one they set for nothing (pydantic-settings ignores unknown
`NEWSROOM_*` variables without a word).
"""

from __future__ import annotations

import re
from pathlib import Path

from services.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"
# Read outside Settings, and said so in the table: the choice is made at import.
READ_AT_IMPORT = {"NEWSROOM_DETECTION_PURE"}


def configure_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Configure it\n")
    return text[start : text.index("\n## ", start + 1)]


def documented() -> set[str]:
    """The names in the first cell of every table row: `NEWSROOM_A` / `B` is NEWSROOM_B."""
    names: set[str] = set()
    for line in configure_section().splitlines():
        if not line.startswith("| `NEWSROOM_"):
            continue
        first = line.split("|")[1]
        for name in re.findall(r"`([A-Z0-9_]+)`", first):
            names.add(name if name.startswith("NEWSROOM_") else f"NEWSROOM_{name}")
    return names


def test_every_setting_is_documented() -> None:
    settings = {f"NEWSROOM_{name.upper()}" for name in Settings.model_fields}
    missing = sorted(settings - documented())
    assert missing == [], f"add these to README.md, Configure it: {missing}"


def test_every_documented_setting_exists() -> None:
    settings = {f"NEWSROOM_{name.upper()}" for name in Settings.model_fields}
    unknown = sorted(documented() - settings - READ_AT_IMPORT)
    assert unknown == [], f"README.md names settings that Settings does not read: {unknown}"
