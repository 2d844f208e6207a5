"""The store's side of rule 0: a confirmation written with the story's new version and its
audit entry in one transaction, and the confirmations read back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.client_session import ClientSession
from pymongo.errors import DuplicateKeyError

from verify.common import Actor
from verify.stories import unit_of_work
from verify.stories.documents import ClaimListAudit, Story
from verify.stories.records import StoryRecord
from verify.stories.repository import bump_story


class AlreadyConfirmed(Exception):
    """Another reviewer confirmed this revision meanwhile (the audit's unique key)."""


def confirm(
    story_id: str,
    revision: int,
    checked: list[str],
    counts: dict[str, int],
    actor: Actor,
    now: datetime,
) -> StoryRecord | None:
    """Record the confirmation of ``revision`` while it is still the story's current one
    (None otherwise): the sentences it covers, the story's version raised (its snapshot
    goes out), and who did it, when and what they saw (``counts``)."""

    def work(session: ClientSession) -> StoryRecord | None:
        found = Story._get_collection().update_one(
            {"story_id": story_id, "revision": revision},
            {
                "$set": {
                    "claims_confirmed_revision": revision,
                    "checked_sentences": checked,
                    "sentences_to_check": 0,
                }
            },
            session=session,
        )
        if not found.matched_count:
            return None
        bumped = bump_story(session, story_id, now, expect_revision=revision)
        if bumped is None:
            return None
        entry = {
            "story_id": story_id,
            "revision": revision,
            "version": bumped.version,
            "at": now,
            "actor": actor.as_dict(),
            **counts,
        }
        try:
            ClaimListAudit._get_collection().insert_one(entry, session=session)
        except DuplicateKeyError as exc:
            raise AlreadyConfirmed(story_id) from exc
        return bumped

    return unit_of_work.transaction(work)


def confirmations(story_id: str) -> list[dict[str, Any]]:
    """Every confirmation of the story's claim lists, oldest first."""
    found = ClaimListAudit._get_collection().find({"story_id": story_id}).sort("revision", 1)
    return [{k: v for k, v in doc.items() if k != "_id"} for doc in found]
