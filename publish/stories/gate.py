"""The publish rule (DESIGN.md), as a pure function: a snapshot in, a verdict out.

A story revision may be released only when, for that exact revision:
1. no claim is ``pending``;
2. no claim is ``false``;
3. every ``contested`` or ``unverifiable`` claim has at least one attribution record that
   names a source, its kind and how it was obtained (an anonymous source only with an
   editor's recorded approval and reason), and the text attributes the claim in its
   sentence or the one before.

Every blocking claim is reported with a reason code, what it lacks in words an editor
understands, and who holds it. The rule for one claim lives in ``services/rule/claims.py``,
shared with the reviewers' console so that both say the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.contracts import StoryReviewed
from services.rule.claims import (
    EDITORS,
    LACKS,
    NEEDS_ATTRIBUTION,
    REPORTER,
    REVIEWERS_QUEUE,
    Blocker,
    Reason,
    claim_blocker,
)

__all__ = [
    "EDITORS",
    "LACKS",
    "NEEDS_ATTRIBUTION",
    "REPORTER",
    "REVIEWERS_QUEUE",
    "Blocker",
    "Reason",
    "Verdict",
    "claim_blocker",
    "evaluate",
]


@dataclass(frozen=True)
class Verdict:
    story_id: str
    revision: int
    version: int
    blockers: tuple[Blocker, ...]

    @property
    def publishable(self) -> bool:
        return not self.blockers


def evaluate(snapshot: StoryReviewed) -> Verdict:
    blockers = tuple(
        blocker
        for claim in snapshot.claims
        if (blocker := claim_blocker(claim, snapshot.body)) is not None
    )
    return Verdict(snapshot.story_id, snapshot.revision, snapshot.version, blockers)
