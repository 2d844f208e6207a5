"""Versions of a story sent from a bad connection: out of order, or retried. With
``revises`` (the revision a version replaces) a late older version is refused, never
stored as the latest."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.ingest.test_cli import STORY, newsroom
from tests.support.reports import report, submit
from tests.support.stack import Stack


def test_a_version_written_before_the_latest_is_refused_not_stored_over_it(
    stack: Stack,
) -> None:
    with stack.client("ingest", "reporter") as client:
        first = submit(client).json()
        story_id = first["story_id"]
        # The reporter wrote v2 on revision 1, then v3 on v2.
        v2 = report(story_id=story_id, headline="Council approves budget, v2", revises=1)
        v3 = report(story_id=story_id, headline="Council approves budget, v3", revises=2)
        # v3 arrives first: the story has no revision 2 yet.
        early = submit(client, v3)
        assert early.status_code == 409, early.text
        assert early.headers["content-type"] == "application/problem+json"
        assert "revision 2, which does not exist" in early.json()["detail"]
        key2 = uuid.uuid4().hex
        assert submit(client, v2, key=key2).status_code == 202
        assert submit(client, v3).status_code == 202
        # v2's retry (its answer was lost) gets v2's answer, not a 409 for being old.
        again = submit(client, v2, key=key2)
        assert again.status_code == 202, again.text
        assert again.json()["revision"] == 2
        # An edit of v2 sent late, after v3: refused, and says what to do.
        late = submit(client, {**v2, "headline": "Council approves budget, v2b"})
        assert late.status_code == 409, late.text
        detail = late.json()["detail"]
        assert "already has revision 3" in detail, detail
        assert "revises 3" in detail, detail
        mine = client.get("/v1/reports", params={"limit": 200}).json()["items"]
        headlines = {r["revision"]: r["headline"] for r in mine if r["story_id"] == story_id}
        assert headlines == {1: "Council approves budget", 2: "Council approves budget, v2",
                             3: "Council approves budget, v3"}  # fmt: skip
        # Without revises a version follows the latest, as before.
        free = submit(client, report(story_id=story_id, headline="Council approves budget, v4"))
        assert free.json()["revision"] == 4


def test_revises_without_a_story_is_a_clear_422(stack: Stack) -> None:
    with stack.client("ingest", "reporter") as client:
        answer = submit(client, report(revises=1))
        assert answer.status_code == 422
        assert answer.json()["errors"][0]["loc"] == ["body", "revises"]
        assert "give story_id" in answer.json()["detail"]


def test_newsroom_submit_revises(stack: Stack, tmp_path: Path) -> None:
    story = tmp_path / "water.md"
    story.write_text(STORY)
    first = newsroom(stack, "submit", str(story))
    story_id = first.stdout.split("(story ")[1].split(",")[0]
    story.write_text(STORY.replace("dry spring", "a dry spring"))
    late = newsroom(stack, "submit", str(story), "--story-id", story_id, "--revises", "2")
    assert late.returncode == 1
    assert "revision 2, which does not exist" in late.stderr
    ok = newsroom(stack, "submit", str(story), "--story-id", story_id, "--revises", "1")
    assert ok.returncode == 0, ok.stderr
    assert "revision 2)" in ok.stdout
