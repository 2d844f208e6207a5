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
        checks = ready.json()["checks"]
        assert checks["store"] is True
        assert checks["broker"] is True
        # Its consumer loop and its outbox are asked too, and are getting their work done.
        assert any(name.startswith("outbox-") for name in checks)
        assert all(checks.values()), checks
        metrics = client.get("/metrics")
        assert "newsroom_http_requests_total" in metrics.text
        for name in ("sent_total", "set_aside_total", "send_failures_total", "backlog"):
            assert f"newsroom_outbox_{name}" in metrics.text
        assert client.get("/openapi.json").json()["info"]["title"].lower().endswith(service)


@pytest.mark.parametrize("service", ["ingest", "verify", "publish"])
def test_unknown_paths_answer_problem_json(stack: Stack, service: str) -> None:
    with stack.client(service) as client:  # type: ignore[arg-type]
        response = client.get("/v1/no-such-thing")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 404
        assert response.headers["x-request-id"]
