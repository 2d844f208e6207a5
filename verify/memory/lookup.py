"""Candidates to matches: every stored statement that shares a band with the new one is
compared, and the ones that make the same assertion come back closest first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from verify.memory.compare import Comparison, compare
from verify.memory.statement import Statement

# At most this many candidates are read and compared for one claim: a bound on the work
# of one lookup whatever the store holds (`make bench` shows how many a lookup finds).
MAX_CANDIDATES = 1000


@dataclass(frozen=True)
class Candidate:
    """A stored claim that may make the same assertion: its statement as stored."""

    claim_id: str
    story_id: str
    statement: Statement


@dataclass(frozen=True)
class Match:
    claim_id: str
    story_id: str
    comparison: Comparison


def matches(statement: Statement, candidates: Iterable[Candidate]) -> list[Match]:
    """The candidates that make the same assertion as ``statement``, closest first."""
    found: list[Match] = []
    for candidate in candidates:
        comparison = compare(statement, candidate.statement)
        if comparison.same:
            found.append(Match(candidate.claim_id, candidate.story_id, comparison))
    found.sort(key=lambda m: (-m.comparison.score, m.claim_id))
    return found
