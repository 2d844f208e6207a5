"""Run in a worker of verify's detection pool: what that process has imported. Imports
nothing itself, so it adds nothing to the answer."""

from __future__ import annotations

import sys


def loaded() -> list[str]:
    return sorted(sys.modules)


def niceness() -> int:
    """This process's niceness (``os.nice(0)`` changes nothing and answers it)."""
    import os

    return os.nice(0)
