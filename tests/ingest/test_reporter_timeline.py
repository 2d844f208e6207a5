"""A reporter's report after its story was released: flagged for a correction, retracted,
and old events replayed from a DLQ (``newsroom dlq replay``) afterwards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.contracts import Contract, StoryPublished, StoryReviewed, Topic
from services.runtime import Runtime
from tests.ingest.test_cli import newsroom
from tests.support.reports import report, submit
from tests.support.servers import wait_for
from tests.support.stack import Stack


def test_a_flag_for_correction_tells_the_reporter_why_and_a_replay_does_not_undo_it(
    stack: Stack,
) -> None:
    with stack.client("ingest", "reporter") as client:
        accepted = submit(client).json()
        report_id, story_id = accepted["report_id"], accepted["story_id"]

        def view() -> dict[str, Any]:
            found: dict[str, Any] = client.get(f"/v1/reports/{report_id}").json()
            return found

        runtime = Runtime(stack.settings, "test")

        def send(topic: Topic, event: Contract) -> None:
            runtime.producer.send(runtime.producer.message(topic, event, key=story_id))

        def release(action: str, at: datetime, reason: str | None = None) -> StoryPublished:
            return StoryPublished(
                story_id=story_id, revision=1, version=9, report_id=report_id,
                action=action, url="http://x/1", at=at, reason=reason,
            )  # fmt: skip

        sentinels = iter(range(10_000, 10_100))
        probe = submit(client).json()["report_id"]  # another story's report, never retracted

        def processed() -> None:
            """Everything sent before was consumed: a mark sent after it under this story's
            key (one partition, in order), on the probe report, has arrived."""
            version = next(sentinels)
            marker = f"sentinel {version}"
            send(Topic.STORIES_REVIEWED, StoryReviewed(
                story_id=story_id, version=version, revision=1, report_id=probe,
                reporter_id="u_x", byline="A. Reporter", headline="h", body="b.",
                section="local", publish_when_cleared=False, cleared=False, claims=[],
                updated_at=datetime.now(UTC), held=[marker],
            ))  # fmt: skip
            wait_for(
                lambda: client.get(f"/v1/reports/{probe}").json()["held"] == [marker],
                what=marker,
            )

        # Verify (the stack's) has the report before publish could have released it.
        wait_for(lambda: view()["status"] == "in_review", what="in_review")
        t0 = datetime.now(UTC)
        published = release("published", t0)
        send(Topic.STORIES_PUBLISHED, published)
        wait_for(lambda: view()["status"] == "published", what="published")

        reason = "A claim of this story matches claim c_1 of story s_2, now false: wrong year."
        flag = release("needs_correction", t0 + timedelta(seconds=5), reason)
        send(Topic.STORIES_PUBLISHED, flag)
        wait_for(lambda: view()["status"] == "needs_correction", what="needs_correction")
        assert view()["corrections"] == [reason]
        shown_by_cli = newsroom(stack, "report", report_id)
        assert shown_by_cli.returncode == 0, shown_by_cli.stderr
        assert "Now: needs_correction" in shown_by_cli.stdout
        assert f"needs correction: {reason}" in shown_by_cli.stdout
        assert f"--story-id {story_id}" in shown_by_cli.stdout

        # An operator replays the old release and the flag: nothing moves back.
        send(Topic.STORIES_PUBLISHED, published)
        send(Topic.STORIES_PUBLISHED, flag)
        processed()
        shown = view()
        assert shown["status"] == "needs_correction"
        assert shown["corrections"] == [reason]

        send(Topic.STORIES_PUBLISHED, release("retracted", t0 + timedelta(seconds=9), "Wrong."))
        wait_for(lambda: view()["status"] == "retracted", what="retracted")
        send(Topic.STORIES_PUBLISHED, release("published", t0 + timedelta(seconds=20)))
        send(Topic.STORIES_PUBLISHED, flag)
        processed()
        shown = view()
        assert shown["status"] == "retracted"
        states = [entry["status"] for entry in shown["timeline"]]
        assert states[-3:] == ["published", "needs_correction", "retracted"]
        times = [datetime.fromisoformat(entry["at"]) for entry in shown["timeline"]]  # as instants
        assert times == sorted(times), shown["timeline"]  # in the order things happened
        runtime.close()


def test_a_retraction_reaches_the_storys_revision_still_in_review(stack: Stack) -> None:
    """Publish's retraction names the revision it withdrew; the reporter's next revision,
    still in review, must not read ``in_review`` for a release that cannot come."""
    with stack.client("ingest", "reporter") as client:
        first = submit(client).json()
        report_id, story_id = first["report_id"], first["story_id"]
        runtime = Runtime(stack.settings, "test")

        def release(action: str) -> None:
            event = StoryPublished(
                story_id=story_id, revision=1, version=9, report_id=report_id,
                action=action, url="http://x/1", at=datetime.now(UTC), reason="Wrong town.",
            )  # fmt: skip
            runtime.producer.send(
                runtime.producer.message(Topic.STORIES_PUBLISHED, event, key=story_id)
            )

        def status(report: str) -> str:
            found: str = client.get(f"/v1/reports/{report}").json()["status"]
            return found

        release("published")
        wait_for(lambda: status(report_id) == "published", what="published")
        second = submit(client, report(story_id=story_id, headline="A second revision"))
        assert second.status_code == 202, second.text
        second_id = second.json()["report_id"]
        wait_for(lambda: client.get(f"/v1/reports/{second_id}").json()["held"], what="held")

        release("retracted")
        wait_for(lambda: status(report_id) == "retracted", what="retracted")
        shown = client.get(f"/v1/reports/{second_id}").json()
        assert shown["status"] == "retracted", shown
        assert shown["held"] == []  # nothing the reporter can do will release it
        assert shown["timeline"][-1]["status"] == "retracted"
        listed = client.get("/v1/reports", params={"limit": 200}).json()["items"]
        assert {r["status"] for r in listed if r["story_id"] == story_id} == {"retracted"}
        runtime.close()


def test_a_released_correction_ends_the_flag_and_a_replay_does_not_bring_it_back(
    stack: Stack,
) -> None:
    """Publish flagged revision 1; the reporter corrected it with revision 2, and the
    editor released that. Revision 1 read ``needs_correction`` for ever after, though
    readers saw the correction. It now reads ``corrected``, at the correction's release;
    the old release and flag replayed move nothing back, a new flag (revision 2 released
    again after a later flag of revision 1's claims elsewhere) counts, and a correction
    of the same revision (released again, ``corrected``) ends its flag too."""
    with stack.client("ingest", "reporter") as client:
        first = submit(client).json()
        report_id, story_id = first["report_id"], first["story_id"]
        runtime = Runtime(stack.settings, "test")

        def send(event: StoryPublished) -> None:
            message = runtime.producer.message(Topic.STORIES_PUBLISHED, event, key=story_id)
            runtime.producer.send(message)

        def release(report: str, revision: int, action: str, at: datetime) -> StoryPublished:
            return StoryPublished(
                story_id=story_id, revision=revision, version=revision * 10, report_id=report,
                action=action, url="http://x/1", at=at,
                reason="A claim was found false." if action == "needs_correction" else None,
            )  # fmt: skip

        def view(report: str) -> dict[str, Any]:
            found: dict[str, Any] = client.get(f"/v1/reports/{report}").json()
            return found

        def reads(report: str, status: str) -> None:
            wait_for(lambda: view(report)["status"] == status, what=f"{report} {status}")

        now = datetime.now(UTC)
        t0 = now.replace(microsecond=now.microsecond // 1000 * 1000)  # the store's precision
        published = release(report_id, 1, "published", t0)
        flag = release(report_id, 1, "needs_correction", t0 + timedelta(seconds=5))
        send(published)
        send(flag)
        reads(report_id, "needs_correction")
        second = submit(client, report(story_id=story_id, headline="Corrected: the year"))
        assert second.status_code == 202, second.text
        second_id = second.json()["report_id"]
        corrected_at = t0 + timedelta(seconds=10)
        send(release(second_id, 2, "corrected", corrected_at))
        reads(second_id, "published")
        reads(report_id, "corrected")
        shown = view(report_id)
        states = [entry["status"] for entry in shown["timeline"]]
        assert states[-3:] == ["published", "needs_correction", "corrected"], shown
        assert datetime.fromisoformat(shown["timeline"][-1]["at"]) == corrected_at
        assert shown["corrections"] == ["A claim was found false."]  # why it was flagged
        listed = client.get("/v1/reports", params={"limit": 200}).json()["items"]
        assert {r["report_id"]: r["status"] for r in listed if r["story_id"] == story_id} == {
            report_id: "corrected",
            second_id: "published",
        }
        shown_by_cli = newsroom(stack, "report", report_id)
        assert "Now: corrected" in shown_by_cli.stdout, shown_by_cli.stdout
        assert "Correct it" not in shown_by_cli.stdout

        # An operator replays revision 1's release and flag: both are older than the
        # correction, so nothing moves back. A sentinel flag on revision 2, sent after
        # them under the story's key (one partition, in order), says they were consumed.
        send(published)
        send(flag)
        send(release(second_id, 2, "needs_correction", t0 + timedelta(seconds=15)))
        reads(second_id, "needs_correction")
        assert view(report_id)["status"] == "corrected"

        # Revision 2 corrected by releasing it again (a reviewer's change, same revision).
        send(release(second_id, 2, "corrected", t0 + timedelta(seconds=20)))
        reads(second_id, "corrected")
        assert [e["status"] for e in view(second_id)["timeline"]][-3:] == [
            "published", "needs_correction", "corrected"
        ]  # fmt: skip
        runtime.close()
