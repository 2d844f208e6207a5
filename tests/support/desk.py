"""A desk's moves over the HTTP APIs: review every claim of a story, then publish it."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.servers import wait_for


def story_claims(verify: httpx.Client, story_id: str, timeout: float = 60) -> dict[str, Any]:
    """The story as verify has it, once it is there."""

    def fetch() -> dict[str, Any] | None:
        answer = verify.get(f"/v1/stories/{story_id}")
        return answer.json() if answer.status_code == 200 else None

    found: dict[str, Any] = wait_for(fetch, timeout=timeout, what=f"story {story_id} in verify")
    return found


def verify_every_claim(verify: httpx.Client, story_id: str, status: str = "verified") -> int:
    """Mark every open claim of the story with ``status``; return how many."""
    story = story_claims(verify, story_id)
    for claim in story["claims"]:
        answer = verify.post(
            f"/v1/claims/{claim['claim_id']}/review",
            json={"status": status},
            headers={"If-Match": f'"{claim["version"]}"'},
        )
        answer.raise_for_status()
    return len(story["claims"])


def publish_when_publishable(publish: httpx.Client, story_id: str, timeout: float = 60) -> Any:
    """Publish once the gate (fed by stories.reviewed) says the story may go."""

    def attempt() -> Any:
        answer = publish.post(f"/v1/stories/{story_id}/publish", json={})
        return answer if answer.status_code == 200 else None

    return wait_for(attempt, timeout=timeout, what=f"story {story_id} to publish")
