"""Invariant 5 (and 4): bad input gets a clear 4xx problem answer and changes nothing;
no script survives into a feed.

Each row is one bad request; each names what must not change (a probe read before and
after). The requests cover the three APIs: oversized bodies, wrong types, invalid UTF-8,
NUL and control characters, very deep JSON, huge numbers, claims not in the body,
unknown fields, bad cursors and negative limits, malformed If-Match and idempotency
keys, markup and script in every text field.

The table is in ``tests/invariants/bad_input/``: the requests by service (``cases.py``),
the text policy and the HTTP edges (``policy.py``), and what they aim at (``world.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.invariants.bad_input.cases import CASES as BY_SERVICE
from tests.invariants.bad_input.policy import HTTP_EDGES, STATUS, TEXT_POLICY
from tests.invariants.bad_input.world import Request, World, build_world
from tests.support.servers import api
from tests.support.stack import Stack

CASES = BY_SERVICE + TEXT_POLICY + HTTP_EDGES
TEXT_RULE_CASES = {case[0] for case in TEXT_POLICY}


@pytest.fixture(scope="module")
def world(stack: Stack) -> World:
    return build_world(stack)


@pytest.mark.parametrize(("case", "service", "role", "request_of", "probe"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_bad_input_is_a_4xx_problem_and_changes_nothing(
    world: World, case: str, service: str, role: str, request_of: Request,
    probe: Callable[[World], Any],
) -> None:  # fmt: skip
    before = probe(world)
    with world.client(service, role) as client:
        answer = client.request(**request_of(world))
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.text[:300])
    assert answer.status_code == STATUS.get(case, answer.status_code), answer.text[:300]
    assert answer.headers["content-type"] == "application/problem+json", answer.text[:300]
    problem = answer.json()
    assert problem["status"] == answer.status_code
    assert problem["title"]
    assert problem["detail"]
    # Which request it answers: every refusal names its path, the edge's ones too.
    assert problem.get("instance", "").startswith("/"), problem
    if case in TEXT_RULE_CASES and problem.get("errors"):
        # the README's promise: a refusal names the rule it broke, in every field
        assert problem["errors"][0].get("type", "").startswith("text_"), problem
    assert probe(world) == before


def test_there_are_at_least_forty_bad_requests() -> None:
    assert len(CASES) >= 40
    print(f"\nbad inputs tried: {len(CASES)}")


def test_no_script_survives_into_any_feed(world: World) -> None:
    with api(world.stack.url("publish")) as public:
        for fmt in ("json", "atom", "rss"):
            text = public.get(f"/feeds/all.{fmt}").text.lower()
            for danger in ("<script", "javascript:", "onerror=", "onload="):
                assert danger not in text, (fmt, danger)
