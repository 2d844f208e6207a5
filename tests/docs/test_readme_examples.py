"""Every shell example of every README works when pasted.

The examples are read from the Markdown files themselves: a block fenced ```sh (or bash)
is run with bash; one fenced ```sh not-tested: <why> is not run and is listed here with
its reason; ```text blocks are sample output. A fence without a language fails the test,
so nothing is left out silently.

The blocks of one file run in order in one bash process (as one person pastes them into
one shell), with `set -euo pipefail`, in a folder laid out like a checkout after
`make up`: `.venv` (this one), `.newsroom` (the home of a stack that `newsroom up`
started for this test on free ports) and a git repository. The examples name the default
ports (8001-8003); they are rewritten to this stack's ports, which is all that changes.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsroom import stack as embedded

REPO = Path(__file__).resolve().parents[2]
_NOT_OURS = {".git", ".venv", "node_modules", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
# Every Markdown file of the repository (bench/results.md is written by `make bench`).
DOCS = tuple(
    sorted(
        str(p.relative_to(REPO))
        for p in REPO.rglob("*.md")
        if not _NOT_OURS & set(p.relative_to(REPO).parts) and p.name != "results.md"
    )
)
READMES = tuple(d for d in DOCS if Path(d).name == "README.md")
SHELLS = ("sh", "bash", "shell")
PARTS = ("broker", "store", "ingest", "verify", "publish")
DEFAULT_PORTS = {"ingest": 8001, "verify": 8002, "publish": 8003}
# Blocks that are not run, and why: the reason is in the fence, for readers too.
NOT_TESTED = {
    ("README.md", "CI runs both (.ci/run), make test in a fresh clone"),
    ("README.md", "needs Docker, which the test machine does not have"),
}
_FENCE = re.compile(r"^```(.*)$")


@dataclass(frozen=True)
class Block:
    file: str
    line: int
    info: str
    text: str

    @property
    def language(self) -> str:
        return self.info.split()[0] if self.info.split() else ""

    @property
    def not_tested(self) -> str | None:
        rest = self.info[len(self.language) :].strip()
        return rest.removeprefix("not-tested:").strip() if rest.startswith("not-tested:") else None


def blocks(file: str) -> list[Block]:
    found: list[Block] = []
    lines = (REPO / file).read_text(encoding="utf-8").splitlines()
    k = 0
    while k < len(lines):
        match = _FENCE.match(lines[k])
        if match is None:
            k += 1
            continue
        end = next(j for j in range(k + 1, len(lines)) if lines[j].startswith("```"))
        found.append(Block(file, k + 1, match.group(1).strip(), "\n".join(lines[k + 1 : end])))
        k = end + 1
    return found


def runnable(file: str) -> list[Block]:
    return [b for b in blocks(file) if b.language in SHELLS and b.not_tested is None]


def test_every_block_says_what_it_is() -> None:
    unmarked = [f"{b.file}:{b.line}" for f in DOCS for b in blocks(f) if not b.language]
    assert unmarked == [], "give these fences a language (sh, text, python...)"
    skipped = {(b.file, b.not_tested) for f in DOCS for b in blocks(f) if b.not_tested is not None}
    assert skipped == NOT_TESTED
    assert {"README.md", "verify/README.md", "publish/README.md"} <= set(READMES)
    # The three service READMEs each show commands that run; fixture notes need none.
    assert all(runnable(f) for f in ("README.md", "verify/README.md", "publish/README.md"))


@dataclass
class Checkout:
    root: Path
    env: dict[str, str]
    ports: dict[str, int]

    def bash(self, script: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["bash", "-c", script], cwd=self.root, env=self.env, text=True,
            capture_output=True, timeout=timeout, check=False,
        )  # fmt: skip


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Checkout]:
    """A folder like the repository after `make up`, with its own stack on free ports."""
    root = tmp_path_factory.mktemp("checkout")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".venv").symlink_to(Path(sys.prefix))  # the virtualenv running the tests
    ports = {part: embedded.free_port() for part in PARTS}
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")}
    env.update({f"NEWSROOM_{p.upper()}_PORT": str(port) for p, port in ports.items()})
    env["NEWSROOM_DB_PREFIX"] = f"docs{uuid.uuid4().hex[:8]}"
    up = subprocess.run(
        [str(root / ".venv" / "bin" / "newsroom"), "up"], cwd=root, env=env, text=True,
        capture_output=True, timeout=600, check=False,
    )  # fmt: skip
    # A new shell: the examples find the ports in .newsroom/settings.env, not here.
    shell_env = {k: v for k, v in env.items() if not k.startswith("NEWSROOM_")}
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield Checkout(root, shell_env, ports)
    finally:
        subprocess.run(
            [str(root / ".venv" / "bin" / "newsroom"), "down"], cwd=root, env=env,
            capture_output=True, timeout=300, check=False,
        )  # fmt: skip


def script_of(file: str, ports: dict[str, int]) -> str:
    parts = ["set -euo pipefail"]
    for block in runnable(file):
        text = block.text
        for service, default in DEFAULT_PORTS.items():
            text = text.replace(f"127.0.0.1:{default}", f"127.0.0.1:{ports[service]}")
        parts.append(f"echo '>>> {file}:{block.line}'\n{text}")
    return "\n".join(parts) + "\necho '>>> all done'\n"


@pytest.mark.parametrize("file", [f for f in READMES if runnable(f)])
def test_the_examples_work_when_pasted(checkout: Checkout, file: str) -> None:
    ran = checkout.bash(script_of(file, checkout.ports))
    shown = f"--- stdout\n{ran.stdout}\n--- stderr\n{ran.stderr}"
    assert ran.returncode == 0, shown
    assert ran.stdout.rstrip().endswith(">>> all done"), shown
    # Nothing the examples wrote is left in the checkout (they use a temporary folder).
    left = sorted(p.name for p in checkout.root.iterdir())
    assert left == [".git", ".newsroom", ".venv"], left
