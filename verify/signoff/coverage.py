"""Which sentences of a body no claim covers, and which no reviewer has checked yet.

Pure functions over the body and claim spans. Sentences are detection's own
(``verify.detection.segment``), so the reviewer is shown as a sentence exactly what
detection read as one; a heading line is a sentence too.

- A sentence is **covered** when a claim of the revision lies in it (their spans overlap):
  whoever reviews that claim reads its sentence.
- A sentence is **checked** when a reviewer confirmed a claim list that held the same
  sentence (the same text, spacing aside): a revision keeps the confirmation of the
  sentences it did not change, and a new or changed one needs confirming again.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from verify.detection.segment import segment


@dataclass(frozen=True)
class BodySentence:
    index: int  # its place among the body's sentences, from 0
    start: int
    end: int
    text: str
    key: str  # what "the same sentence" is compared by (:func:`sentence_key`)


def sentence_key(text: str) -> str:
    """A short digest of the sentence's words: kept per confirmed sentence, so a long body's
    confirmation stays small. Only spacing is ignored; any other change is a new sentence."""
    words = " ".join(text.split())
    return hashlib.blake2b(words.encode(), digest_size=10).hexdigest()


def sentences(body: str) -> list[BodySentence]:
    found = []
    for s in segment(body):
        text = body[s.start : s.end]
        found.append(BodySentence(s.index, s.start, s.end, text, sentence_key(text)))
    return found


def keys(found: Iterable[BodySentence]) -> list[str]:
    """The distinct keys of ``found``, in body order."""
    return list(dict.fromkeys(s.key for s in found))


def uncovered(found: list[BodySentence], spans: Iterable[tuple[int, int]]) -> list[BodySentence]:
    """The sentences no claim span overlaps."""
    ordered = sorted((start, end) for start, end in spans if end > start)
    # Longest reach of any claim starting at or before each claim: an overlap test per
    # sentence in O(log n), however claims nest.
    reach: list[int] = []
    for _, end in ordered:
        reach.append(max(end, reach[-1]) if reach else end)
    starts = [start for start, _ in ordered]
    out = []
    for sentence in found:
        before = bisect_left(starts, sentence.end)  # claims starting before the sentence ends
        if before == 0 or reach[before - 1] <= sentence.start:
            out.append(sentence)
    return out


def unchecked(found: list[BodySentence], checked: Collection[str]) -> list[BodySentence]:
    """The sentences whose text no confirmed claim list held."""
    return [s for s in found if s.key not in checked]


def at_receipt(
    body: str, revision: int, checked: Collection[str], confirmed: int | None
) -> tuple[int, int | None]:
    """A new revision's count of sentences to check, and the story's confirmed revision
    with it: this revision when an earlier confirmation covers every one of its sentences
    (it only removed or moved sentences, or changed the headline), else unchanged."""
    keep = set(checked)
    to_check = len(unchecked(sentences(body), keep))
    if keep and to_check == 0:
        return 0, revision
    return to_check, confirmed
