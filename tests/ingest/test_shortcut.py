"""``POST /v1/reports`` before the router (``ingest.reports.shortcut``): a plain
submission is answered there, exactly as the route answers it, and counted under the
route in the metrics. (A query string sends a request on to the route: the tests use it
to get the route's own answer beside the shortcut's.)"""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from prometheus_client import REGISTRY

from tests.support.reports import report
from tests.support.stack import Stack

ROUTE = "/v1/reports?via=route"
SHORTCUT = "/v1/reports"
# Differ per answer by nature: the time, the ids, the body's length (the new ids' lengths
# are fixed, but the status URL's is not).
VARYING = {"date", "x-request-id", "x-trace-id", "content-length", "location"}


def shortcuts() -> float:
    return REGISTRY.get_sample_value("newsroom_report_shortcuts_total") or 0.0


def requests_202() -> float:
    labels = {"service": "ingest", "method": "POST", "route": "/v1/reports", "status": "202"}
    return REGISTRY.get_sample_value("newsroom_http_requests_total", labels) or 0.0


def post(client: httpx.Client, path: str, payload: dict[str, Any], key: str) -> httpx.Response:
    return client.post(path, json=payload, headers={"Idempotency-Key": key})


def fixed_headers(answer: httpx.Response) -> dict[str, str]:
    return {k: v for k, v in answer.headers.items() if k not in VARYING}


def test_a_plain_submission_is_answered_before_the_router_as_the_route_answers(
    stack: Stack,
) -> None:
    with stack.client("ingest", "reporter") as client:
        before, counted = shortcuts(), requests_202()
        fast = post(client, SHORTCUT, report(), uuid.uuid4().hex)
        assert fast.status_code == 202, fast.text
        assert shortcuts() == before + 1
        assert requests_202() == counted + 1  # labelled with the route's path
        routed = post(client, ROUTE, report(), uuid.uuid4().hex)
        assert routed.status_code == 202, routed.text
        assert shortcuts() == before + 1

    assert fixed_headers(fast) == fixed_headers(routed)
    assert list(fast.headers) == list(routed.headers)  # the same headers in the same order
    assert fast.headers["location"] == fast.json()["status_url"]
    assert fast.json().keys() == routed.json().keys()
    assert fast.json()["revision"] == routed.json()["revision"] == 1
    assert len(fast.content) == len(routed.content) - len(routed.json()["status_url"]) + len(
        fast.json()["status_url"]
    )
    with stack.client("ingest", "reporter") as client:
        status = client.get(f"/v1/reports/{fast.json()['report_id']}").json()
    assert status["story_id"] == fast.json()["story_id"]


def test_refusals_after_the_caller_is_known_are_the_routes(stack: Stack) -> None:
    """The text policy (422 from the rules) and a reused key (409): rendered by the app's
    own handlers, as the route's are."""
    marked = report(headline="Budget <script>alert(1)</script>")
    key = uuid.uuid4().hex
    with stack.client("ingest", "reporter") as client:
        assert post(client, SHORTCUT, report(headline=f"First {key}"), key).status_code == 202
        answers = {
            path: (
                post(client, path, marked, uuid.uuid4().hex),
                post(client, path, report(headline=f"Second {key}"), key),
            )
            for path in (SHORTCUT, ROUTE)
        }
    for fast, routed in zip(answers[SHORTCUT], answers[ROUTE], strict=True):
        assert fast.status_code == routed.status_code
        assert fast.status_code in (409, 422)
        assert fast.json() == routed.json()
        assert fixed_headers(fast) == fixed_headers(routed)


def test_a_refused_caller_gets_the_routes_answer(stack: Stack) -> None:
    """No token, a bad token, another role: the shortcut hands the request on whole."""
    before = shortcuts()
    with stack.client("ingest") as anonymous:
        for headers in ({}, {"Authorization": "Bearer nr_not_a_token"}):
            answer = anonymous.post(
                SHORTCUT, json=report(), headers={"Idempotency-Key": "k1", **headers}
            )
            assert answer.status_code == 401, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
    with stack.client("ingest", "reviewer") as reviewer:
        assert post(reviewer, SHORTCUT, report(), uuid.uuid4().hex).status_code == 403
    assert shortcuts() == before
