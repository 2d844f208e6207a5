"""Detection runs compiled (mypyc's build, `make native`) only while the build matches
the sources beside it: after an edit the edited rule must run, as the plain sources.

Each case imports a copy of the detection package in a child process, since a process
loads detection one way only.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import verify.detection
from verify.detection._native import build_folder

SOURCES = Path(verify.detection.__file__).resolve().parent
# The results cross from verify's pool to its consumer pickled: they must come back whole.
PROBE = (
    "import pickle, verify.detection as d, verify.detection.hedges as h\n"
    "print(d.COMPILED, h.__file__, d.STATE, sep='|')\n"
    "found = d.detect_claims('Officials said the bridge may have been closed.')\n"
    "print(len(pickle.loads(pickle.dumps(found))) if found == pickle.loads(pickle.dumps(found)) "
    "else 'pickled results differ')\n"
)


def load_copy(root: Path, edit: str = "", **env: str) -> tuple[bool, str, str, list[str]]:
    """Import a copy of the package (``edit`` appended to hedges.py first); answer
    whether it ran compiled, hedges' file, why, and what else the probe printed."""
    package = root / "verify"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    shutil.copytree(SOURCES, package / "detection", ignore=shutil.ignore_patterns("__pycache__"))
    hedges = package / "detection" / "hedges.py"
    hedges.write_text(hedges.read_text(encoding="utf-8") + edit, encoding="utf-8")
    child = subprocess.run(
        [sys.executable, "-c", PROBE + ("print(h.EDITED)\n" if edit else "")],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root), "NEWSROOM_DETECTION_PURE": "", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    first, *printed = child.stdout.strip().splitlines()
    compiled, file, state = first.split("|")
    return compiled == "True", file, state, printed


def test_detection_runs_compiled_when_the_build_matches_its_sources(tmp_path: Path) -> None:
    compiled, file, state, printed = load_copy(tmp_path)
    assert state == "compiled", f"{state}: `make native` builds it"
    assert compiled
    assert Path(file).is_relative_to(build_folder())
    assert printed == ["1"]


def test_an_edited_source_runs_as_the_plain_sources(tmp_path: Path) -> None:
    compiled, file, state, printed = load_copy(tmp_path, edit="\nEDITED = 'the edit ran'\n")
    assert not compiled
    assert "sources changed" in state
    assert Path(file) == tmp_path / "verify" / "detection" / "hedges.py"
    assert printed == ["1", "the edit ran"]


def test_the_switch_forces_the_plain_sources(tmp_path: Path) -> None:
    compiled, file, state, printed = load_copy(tmp_path, NEWSROOM_DETECTION_PURE="1")
    assert not compiled
    assert "NEWSROOM_DETECTION_PURE" in state
    assert Path(file) == tmp_path / "verify" / "detection" / "hedges.py"
    assert printed == ["1"]
