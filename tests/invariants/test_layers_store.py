"""One way to persist (DEVELOPERS.md, "Persistence"): only a repository reaches the store.

``make lint`` (import-linter, ``store-driver-in-repositories``) keeps the driver's imports
in repository modules. What it cannot see is a module that reaches a collection through a
document class it imported from a repository (``Story._get_collection()``) or queries
through mongoengine (``User.objects(...)``) without importing the driver: this test reads
every module of the services and the core for those two.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("services", "ingest", "verify", "publish", "newsroom")
# The core's own store: the connection, transactions, and the shared outbox's rows.
CORE_STORE = {"services.store", "services.outbox.rows"}


def is_repository(module: str) -> bool:
    """A domain's repository (``repository.py``, or a ``repository/`` package) or its
    documents (``documents.py``, ``models.py`` of the core's auth)."""
    parts = module.split(".")
    return (
        "repository" in parts
        or parts[-1] == "documents"
        or module in CORE_STORE
        or module == "services.auth.models"
    )


def store_access(source: str) -> list[tuple[int, str]]:
    """(line, what) of each collection reached or mongoengine query made in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        if node.attr == "_get_collection":
            found.append((node.lineno, "_get_collection"))
        elif (
            node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id[:1].isupper()
        ):
            found.append((node.lineno, f"{node.value.id}.objects"))
    return found


def modules() -> list[tuple[str, Path]]:
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found.append((name, path))
    return found


def test_only_repositories_reach_the_store() -> None:
    outside = [
        f"{module}:{line} {what}"
        for module, path in modules()
        if not is_repository(module)
        for line, what in store_access(path.read_text(encoding="utf-8"))
    ]
    assert outside == [], "move these queries into the domain's repository:\n" + "\n".join(outside)


def test_the_check_sees_a_query_outside_a_repository() -> None:
    """The scan finds both forms, and the repositories it exempts are the ones there are."""
    source = (
        "def confirm(story_id):\n"
        "    Story._get_collection().update_one({'story_id': story_id}, {})\n"
        "    return User.objects(name='x').first(), report.objects\n"
    )
    assert store_access(source) == [(2, "_get_collection"), (3, "User.objects")]
    assert not is_repository("verify.stories.review")
    assert not is_repository("publish.stories.service")
    exempt = {module for module, _ in modules() if is_repository(module)}
    assert {
        "ingest.reports.repository",
        "publish.stories.repository",
        "verify.stories.repository.claims",
        "services.auth.repository",
    } <= exempt


# The store's findAndModify writes with a filter its write path answers by reading the
# whole collection (services.store.update_and_read says why); these driver calls send it.
FIND_AND_MODIFY = {"find_one_and_update", "find_one_and_replace", "find_one_and_delete"}


def find_and_modify_calls(source: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and node.attr in FIND_AND_MODIFY
    ]


def test_no_module_sends_the_stores_find_and_modify() -> None:
    found = [
        f"{module}:{line}"
        for module, path in modules()
        for line in find_and_modify_calls(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "use services.store.update_and_read instead:\n" + "\n".join(found)
    assert find_and_modify_calls("c.find_one_and_update({}, {})\nc.update_one({}, {})\n") == [1]
