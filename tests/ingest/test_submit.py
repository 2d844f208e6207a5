"""Submitting reports: the answer, idempotency, revisions, each validation rule."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from services.contracts import Topic
from services.log import traceparent_of
from tests.support.kafka import read_topic
from tests.support.logs import captured
from tests.support.reports import report, submit
from tests.support.stack import Stack


def report_id_of(record: Any) -> str | None:
    """The report id a record on reports.submitted carries (None for poison from other tests)."""
    try:
        return str(json.loads(record.value)["data"]["report_id"])
    except (ValueError, KeyError, TypeError):
        return None


def reports_in_store(stack: Stack, **query: Any) -> int:
    from ingest.reports.repository import Report

    return int(Report.objects(**query).count())


def test_a_report_is_accepted_stored_and_queued(stack: Stack) -> None:
    with stack.client("ingest", "reporter") as client:
        answer = submit(client)
        assert answer.status_code == 202, answer.text
        body = answer.json()
        assert body["revision"] == 1
        assert body["status_url"].endswith(f"/v1/reports/{body['report_id']}")
        assert answer.headers["location"] == body["status_url"]

        status = client.get(f"/v1/reports/{body['report_id']}").json()
        assert status["story_id"] == body["story_id"]
        assert status["byline"] == stack.names["reporter"]
        assert status["timeline"][0]["status"] == "accepted"

    topic = stack.settings.topic(Topic.REPORTS_SUBMITTED)
    records = read_topic(
        stack.settings.kafka_bootstrap, topic,
        lambda rs: any(report_id_of(r) == body["report_id"] for r in rs),
    )  # fmt: skip
    mine = [r for r in records if report_id_of(r) == body["report_id"]]
    assert mine[0].key.decode() == body["story_id"]
    assert json.loads(mine[0].value)["data"]["byline"] == stack.names["reporter"]


# A query string takes the request past the shortcut (ingest.reports.shortcut) to the route.
@pytest.mark.parametrize("path", ["/v1/reports", "/v1/reports?by=route"], ids=["shortcut", "route"])
def test_an_accepted_report_is_logged_once_with_the_requests_trace(stack: Stack, path: str) -> None:
    """One ``report_accepted`` line per report, in the request's trace: the first line of
    a story in the logs, which had none in ingest before its events went out."""
    trace = uuid.uuid4().hex
    headers = {"Idempotency-Key": uuid.uuid4().hex, "traceparent": traceparent_of(trace)}
    with captured() as logs, stack.client("ingest", "reporter") as client:
        answer = client.post(path, json=report(), headers=headers)
        assert answer.status_code == 202, answer.text
        replayed = client.post(path, json=report(), headers=headers)
        assert replayed.status_code == 202, replayed.text
    body = answer.json()
    first, again = logs.lines("report_accepted", report_id=body["report_id"])
    assert first["story_id"] == body["story_id"]
    assert first["revision"] == 1
    assert first["trace_id"] == trace == answer.headers["x-trace-id"]
    assert first["request_id"] == answer.headers["x-request-id"]
    assert first["replayed"] is False
    assert again["replayed"] is True


def test_the_same_key_and_body_give_the_same_answer_and_nothing_new(stack: Stack) -> None:
    key = uuid.uuid4().hex
    payload = report(headline=f"Replay {key}")
    with stack.client("ingest", "reporter") as client:
        first = submit(client, payload, key)
        second = submit(client, payload, key)
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert reports_in_store(stack, headline=f"Replay {key}") == 1

    topic = stack.settings.topic(Topic.REPORTS_SUBMITTED)
    story = first.json()["story_id"]
    records = read_topic(
        stack.settings.kafka_bootstrap, topic, lambda rs: any(r.key.decode() == story for r in rs)
    )
    queued = {report_id_of(r) for r in records if r.key.decode() == story}
    assert queued == {first.json()["report_id"]}


def test_the_same_key_with_another_body_is_a_conflict(stack: Stack) -> None:
    key = uuid.uuid4().hex
    with stack.client("ingest", "reporter") as client:
        assert submit(client, report(headline="First"), key).status_code == 202
        conflict = submit(client, report(headline=f"Second {key}"), key)
    assert conflict.status_code == 409
    assert conflict.json()["type"] == "urn:newsroom:problem:idempotency_conflict"
    assert reports_in_store(stack, headline=f"Second {key}") == 0


def test_revisions_of_your_own_story_count_up(stack: Stack) -> None:
    with stack.client("ingest", "reporter") as client:
        first = submit(client).json()
        second = submit(
            client, report(story_id=first["story_id"], body="Changed. " + "x" * 10, claims=[])
        ).json()
        assert second["story_id"] == first["story_id"]
        assert second["revision"] == 2


def test_a_revision_identical_to_the_latest_is_refused_and_its_own_retry_replayed(
    stack: Stack,
) -> None:
    """The same text again would go out to readers and subscribers as a correction that
    corrects nothing: 409, nothing stored. A retry of the revision itself (its own key) is
    still the same answer."""
    headline = f"Unchanged {uuid.uuid4().hex}"
    with stack.client("ingest", "reporter") as client:
        first = submit(client, report(headline=headline)).json()
        again = report(headline=headline, story_id=first["story_id"])
        refused = submit(client, again)
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        assert f"revision 1 of story {first['story_id']} again" in refused.json()["detail"]
        assert reports_in_store(stack, headline=headline) == 1

        # Any change makes a revision: here only publish_when_cleared.
        key = uuid.uuid4().hex
        changed = submit(client, {**again, "publish_when_cleared": True}, key)
        assert changed.status_code == 202, changed.text
        assert changed.json()["revision"] == 2
        retried = submit(client, {**again, "publish_when_cleared": True}, key)
        assert retried.status_code == 202
        assert retried.json() == changed.json()
        assert reports_in_store(stack, headline=headline) == 2


def test_someone_elses_story_is_forbidden_and_an_unknown_one_not_found(stack: Stack) -> None:
    with stack.client("ingest", "reporter") as client:
        story = submit(client).json()["story_id"]
    _, other_token = stack.new_user("reporter")
    with httpx.Client(
        base_url=stack.url("ingest"), headers={"Authorization": f"Bearer {other_token}"}
    ) as other:
        forbidden = submit(other, report(story_id=story))
        assert forbidden.status_code == 403
        # The role may submit; the story is not theirs: the title says which.
        assert forbidden.json()["title"] == "Belongs to someone else"
        unknown = submit(other, report(story_id="s_" + "0" * 32))
        assert unknown.status_code == 404
        # and reading another reporter's report does not reveal it
        mine = submit(other).json()
    with stack.client("ingest", "reporter") as client:
        assert client.get(f"/v1/reports/{mine['report_id']}").status_code == 404


def test_only_reporters_submit(stack: Stack) -> None:
    for role in ("reviewer", "editor", "admin"):
        with stack.client("ingest", role) as client:
            assert submit(client).status_code == 403
    with stack.client("ingest") as anonymous:
        answer = submit(anonymous)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json"


BAD_REPORTS: list[tuple[str, dict[str, Any], int, str]] = [
    ("empty headline", report(headline=""), 422, "headline"),
    ("headline of spaces", report(headline="   "), 422, "headline"),
    ("headline too long", report(headline="h" * 301), 422, "headline"),
    ("empty body", report(body="  \n ", claims=[]), 422, "body"),
    ("unknown section", report(section="gossip"), 422, "section"),
    ("claim not in the body", report(claims=[{"text": "Aliens landed."}]), 422, "not in the body"),
    ("unknown field", report(byline="Someone Else"), 422, "byline"),
    ("unknown claim field", report(claims=[{"text": "The vote was 21 to 9.", "x": 1}]), 422, "x"),
    ("headline not a string", report(headline=42), 422, "headline"),
    (
        "contested not a boolean",
        report(claims=[{"text": "The vote was 21 to 9.", "contested": "yes"}]),
        422,
        "contested",
    ),
    ("NUL in the body", report(body="The vote\x00 was 21 to 9.", claims=[]), 422, "control"),
    ("bell in the headline", report(headline="Budget\x07"), 422, "control"),
    ("newline in the headline", report(headline="Budget\nvote"), 422, "control"),
    ("bidi override", report(headline="Budget \u202egnol"), 422, "control"),
    ("script in the headline", report(headline="<script>alert(1)</script>"), 422, "Markup"),
    (
        "raw html in the body",
        report(body="Hi <img src=x onerror=alert(1)>", claims=[]),
        422,
        "HTML",
    ),
    (
        "markup in a source",
        report(claims=[{"text": "The vote was 21 to 9.", "sources": ["<b>x</b>"]}]),
        422,
        "Markup",
    ),
    ("malformed story id", report(story_id="../etc/passwd"), 422, "story_id"),
]


@pytest.mark.parametrize(
    ("case", "payload", "status", "mentions"), BAD_REPORTS, ids=[c[0] for c in BAD_REPORTS]
)
def test_each_validation_rule_gives_its_problem_and_stores_nothing(
    stack: Stack, case: str, payload: dict[str, Any], status: int, mentions: str
) -> None:
    _, token = stack.new_user("reporter")
    with httpx.Client(
        base_url=stack.url("ingest"), headers={"Authorization": f"Bearer {token}"}
    ) as client:
        answer = submit(client, payload)
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["status"] == status
        assert mentions.lower() in json.dumps(problem).lower()
        listed = client.get("/v1/reports").json()
        assert listed["items"] == []


# Where each refusal points: the request validation's own form (["body", field, ...]),
# whether pydantic or the rules found it, so a client maps every one to its field alike.
REFUSALS_POINT_AT_THEIR_FIELD: list[tuple[str, dict[str, Any], list[str], str]] = [
    ("headline not a string", report(headline=42), ["body", "headline"], "string_type"),
    ("headline too long", report(headline="h" * 301), ["body", "headline"], "string_too_long"),
    ("empty headline", report(headline=""), ["body", "headline"], "string_too_short"),
    ("bell in the headline", report(headline="Budget\x07"), ["body", "headline"], "text_control"),
    (
        "raw html in the body",
        report(body="Hi <b>x</b>", claims=[]),
        ["body", "body"],
        "text_markup",
    ),
    ("unknown section", report(section="gossip"), ["body", "section"], "enum"),
    (
        "claim not in the body",
        report(claims=[{"text": "Aliens landed."}]),
        ["body", "claims", "0", "text"],
        "value_error",
    ),
    (
        "markup in a source",
        report(claims=[{"text": "The vote was 21 to 9.", "sources": ["ok", "<b>x</b>"]}]),
        ["body", "claims", "0", "sources", "1"],
        "text_markup",
    ),
    ("malformed story id", report(story_id="../etc/passwd"), ["body", "story_id"], "value_error"),
    ("malformed language", report(language="en_US"), ["body", "language"], "language_tag"),
]


@pytest.mark.parametrize(
    ("case", "payload", "loc", "kind"),
    REFUSALS_POINT_AT_THEIR_FIELD,
    ids=[c[0] for c in REFUSALS_POINT_AT_THEIR_FIELD],
)
def test_every_refusal_points_at_its_field_the_same_way(
    stack: Stack, case: str, payload: dict[str, Any], loc: list[str], kind: str
) -> None:
    with stack.client("ingest", "reporter") as client:
        answer = submit(client, payload)
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert (error["loc"], error["type"]) == (loc, kind), error


def test_text_is_normalised_to_nfc(stack: Stack) -> None:
    decomposed = "Cafe\u0301 owners protest"  # e + combining acute
    with stack.client("ingest", "reporter") as client:
        answer = submit(client, report(headline=decomposed)).json()
        assert client.get(f"/v1/reports/{answer['report_id']}").json()["headline"] == (
            "Caf\u00e9 owners protest"
        )


def test_a_missing_or_malformed_idempotency_key_is_refused(stack: Stack) -> None:
    with stack.client("ingest", "reporter") as client:
        missing = client.post("/v1/reports", json=report())
        assert missing.status_code == 400
        assert "Idempotency-Key" in missing.json()["detail"]
        bad = client.post("/v1/reports", json=report(), headers={"Idempotency-Key": "a b/c"})
        assert bad.status_code == 400


def test_an_oversized_body_is_refused_with_413(stack: Stack) -> None:
    limit = stack.settings.max_body_bytes
    with stack.client("ingest", "reporter") as client:
        too_big = submit(client, report(body="word " * (limit // 5 + 10), claims=[]))
        assert too_big.status_code == 413
        assert too_big.headers["content-type"] == "application/problem+json"
        # Refused by its Content-Length, before the body is read.
        huge = client.post(
            "/v1/reports",
            content=b"{" + b" " * (limit * 3),
            headers={"Idempotency-Key": uuid.uuid4().hex, "Content-Type": "application/json"},
        )
        assert huge.status_code == 413


def test_concurrent_submissions_commit_together_and_replays_stay_replays(stack: Stack) -> None:
    """Many reports at once leave for the store in shared batches: each new one is stored
    once, and a retry racing its original gets the original's answer."""
    from concurrent.futures import ThreadPoolExecutor

    tag = uuid.uuid4().hex[:8]
    keys = [f"{tag}-{n % 20}" for n in range(60)]  # 20 reports, each sent three times at once

    def send(key: str) -> httpx.Response:
        with stack.client("ingest", "reporter") as client:
            return submit(client, report(headline=f"Batch {tag} {key}"), key)

    with ThreadPoolExecutor(30) as pool:
        answers = list(pool.map(send, keys))
    assert {a.status_code for a in answers} == {202}
    by_key: dict[str, set[str]] = {}
    for key, answer in zip(keys, answers, strict=True):
        by_key.setdefault(key, set()).add(answer.json()["report_id"])
    assert all(len(ids) == 1 for ids in by_key.values())
    assert reports_in_store(stack, headline__startswith=f"Batch {tag}") == 20
