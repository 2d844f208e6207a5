"""Every service of the session stack answers health, readiness, metrics and OpenAPI."""

from __future__ import annotations

import pytest

from tests.support.stack import Stack


@pytest.mark.parametrize("service", ["ingest", "verify", "publish"])
def test_health_readiness_metrics_and_openapi(stack: Stack, service: str) -> None:
    with stack.client(service) as client:  # type: ignore[arg-type]
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["checks"] == {"store": True, "broker": True}
        metrics = client.get("/metrics")
        assert "newsroom_http_requests_total" in metrics.text
        assert client.get("/openapi.json").json()["info"]["title"].lower().endswith(service)


@pytest.mark.parametrize("service", ["ingest", "verify", "publish"])
def test_unknown_paths_answer_problem_json(stack: Stack, service: str) -> None:
    with stack.client(service) as client:  # type: ignore[arg-type]
        response = client.get("/v1/no-such-thing")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 404
        assert response.headers["x-request-id"]
