"""One story followed through the logs by its trace id (README, "Logs are structured"):
the session's services, in this process, from the reporter's request to the webhook."""

from __future__ import annotations

import uuid

from publish.consumer import AUTO_RELEASER
from services.log import traceparent_of
from tests.publish.servers import WebhookReceiver
from tests.publish.test_stack import E2E_BODY, clear_all, verify_story
from tests.support.desk import confirm_claim_list
from tests.support.logs import captured
from tests.support.servers import wait_for
from tests.support.stack import Stack

# A section the other tests of the session stack leave alone: its subscriber hears of
# this test's story only.
SECTION = "trace-in-logs"  # owned: tests/support/stack.py OWNED_SECTIONS


def test_a_storys_trace_id_is_on_each_services_lines_from_submission_to_webhook(
    stack: Stack,
) -> None:
    """The reporter's request and the desk's (its tool carrying the story's trace on)
    send one ``traceparent``. Before, only publish's ``snapshot_applied`` had it: ingest
    logged no line for the report, verify's line for a new story was logged outside its
    message's context, and publish's automatic release and its webhook attempts ran in
    workers with no trace bound."""
    trace = uuid.uuid4().hex
    traced = {"traceparent": traceparent_of(trace)}
    receiver = WebhookReceiver()
    with stack.client("publish", "editor") as editor:
        subscribed = editor.post(
            "/v1/subscriptions",
            json={"url": receiver.url("/trace"), "events": ["published"], "sections": [SECTION]},
        )
        assert subscribed.status_code == 201, subscribed.text
        subscription_id = subscribed.json()["id"]
    try:
        with captured() as logs:
            with stack.client("ingest", "reporter") as reporter:
                accepted = reporter.post(
                    "/v1/reports",
                    json={"headline": "Clinic opens", "body": E2E_BODY, "section": SECTION,
                          "publish_when_cleared": True},
                    headers={"Idempotency-Key": uuid.uuid4().hex, **traced},
                )  # fmt: skip
            assert accepted.status_code == 202, accepted.text
            report_id, story_id = accepted.json()["report_id"], accepted.json()["story_id"]
            with stack.client("verify", "reviewer") as verify:
                verify.headers.update(traced)
                clear_all(verify, verify_story(verify, story_id))
                confirm_claim_list(verify, story_id)
            delivered = wait_for(
                lambda: [r for r in receiver.at("/trace") if r.json["subject"] == story_id],
                60,
                what="the release's webhook delivery",
            )
            logs.wait("webhook_attempt", story_id=story_id, outcome="delivered")
    finally:
        with stack.client("publish", "editor") as editor:
            editor.delete(f"/v1/subscriptions/{subscription_id}")
        receiver.stop()

    assert delivered[0].headers["traceparent"] == traced["traceparent"]
    [accept] = logs.lines("report_accepted", report_id=report_id)
    [received] = logs.lines("report_received", report_id=report_id)
    [released] = logs.lines("story_released", story_id=story_id)
    attempts = logs.lines("webhook_attempt", story_id=story_id)
    for line in (accept, received, released, *attempts):
        assert line["trace_id"] == trace, line
    assert released["actor"] == AUTO_RELEASER
    assert received["topic"] == "reports.submitted"
    assert logs.lines("snapshot_applied", story_id=story_id, trace_id=trace)
