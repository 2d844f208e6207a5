"""Detection compiled with mypyc, used only while it matches the sources beside it.

Detection is pure Python and costs most of verify's CPU per story; mypyc compiles the
same modules to C (0.72-0.78 of the CPU on the bench's 3 KB stories, the same answers). The
compiled modules are built into the virtualenv (``<sys.prefix>/newsroom-native``), not
beside the sources, because extension modules beside the sources would shadow them in
the editable install: a rule edited without a rebuild would silently not run. Instead
the build records a hash of every source it compiled, and :func:`use_compiled` loads the
compiled modules only when every hash still matches; after any edit detection runs as
the plain sources until the next ``make`` rebuilds it. ``NEWSROOM_DETECTION_PURE=1``
forces the plain sources (it is read here, at import, because the choice must be made
before the first detection module is imported).

The build is ``python -m verify.detection._build`` (``make native``, a step of ``make
up``, ``make test`` and ``make bench``; the image runs it in its build stage).
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

PACKAGE = __name__.rpartition(".")[0]
SOURCES = Path(__file__).resolve().parent
# mypyc puts the code of every compiled module in one shared library, a top-level module
GROUP = "newsroom_detection"
MANIFEST = "manifest.json"
NOT_COMPILED = frozenset({"__init__.py", "_native.py", "_build.py"})


def build_folder() -> Path:
    return Path(sys.prefix) / "newsroom-native"


def compiled_sources() -> list[Path]:
    return sorted(p for p in SOURCES.glob("*.py") if p.name not in NOT_COMPILED)


def digests(paths: Sequence[Path]) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def runtime() -> str:
    return f"{sys.implementation.cache_tag}-{sys.platform}"


class _CompiledFinder(importlib.abc.MetaPathFinder):
    """Finds the compiled form of each detection module (and mypyc's shared library)."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        file = self.files.get(fullname)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


def _module_files(folder: Path) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        for file in folder.rglob(f"*{suffix}"):
            parts = file.relative_to(folder).parts
            name = ".".join((*parts[:-1], file.name.removesuffix(suffix)))
            files.setdefault(name, file)
    return files


def compiled_state() -> str:
    """Why detection runs compiled or not: 'compiled', or the reason it is pure."""
    if os.environ.get("NEWSROOM_DETECTION_PURE", "") not in ("", "0"):
        return "pure: NEWSROOM_DETECTION_PURE is set"
    folder = build_folder()
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"pure: no compiled build in {folder}"
    if manifest.get("runtime") != runtime():
        return "pure: the compiled build is for another Python"
    if manifest.get("sources") != digests(compiled_sources()):
        return "pure: the sources changed since the compiled build (make rebuilds it)"
    return "compiled"


def use_compiled() -> str:
    """Load the compiled modules from now on, if the build matches these sources;
    answer 'compiled', or why detection runs as the plain sources."""
    state = compiled_state()
    if state != "compiled":
        return state
    files = _module_files(build_folder())
    wanted = {f"{PACKAGE}.{p.stem}" for p in compiled_sources()}
    if not wanted <= files.keys() or not any(n.startswith(GROUP) for n in files):
        return "pure: the compiled build is incomplete (make rebuilds it)"
    if any(name in sys.modules for name in wanted):
        return "pure: already imported as the plain sources"  # mixing the two is not safe
    sys.meta_path.insert(0, _CompiledFinder(files))
    return "compiled"


# Decided once, when the package is first imported, before any other detection module.
STATE = use_compiled()
COMPILED = STATE == "compiled"
