"""Fuzzing each service through its own OpenAPI with schemathesis, as a caller whose role
may use the operation: no 5xx, and every answer matches the documented schema and type.

About 700 generated requests per run (hypothesis picks new ones each
run); `NEWSROOM_FUZZ_EXAMPLES` raises the count for a longer hunt.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.invariants.test_roles import EXPECTED, PUBLIC
from tests.support.stack import Stack

EXAMPLES = int(os.environ.get("NEWSROOM_FUZZ_EXAMPLES", "20"))
CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.content_type_conformance,
]
# Who calls each operation: a role its row allows (the first one, in this order).
PREFERENCE = ("editor", "reviewer", "reporter", "admin", "service")
RAN: dict[str, int] = {}


def caller(service: str, method: str, path: str) -> str | None:
    allowed = EXPECTED.get((service, method, path))
    if allowed is None or PUBLIC in allowed:
        return None
    return next(role for role in PREFERENCE if role in allowed)


def run(stack: Stack, service: str, label: str, case: Any) -> None:
    role = caller(service, case.method.upper(), case.path)
    headers = {"Authorization": f"Bearer {stack.tokens[role]}"} if role else {}
    if case.method.upper() == "POST" and case.path == "/v1/reports":
        headers["Idempotency-Key"] = os.urandom(8).hex()
    RAN[label] = RAN.get(label, 0) + 1
    case.call_and_validate(base_url=stack.url(service), headers=headers, checks=CHECKS)  # type: ignore[arg-type]


def fuzzer(stack: Stack, service: str, label: str, operation: Any) -> Any:
    """Hypothesis feeding generated requests to one operation."""

    @FUZZ
    @given(case=operation.as_strategy())
    def fuzz(case: Any) -> None:
        run(stack, service, label, case)

    return fuzz


@pytest.mark.parametrize("service", ["ingest", "verify", "publish"])
def test_fuzz(stack: Stack, service: str) -> None:
    """Each operation of the service's OpenAPI, fed generated requests by hypothesis.

    Driven through hypothesis directly: schemathesis' own pytest plugin does not run
    under pytest 9 (it reads a private attribute that pytest removed)."""
    schema = schemathesis.openapi.from_url(f"{stack.url(service)}/openapi.json")  # type: ignore[arg-type]
    failures: list[str] = []
    labels: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in ("/metrics", "/readyz", "/healthz"):
            continue

        label = f"{service} {operation.label}"
        labels.append(label)

        try:
            fuzzer(stack, service, label, operation)()
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert failures == []
    # The fuzzing really ran: every operation was called, most of them many times.
    counts = {label: RAN.get(label, 0) for label in labels}
    print(f"\nfuzz cases run for {service}: {sum(counts.values())}")
    assert labels
    assert all(counts.values()), counts
    assert sum(counts.values()) >= 5 * len(labels), counts


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
