"""Compile claim detection with mypyc into the virtualenv, for _native to load.

It needs mypy (which brings mypyc) and a C compiler; without either it says so, and
detection runs as the plain sources, only slower.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from ._native import GROUP, MANIFEST, SOURCES, build_folder, compiled_sources, digests, runtime


def build() -> str:
    """Compile the detection modules into the build folder; answer what happened."""
    folder = build_folder()
    sources = compiled_sources()
    hashes = digests(sources)  # before compiling: an edit meanwhile leaves the build stale
    try:
        from mypyc.build import mypycify
        from setuptools import Distribution  # type: ignore[import-untyped]
    except ImportError as missing:
        return f"detection stays pure Python: {missing.name} is not installed"
    root = SOURCES.parent.parent
    with tempfile.TemporaryDirectory(prefix="newsroom-native-") as work:
        here = Path.cwd()
        os.chdir(root)  # mypyc names modules by their path from the working folder
        try:
            extensions = mypycify(
                [str(p.relative_to(root)) for p in sources],
                opt_level="3",
                group_name=GROUP,
                target_dir=str(Path(work) / "c"),
            )
            dist = Distribution({"name": GROUP, "ext_modules": extensions})
            command = dist.get_command_obj("build_ext")
            command.build_lib = str(Path(work) / "lib")
            command.build_temp = str(Path(work) / "tmp")
            command.parallel = os.cpu_count() or 1
            dist.run_command("build_ext")
        except (Exception, SystemExit) as failed:  # a compiler error is reported, not raised
            return f"detection stays pure Python: the compiled build failed ({failed})"
        finally:
            os.chdir(here)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(Path(work) / "lib", folder)
    manifest = {"runtime": runtime(), "sources": hashes}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return f"detection compiled into {folder}"


if __name__ == "__main__":
    print(build())  # noqa: T201 (the Makefile shows this line)
