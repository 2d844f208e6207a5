"""Public addresses of what readers open, and the one date format of every document.

Every link a reader or a downstream site is given is absolute, built from publish's
*public* base URL (``Settings.public_url_of("publish")``), so it is right behind a proxy.
Pages live at ``/`` (front page), ``/sections/{section}`` and ``/stories/{story_id}``.
"""

from __future__ import annotations

from datetime import UTC, datetime

STORY_PATH = "/stories/"
SECTION_PATH = "/sections/"


def front_url(base_url: str) -> str:
    return f"{base_url}/"


def story_url(base_url: str, story_id: str) -> str:
    return f"{base_url}{STORY_PATH}{story_id}"


def section_url(base_url: str, section: str) -> str:
    """The page listing a section's stories; "all" is the front page."""
    return front_url(base_url) if section == "all" else f"{base_url}{SECTION_PATH}{section}"


def review_url(base_url: str, story_id: str, claim_id: str) -> str:
    """Where a claim's review shows on the story page (the box's entry)."""
    return f"{story_url(base_url, story_id)}#claim-{claim_id}"


def rfc3339(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def rfc3339_ms(at: datetime) -> str:
    """Atom's dates, to the millisecond the store keeps: two stories released in one
    second would otherwise share an ``atom:updated``, which W3C's validator warns about."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
