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


def confirm_claim_list(
    verify: httpx.Client, story_id: str, revision: int | None = None, timeout: float = 60
) -> dict[str, Any]:
    """A reviewer's confirmation of the story's claim list (rule 0 of the publish rule),
    for ``revision`` once verify has it (default: the current one); the claim list after.
    ``verify`` is a client of a reviewer or an editor."""

    def attempt() -> dict[str, Any] | None:
        found = verify.get(f"/v1/stories/{story_id}/claim-list")
        if found.status_code == 404:
            return None  # not in verify yet
        found.raise_for_status()
        current = found.json()["revision"]
        if revision is not None and current < revision:
            return None
        answer = verify.post(
            f"/v1/stories/{story_id}/claim-list/confirm", json={"revision": revision or current}
        )
        if answer.status_code == 409 and revision is None:
            return None  # a newer revision arrived meanwhile: confirm that one
        answer.raise_for_status()
        confirmed: dict[str, Any] = answer.json()
        return confirmed

    found: dict[str, Any] = wait_for(
        attempt, timeout=timeout, what=f"the claim list of story {story_id} confirmed"
    )
    return found
