"""A report's language: a BCP 47 tag, stored in RFC 5646's case and sent on with the
report; the newsroom's default when a new story states none; a revision keeps the story's
language unless it states another; a bad tag is refused where it is, by both ways in."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from services.contracts import Topic
from tests.support.kafka import read_topic
from tests.support.reports import report, submit
from tests.support.stack import Stack

ARABIC_BODY = "وافق المجلس البلدي على الميزانية يوم الاثنين. كانت نتيجة التصويت 21 مقابل 9."


def language_of(client: httpx.Client, accepted: httpx.Response) -> str:
    assert accepted.status_code == 202, accepted.text
    view = client.get(f"/v1/reports/{accepted.json()['report_id']}")
    assert view.status_code == 200, view.text
    return str(view.json()["language"])


def sent_language(stack: Stack, report_id: str) -> Any:
    """The ``language`` of the report's reports.submitted event (absent: None)."""

    def data(record: Any) -> dict[str, Any]:
        try:
            return dict(json.loads(record.value)["data"])
        except (ValueError, KeyError, TypeError):
            return {}

    records = read_topic(
        stack.settings.kafka_bootstrap, stack.settings.topic(Topic.REPORTS_SUBMITTED),
        lambda rs: any(data(r).get("report_id") == report_id for r in rs),
    )  # fmt: skip
    return next(data(r) for r in records if data(r).get("report_id") == report_id).get("language")


def test_a_tag_is_stored_in_rfc_5646_case_and_sent_on(stack: Stack) -> None:
    with stack.client("ingest", "reporter") as client:
        brazilian = submit(client, report(language="PT-br"))
        assert language_of(client, brazilian) == "pt-BR"
        arabic = submit(client, report(body=ARABIC_BODY, claims=[], language="ar"))
        assert language_of(client, arabic) == "ar"
        unstated = submit(client, report())
        assert language_of(client, unstated) == stack.settings.default_language == "en"
    assert sent_language(stack, brazilian.json()["report_id"]) == "pt-BR"
    # The default is resolved at submission: the event says what the story is in.
    assert sent_language(stack, unstated.json()["report_id"]) == "en"


def test_a_revision_keeps_the_storys_language_unless_it_states_another(stack: Stack) -> None:
    with stack.client("ingest", "reporter") as client:
        first = submit(client, report(body=ARABIC_BODY, claims=[], language="ar"))
        story_id = first.json()["story_id"]
        fixed = submit(client, report(body=ARABIC_BODY + " ", claims=[], story_id=story_id))
        assert language_of(client, fixed) == "ar"  # a typo fixed, still Arabic
        # Only the language changes: a revision all the same (what readers are told
        # changes), where the same text again would be refused as no change.
        relabelled = submit(
            client, report(body=ARABIC_BODY + " ", claims=[], story_id=story_id, language="ary")
        )
        assert relabelled.json()["revision"] == 3
        assert language_of(client, relabelled) == "ary"
        again = submit(
            client, report(body=ARABIC_BODY + " ", claims=[], story_id=story_id, language="ary")
        )
        assert again.status_code == 409, again.text
        assert "language" in again.json()["detail"]


BAD_TAGS = [
    ("posix locale", "en_US", "language_tag"),
    ("words", "English please", "language_tag"),
    ("markup", "<b>en</b>", "language_tag"),
    ("empty", "", "language_tag"),
    ("private use only", "x-klingon", "language_tag"),
    ("over 35 characters", "en-" + "-".join(["abcdefgh"] * 4), "string_too_long"),
]


@pytest.mark.parametrize(("case", "tag", "kind"), BAD_TAGS, ids=[c[0] for c in BAD_TAGS])
def test_a_bad_tag_is_refused_naming_the_field_and_nothing_is_stored(
    stack: Stack, case: str, tag: str, kind: str
) -> None:
    _, token = stack.new_user("reporter")
    with httpx.Client(
        base_url=stack.url("ingest"), headers={"Authorization": f"Bearer {token}"}
    ) as client:
        answer = submit(client, report(language=tag))
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        (error,) = problem["errors"]
        assert (error["loc"], error["type"]) == (["body", "language"], kind)
        assert problem["detail"].startswith("language: ")
        assert client.get("/v1/reports").json()["items"] == []


@pytest.mark.parametrize("tag", ["en_US", "zh-hant-tw", None], ids=["bad", "good", "none"])
def test_the_shortcut_and_the_route_apply_the_same_rule(stack: Stack, tag: str | None) -> None:
    """The shortcut before the router (``ingest.reports.shortcut``) and the route: the same
    refusal, or the same stored tag. A query string takes a request to the route."""
    payload = report() if tag is None else report(language=tag)
    answers = {}
    with stack.client("ingest", "reporter") as client:
        for path in ("/v1/reports", "/v1/reports?via=route"):
            answer = client.post(path, json=payload, headers={"Idempotency-Key": uuid.uuid4().hex})
            if answer.status_code == 202:
                answers[path] = (202, language_of(client, answer))
            else:
                answers[path] = (answer.status_code, answer.json())
    assert answers["/v1/reports"] == answers["/v1/reports?via=route"]
    assert answers["/v1/reports"][0] == (422 if tag == "en_US" else 202)
