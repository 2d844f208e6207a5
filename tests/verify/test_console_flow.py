"""The reviewers' console's flow, over HTTP as a browser posts its forms: take the next
claim, mark it (its lease goes back, the next free claim of the story opens), never a
claim another reviewer holds, and the story's end after its last free claim."""

from __future__ import annotations

import re
from typing import Any

import httpx

from services.contracts import DeclaredClaim
from tests.support.console import CSRF, signed_in
from tests.verify.support import Newsroom

SENTENCES = [
    "The ferry service carried 1.2 million passengers last year, the operator said.",
    "Fares rose by 14 percent in January, according to the transport board.",
    "The new terminal cost 38 million euros, the port authority said.",
    "Two of the four vessels are more than 30 years old, the union said.",
    "Crossings were cancelled on 41 days because of storms, the operator said.",
]
CLAIM_PAGE = re.compile(r"^/ui/claims/([\w-]+)\?done=")


def csrf_of(client: httpx.Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text[:300]
    found = CSRF.search(page.text)
    assert found is not None
    return found.group(1)


def holder_of(newsroom: Newsroom, story_id: str, claim_id: str) -> Any:
    story = newsroom.story(story_id).json()
    return next(c for c in story["claims"] if c["claim_id"] == claim_id)["holder"]


def test_marking_gives_the_lease_back_and_moves_on_past_a_held_claim(
    newsroom: Newsroom,
) -> None:
    stack = newsroom.stack
    report = newsroom.submit(
        newsroom.report(
            section="business",
            headline="Ferry operator reports record year",
            body=" ".join(SENTENCES),
            claims=[DeclaredClaim(text=s) for s in SENTENCES],
        )
    )
    story = newsroom.wait_story(report.story_id)
    claims = sorted(story["claims"], key=lambda c: c["start"])
    assert len(claims) >= len(SENTENCES)
    # Another reviewer holds the second claim.
    _, other_token = stack.new_user("reviewer")
    with newsroom.as_user(other_token) as other:
        assert other.post(f"/v1/claims/{claims[1]['claim_id']}/lease").status_code == 200
    held_id = claims[1]["claim_id"]

    visited: list[str] = []
    with signed_in(stack.url("verify"), stack.tokens["reviewer"]) as console:
        token = csrf_of(console, "/ui/")
        answer = console.post(
            "/ui/next",
            data={"csrf_token": token, "story_id": report.story_id, "only": "yes"},
        )
        assert answer.status_code == 303, answer.text[:300]
        location = answer.headers["location"]
        while (found := CLAIM_PAGE.match(location)) is not None:
            claim_id = found.group(1)
            visited.append(claim_id)
            page = console.get(location)
            assert page.status_code == 200
            assert "yours" in page.text.lower()  # leased to this reviewer by the flow
            assert holder_of(newsroom, report.story_id, claim_id) == stack.names["reviewer"]
            version = re.search(r'name="version" value="(\d+)"', page.text)
            assert version is not None
            answer = console.post(
                f"/ui/claims/{claim_id}/review",
                data={
                    "csrf_token": CSRF.search(page.text).group(1),  # type: ignore[union-attr]
                    "status": "verified",
                    "version": version.group(1),
                },
            )
            assert answer.status_code == 303, answer.text[:500]
            # Marked: the lease is given back at once.
            assert holder_of(newsroom, report.story_id, claim_id) is None
            location = answer.headers["location"]
        assert location.startswith(f"/ui/stories/{report.story_id}?done=reviewed-end"), location
        end = console.get(location)
        assert end.status_code == 200
        assert "Confirm the claim list" in end.text
        # The story's end holds the claim list's confirm form (rule 0), in its slot.
        assert f'action="/ui/stories/{report.story_id}/claim-list/confirm"' in end.text
        assert 'data-slot="claim-list"' in end.text
        assert "Held by " in end.text

    free = [c["claim_id"] for c in claims if c["claim_id"] != held_id]
    assert visited == free  # body order, every free claim once, never the held one
    assert held_id not in visited


def test_bad_next_claim_forms_change_nothing(newsroom: Newsroom) -> None:
    """The "next claim" form's fields: ids up to 64 characters, a section of the
    settings (another one is ignored), ``only`` up to 3; anything else is refused with a
    page that says so, and no claim is leased."""
    stack = newsroom.stack
    report = newsroom.submit(
        newsroom.report(
            section="business",
            headline="Ferry fares",
            body=SENTENCES[1],
            claims=[DeclaredClaim(text=SENTENCES[1])],
        )
    )
    claim = newsroom.wait_story(report.story_id)["claims"][0]
    with signed_in(stack.url("verify"), stack.tokens["reviewer"]) as console:
        token = csrf_of(console, "/ui/")
        for fields, status in (
            ({"story_id": "s" * 65, "only": "yes"}, 422),
            ({"story_id": report.story_id, "after": "c" * 65, "only": "yes"}, 422),
            ({"story_id": report.story_id, "only": "always"}, 422),
            ({"section": "x" * 51}, 422),
            ({"story_id": "s_no_such_story", "only": "yes"}, 404),
        ):
            answer = console.post("/ui/next", data={"csrf_token": token, **fields})
            if answer.status_code == 303:
                answer = console.get(answer.headers["location"])
            assert answer.status_code == status, (fields, answer.status_code)
            assert "text/html" in answer.headers["content-type"]
        # A section that is not one of ours is ignored, as the queue's filter ignores it.
        assert console.get("/ui/", params={"section": "nowhere"}).status_code == 200
        assert console.get("/ui/", params={"section": "x" * 51}).status_code == 422
        # Without the form's CSRF token: refused.
        assert console.post("/ui/next", data={"story_id": report.story_id}).status_code == 403
    assert holder_of(newsroom, report.story_id, claim["claim_id"]) is None
