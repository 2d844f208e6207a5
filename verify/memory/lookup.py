"""Candidates to matches: every stored statement that shares a band with the new one is
compared, and the ones that make the same assertion come back closest first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from verify.memory.compare import Comparison, compare
from verify.memory.statement import Statement

# At most this many candidates are read and compared for one claim: a bound on the work
# of one lookup whatever the store holds (`make bench` shows how many a lookup finds).
MAX_CANDIDATES = 1000


@dataclass(frozen=True)
class Match:
    claim_id: str
    story_id: str
    comparison: Comparison


def matches(statement: Statement, candidates: Iterable[dict[str, Any]]) -> list[Match]:
    """The candidates (``claim_id``, ``story_id``, ``memory``: a stored statement) that
    make the same assertion as ``statement``, closest first."""
    found: list[Match] = []
    for doc in candidates:
        comparison = compare(statement, Statement.from_doc(doc["memory"]))
        if comparison.same:
            found.append(Match(doc["claim_id"], doc["story_id"], comparison))
    found.sort(key=lambda m: (-m.comparison.score, m.claim_id))
    return found
