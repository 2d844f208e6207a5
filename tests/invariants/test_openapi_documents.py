"""Each service's OpenAPI document is valid OpenAPI 3.1 (openapi-spec-validator) and says
what clients need: media types of feeds, error answers of every operation, conditional
request headers, and publish's webhooks with their signature headers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from tests.support.stack import Stack

SERVICES = ("ingest", "verify", "publish")
HEALTH = {"/healthz", "/readyz", "/metrics"}


def spec_of(stack: Stack, service: str) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(f"{stack.url(service)}/openapi.json", timeout=30).json()  # type: ignore[arg-type]
    return document


@pytest.mark.parametrize("service", SERVICES)
def test_the_document_is_valid_openapi_3_1(stack: Stack, service: str) -> None:
    spec = spec_of(stack, service)
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises on any violation of the OpenAPI 3.1 schema


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_lists_its_error_answers(stack: Stack, service: str) -> None:
    missing = []
    for path, methods in spec_of(stack, service)["paths"].items():
        if path in HEALTH:
            continue
        for method, operation in methods.items():
            errors = [s for s in operation["responses"] if s != "default" and int(s) >= 400]
            if path.startswith(("/v1/", "/feeds/", "/sections/", "/stories/")) and not [
                s for s in errors if s != "422"
            ]:
                missing.append(f"{method.upper()} {path}")
    assert missing == []


def test_feeds_declare_their_media_types_and_conditional_headers(stack: Stack) -> None:
    paths = spec_of(stack, "publish")["paths"]
    expected = {
        "/feeds/{section}.json": "application/feed+json",
        "/feeds/{section}.atom": "application/atom+xml",
        "/feeds/{section}.rss": "application/rss+xml",
        "/v1/published/{story_id}": "application/json",
        "/stories/{story_id}": "text/html",
    }
    for path, media_type in expected.items():
        operation = paths[path]["get"]
        assert media_type in operation["responses"]["200"]["content"], path
        assert "304" in operation["responses"], path
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert {"If-None-Match", "If-Modified-Since"} <= headers, path


def test_publish_describes_its_webhooks_with_their_signature(stack: Stack) -> None:
    spec = spec_of(stack, "publish")
    webhooks = spec["webhooks"]
    assert set(webhooks) == {
        "story.published",
        "story.corrected",
        "story.retracted",
        "story.needs_correction",
    }
    for hook in webhooks.values():
        operation = hook["post"]
        assert "application/cloudevents+json" in operation["requestBody"]["content"]
        headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        assert headers["Newsroom-Signature"]["required"] is True
        assert {"Newsroom-Event", "Newsroom-Delivery", "traceparent"} <= set(headers)
    event = spec["components"]["schemas"]["WebhookEvent"]
    assert {"specversion", "id", "source", "type", "data"} <= set(event["required"])


def test_a_held_claims_409_declares_retry_after(stack: Stack) -> None:
    paths = spec_of(stack, "verify")["paths"]
    for path in ("/v1/claims/{claim_id}/lease", "/v1/claims/{claim_id}/review"):
        held = paths[path]["post"]["responses"]["409"]
        assert "Retry-After" in held["headers"], path
        assert held["content"]["application/problem+json"]
