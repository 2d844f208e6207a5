"""Submitting reports in tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

BODY = (
    "The city council approved a budget of 4.2 million euros on Monday, the mayor said. "
    "Opposition members claimed the figures were inflated, a charge the mayor denied.\n\n"
    "The vote was 21 to 9."
)


def report(**overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "headline": "Council approves budget",
        "body": BODY,
        "section": "local",
        "claims": [{"text": "The vote was 21 to 9.", "contested": False, "sources": []}],
    }
    payload.update(overrides)
    return payload


def submit(
    client: httpx.Client, payload: dict[str, Any] | None = None, key: str | None = None
) -> httpx.Response:
    return client.post(
        "/v1/reports",
        json=payload if payload is not None else report(),
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


def counted_body(sentences: int) -> str:
    """A body of ``sentences`` short attributed sentences, each one claim, ten to a
    paragraph: a story with as many claims as a test needs."""
    lines = [
        f"{1000 + 37 * k} ballots were counted in precinct {k}, the clerk said."
        for k in range(sentences)
    ]
    return "\n\n".join(" ".join(lines[i : i + 10]) for i in range(0, len(lines), 10))
