"""Publish's catch-up (issue 12): it lists what changed in verify (ids and versions only)
and reads only the stories newer than its copy, once; a story verify cannot give is asked
for again only after an exponential back-off, and is read once verify gives it."""

from __future__ import annotations

from publish.workers import Backoff
from tests.publish.builders import cleared_story
from tests.publish.conftest import Solo
from tests.support.servers import wait_for

LISTING = "/v1/snapshots/versions"


def passes(solo: Solo) -> int:
    return sum(1 for r in solo.verify.requests if r.startswith(LISTING))


def reads_of(solo: Solo, story_id: str) -> int:
    return sum(1 for r in solo.verify.requests if r.split("?")[0] == f"/v1/stories/{story_id}")


def whole_pages(solo: Solo) -> int:
    return sum(1 for r in solo.verify.requests if r.split("?")[0] == "/v1/snapshots")


def test_catch_up_reads_a_story_once_and_never_again_at_the_version_it_has(solo: Solo) -> None:
    snapshot = solo.verify.put(cleared_story(section=solo.section()))
    solo.gate(snapshot.story_id, snapshot.version)  # brought by catch-up: no event was sent
    reads, pages = reads_of(solo, snapshot.story_id), whole_pages(solo)
    assert reads == 1
    # For the read model: the desk view, without detection's findings (a release reads it
    # whole).
    assert f"/v1/stories/{snapshot.story_id}?view=desk" in solo.verify.requests
    start = passes(solo)
    wait_for(lambda: passes(solo) >= start + 3, 60, what="three more catch-up passes")
    # Listed again by every pass (the overlap), but neither its snapshot nor a page of
    # snapshots was read again.
    assert (reads_of(solo, snapshot.story_id), whole_pages(solo)) == (reads, pages)


def test_catch_up_backs_off_from_a_story_verify_cannot_give_then_reads_it(solo: Solo) -> None:
    snapshot = cleared_story(section=solo.section())
    solo.verify.mode[snapshot.story_id] = "error"
    solo.verify.put(snapshot)
    wait_for(lambda: reads_of(solo, snapshot.story_id) >= 1, 60, what="a first read")
    start = passes(solo)
    wait_for(lambda: passes(solo) >= start + 10, 120, what="ten more catch-up passes")
    # Every pass lists the story, but it is asked for less and less often.
    assert reads_of(solo, snapshot.story_id) - 1 < passes(solo) - start
    solo.verify.mode[snapshot.story_id] = "ok"
    solo.gate(snapshot.story_id, snapshot.version, timeout=120)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_per_failure_up_to_its_ceiling_and_forgets_on_success() -> None:
    clock = Clock()
    backoff = Backoff(2.0, 10.0, clock)
    assert backoff.due("a")
    assert [backoff.failed("a") for _ in range(5)] == [2.0, 4.0, 8.0, 10.0, 10.0]
    assert not backoff.due("a")
    assert backoff.due("b")
    clock.now = 9.9
    assert not backoff.due("a")
    clock.now = 10.0
    assert backoff.due("a")
    backoff.forget("a")
    assert backoff.failed("a") == 2.0
