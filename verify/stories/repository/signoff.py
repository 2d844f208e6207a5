"""Rule 0 in the store: a revision's claim list confirmed on its story, and the audit of
confirmations (one per revision: its unique key refuses a second)."""

from __future__ import annotations

from typing import Any

from pymongo.client_session import ClientSession

from verify.stories.documents import ClaimListAudit, Story
from verify.stories.records import Confirmation


def confirm_revision(
    session: ClientSession, story_id: str, revision: int, checked: list[str]
) -> bool:
    """Mark ``revision``'s sentences ``checked`` on the story, if it is still its current
    revision (False otherwise)."""
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
    return bool(found.matched_count)


def add_confirmation(session: ClientSession, story_id: str, confirmation: Confirmation) -> None:
    """The audit entry (``DuplicateKeyError`` when the revision has one already)."""
    entry: dict[str, Any] = {"story_id": story_id, **vars(confirmation)}
    ClaimListAudit._get_collection().insert_one(entry, session=session)


def confirmations(story_id: str) -> list[Confirmation]:
    """Every confirmation of the story's claim lists, oldest first."""
    found = ClaimListAudit._get_collection().find({"story_id": story_id}).sort("revision", 1)
    return [
        Confirmation(
            revision=doc["revision"],
            version=doc["version"],
            at=doc["at"],
            actor=doc["actor"],
            sentences=doc["sentences"],
            uncovered=doc["uncovered"],
            checked_before=doc["checked_before"],
        )
        for doc in found
    ]
