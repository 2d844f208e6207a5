"""Rule 0 of the publish rule: a reviewer confirms each revision's claim list.

Detection proposes claims; it never alone stands between a reporter and the readers. The
reviewer sees the sentences of the current revision that no claim covers
(:mod:`verify.signoff.coverage`, on detection's own sentences), makes a claim of any of
them (``POST /v1/stories/{id}/claims`` with its offsets) or leaves it, and confirms the
list for that exact revision. A new revision keeps the confirmation only when it changed
no sentence (:func:`verify.signoff.coverage.at_receipt`, at intake).

Confirming is refused (409) for a revision that is not the story's current one: an older
one (the list the reviewer saw is gone) or a newer one verify has not stored yet (its
claims are still being detected). Confirming a confirmed revision changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.errors import Conflict, NotFound
from services.log import get_logger
from verify.common import Actor, StoryChanged
from verify.signoff.coverage import BodySentence, keys, sentences, unchecked, uncovered
from verify.stories import unit_of_work
from verify.stories.records import ClaimRecord, Confirmation, StoryRecord
from verify.stories.repository import signoff as claim_lists

log = get_logger(__name__)


class NotCurrent(Conflict):
    code = "revision_not_current"
    title = "That revision is not the story's current one"


class StillDetecting(Conflict):
    code = "claims_being_detected"
    title = "The revision's claims are still being detected"


@dataclass(frozen=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    checked: bool  # a confirmed claim list held it already


@dataclass(frozen=True)
class ClaimList:
    story_id: str
    revision: int
    version: int
    confirmed_revision: int | None
    sentences: int
    sentences_to_check: int
    uncovered: list[Sentence]
    confirmations: list[Confirmation]

    @property
    def confirmed(self) -> bool:
        return self.confirmed_revision == self.revision


def _covered_spans(story: StoryRecord, claims: list[ClaimRecord]) -> list[tuple[int, int]]:
    # The headline's claim covers no body sentence: its offsets are in the headline.
    current = (c for c in claims if c.open and c.revision == story.revision)
    return [(c.start, c.end) for c in current if not c.headline]


def _view(story: StoryRecord, claims: list[ClaimRecord], found: list[BodySentence]) -> ClaimList:
    checked = set(story.checked_sentences)
    left = uncovered(found, _covered_spans(story, claims))
    return ClaimList(
        story_id=story.story_id,
        revision=story.revision,
        version=story.version,
        confirmed_revision=story.claims_confirmed_revision,
        sentences=len(found),
        sentences_to_check=story.sentences_to_check,
        uncovered=[Sentence(s.index, s.start, s.end, s.text, s.key in checked) for s in left],
        confirmations=claim_lists.confirmations(story.story_id),
    )


def _read(story_id: str) -> tuple[StoryRecord, list[ClaimRecord]]:
    found = unit_of_work.read_story(story_id)
    if found is None:
        raise NotFound(f"No story {story_id!r}.")
    return found


def claim_list(story_id: str) -> ClaimList:
    story, claims = _read(story_id)
    return _view(story, claims, sentences(story.body))


def _check_revision(story: StoryRecord, revision: int) -> None:
    if revision > story.revision:
        raise StillDetecting(
            f"Revision {revision} of this story has not reached verify yet: its claims are "
            f"still being detected. Confirm it once it is the current revision.",
            extra={"revision": story.revision},
        )
    if revision < story.revision:
        raise NotCurrent(
            f"Revision {revision} is not the story's current revision ({story.revision}); "
            "check the current one's claim list.",
            extra={"revision": story.revision},
        )


def confirm(
    story_id: str, revision: int, actor: Actor, now: datetime, notify: StoryChanged
) -> ClaimList:
    """Confirm the claim list of ``revision``, the story's current revision."""
    story, claims = _read(story_id)
    _check_revision(story, revision)
    found = sentences(story.body)
    if story.claims_confirmed_revision == revision:
        return _view(story, claims, found)
    checked = set(story.checked_sentences)
    counts = {
        "sentences": len(found),
        "uncovered": len(uncovered(found, _covered_spans(story, claims))),
        "checked_before": sum(1 for s in found if s.key in checked),
    }
    try:
        bumped = unit_of_work.confirm_claim_list(
            story_id, revision, keys(found), counts, actor, now
        )
    except unit_of_work.AlreadyConfirmed:
        return claim_list(story_id)
    if bumped is None:  # a new revision arrived meanwhile
        story, _ = _read(story_id)
        _check_revision(story, revision)
        return claim_list(story_id)
    notify(story_id)
    log.info(
        "claim_list_confirmed",
        story_id=story_id,
        revision=revision,
        version=bumped.version,
        actor=actor.user_id,
        sentences=counts["sentences"],
        uncovered=counts["uncovered"],
        unchecked=len(unchecked(found, checked)),
    )
    return claim_list(story_id)
