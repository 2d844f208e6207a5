"""The store stops and starts again: services answer 503 with Retry-After (never 500)
while it is down, /readyz goes red and back to green, and nothing accepted is lost."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support.fleet import Fleet
from tests.support.reports import report
from tests.support.servers import wait_for

# A loaded 2-core machine: a readiness probe against a store that is gone can take many
# seconds to answer, so each probe may take a minute and each wait several of them.
PROBE_SECONDS = 60
WAIT_SECONDS = 240


def _ready(fleet: Fleet, service: str) -> int:
    """/readyz's status, or 0 when it gave no answer (yet)."""
    try:
        url = f"{fleet.url(service)}/readyz"  # type: ignore[arg-type]
        return httpx.get(url, timeout=PROBE_SECONDS).status_code
    except httpx.HTTPError:
        return 0


@pytest.mark.timeout(900)
def test_a_store_outage_is_503_with_retry_after_and_loses_nothing(fleet: Fleet) -> None:
    with fleet.client("ingest", "reporter") as reporter:
        before = reporter.post(
            "/v1/reports", json=report(), headers={"Idempotency-Key": uuid.uuid4().hex}
        )
        assert before.status_code == 202

        fleet.infra.stop_store()
        reporter.timeout = httpx.Timeout(PROBE_SECONDS)
        during_key = uuid.uuid4().hex
        during = reporter.post(
            "/v1/reports",
            json=report(headline="Filed during the outage"),
            headers={"Idempotency-Key": during_key},
        )
        assert during.status_code == 503
        assert during.headers["content-type"] == "application/problem+json"
        assert int(during.headers["retry-after"]) > 0
        # Answered inside the services' middlewares, as the route answers (the submission
        # shortcut let the store's error through to the server-error layer: a traceback,
        # no request id, counted as an unmatched 500).
        assert during.headers["x-request-id"]
        counted = 'method="POST",route="/v1/reports",service="ingest",status="503"'
        metrics = reporter.get("/metrics").text
        assert counted in metrics, [m for m in metrics.splitlines() if "http_requests_total{" in m]

        with fleet.client("verify", "reviewer") as reviewer:
            reviewer.timeout = httpx.Timeout(PROBE_SECONDS)
            queue = reviewer.get("/v1/queue")
            assert queue.status_code == 503, queue.text
            assert queue.headers["retry-after"]
        with fleet.client("publish", "editor") as editor:
            editor.timeout = httpx.Timeout(PROBE_SECONDS)
            gate = editor.get(f"/v1/stories/{before.json()['story_id']}/gate")
            assert gate.status_code == 503, gate.text
        for service in ("ingest", "verify", "publish"):
            wait_for(
                lambda s=service: _ready(fleet, s) == 503,
                timeout=WAIT_SECONDS,
                what=f"{service} /readyz to answer 503",
            )

        fleet.infra.start_store()
        for service in ("ingest", "verify", "publish"):
            wait_for(
                lambda s=service: _ready(fleet, s) == 200,
                timeout=WAIT_SECONDS,
                what=f"{service} ready",
            )

        # The client's retry of the refused report now goes through; nothing was lost.
        after = reporter.post(
            "/v1/reports",
            json=report(headline="Filed during the outage"),
            headers={"Idempotency-Key": during_key},
        )
        assert after.status_code == 202
        for answer in (before.json(), after.json()):
            wait_for(
                lambda a=answer: (
                    "in_review"
                    in [
                        e["status"]
                        for e in reporter.get(f"/v1/reports/{a['report_id']}").json()["timeline"]
                    ]
                ),
                timeout=WAIT_SECONDS,
                what=f"report {answer['report_id']} to reach verify",
            )
