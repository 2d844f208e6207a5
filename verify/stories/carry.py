"""Matching a new revision's claims with the claims of the revision before it.

1. Same normalised text: the claim is kept (same claim id and review).
2. A previous claim whose text is still in the body verbatim (one a reviewer added, split
   or merged, which detection does not find as such) is kept at that place; detected
   claims it overlaps give way to it, declared ones do not.
3. A remaining previous claim much like a remaining new one (difflib ratio) is the same
   claim, changed: it keeps its id and goes back to pending.
4. Whatever is left is new (pending) or removed (closed).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from verify.common import normalise
from verify.detection import analyse_span
from verify.stories.analysis import Candidate, overlaps
from verify.stories.records import ClaimRecord

CHANGED_MIN_RATIO = 0.6


@dataclass
class Match:
    kept: list[tuple[ClaimRecord, Candidate]] = field(default_factory=list)
    changed: list[tuple[ClaimRecord, Candidate]] = field(default_factory=list)
    new: list[Candidate] = field(default_factory=list)
    removed: list[ClaimRecord] = field(default_factory=list)


def _find_free(body: str, text: str, near: int, taken: list[tuple[int, int]]) -> int | None:
    """Where ``text`` occurs in ``body`` clear of ``taken``, nearest to ``near``."""
    places: list[int] = []
    at = body.find(text)
    while at >= 0:
        if not any(overlaps(at, at + len(text), *span) for span in taken):
            places.append(at)
        at = body.find(text, at + 1)
    return min(places, key=lambda p: abs(p - near)) if places else None


def match(body: str, candidates: list[Candidate], previous: list[ClaimRecord]) -> Match:
    result = Match()
    waiting: dict[str, list[ClaimRecord]] = {}
    for claim in sorted(previous, key=lambda c: c.start):
        waiting.setdefault(claim.norm, []).append(claim)
    unmatched: list[Candidate] = []
    for candidate in candidates:
        same = waiting.get(normalise(candidate.found.text))
        if same:
            result.kept.append((same.pop(0), candidate))
        else:
            unmatched.append(candidate)
    left = [c for claims in waiting.values() for c in claims]

    # 2. previous claims still there verbatim
    taken = [(c.start, c.end) for _, c in result.kept]
    taken += [(c.start, c.end) for c in unmatched if c.origin == "declared"]
    still_left: list[ClaimRecord] = []
    for claim in sorted(left, key=lambda c: c.start):
        at = _find_free(body, claim.text, claim.start, taken)
        if at is None:
            still_left.append(claim)
            continue
        found = analyse_span(body, at, at + len(claim.text))
        place = Candidate(found, claim.origin, tuple(claim.declared_sources))
        result.kept.append((claim, place))
        taken.append((found.start, found.end))
        unmatched = [
            c
            for c in unmatched
            if c.origin == "declared" or not overlaps(c.start, c.end, found.start, found.end)
        ]

    # 3. changed claims: the most alike pairs first
    pairs = sorted(
        (
            (difflib.SequenceMatcher(None, claim.norm, normalise(c.found.text)).ratio(), i, j)
            for i, claim in enumerate(still_left)
            for j, c in enumerate(unmatched)
        ),
        reverse=True,
    )
    used_old: set[int] = set()
    used_new: set[int] = set()
    for ratio, i, j in pairs:
        if ratio < CHANGED_MIN_RATIO:
            break
        if i in used_old or j in used_new:
            continue
        used_old.add(i)
        used_new.add(j)
        result.changed.append((still_left[i], unmatched[j]))

    result.new = [c for j, c in enumerate(unmatched) if j not in used_new]
    result.removed = [c for i, c in enumerate(still_left) if i not in used_old]
    return result
