"""``/healthz`` (process up), ``/readyz`` (dependencies reachable, work getting done), ``/metrics``.

``/readyz`` answers 503 as an RFC 9457 problem (numeric ``status``) when the store or the
broker does not answer, while the service is starting, or when a worker is stuck: a
consumer loop that has had work and made no progress on it, or an outbox whose sends
keep failing or whose rows wait, for longer than ``readiness_stall_seconds``. Such a
replica is taken out of rotation until it recovers; ``checks`` names every check and
``stuck`` says why a worker is not ready.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.http.deps import RuntimeDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The broker and the database are reachable, and no worker is stuck",
    responses={503: {"description": "A dependency is not reachable, or a worker is stuck"}},
)
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    readiness = await runtime.readiness()
    ok = readiness.ok and runtime.started
    if ok:
        return JSONResponse({"status": "ready", "checks": readiness.checks})
    failing = [name for name, up in readiness.checks.items() if not up]
    if not runtime.started:
        failing.append("starting")
    down = [n for n in failing if n not in readiness.stuck]
    parts = [f"Not reachable: {', '.join(down)}."] if down else []
    parts += [f"{problem}." for problem in readiness.stuck.values()]
    return JSONResponse(
        {
            "type": "urn:newsroom:problem:unavailable",
            "title": "Not ready",
            "status": 503,
            "detail": " ".join(parts),
            "state": "not_ready",
            "checks": readiness.checks,
            "stuck": readiness.stuck,
        },
        status_code=503,
        media_type="application/problem+json",
        headers={"Retry-After": "5"},
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
