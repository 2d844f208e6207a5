"""``/healthz`` (process up), ``/readyz`` (broker and store reachable), ``/metrics``."""

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
    summary="The broker and the database are reachable",
    responses={503: {"description": "A dependency is not reachable"}},
)
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    checks = await runtime.readiness()
    ok = all(checks.values()) and runtime.started
    body = {"status": "ready" if ok else "not_ready", "checks": checks}
    if ok:
        return JSONResponse(body)
    failing = ", ".join(name for name, up in checks.items() if not up) or "starting"
    return JSONResponse(
        {
            "type": "urn:newsroom:problem:unavailable",
            "title": "Not ready",
            "status": 503,
            "detail": f"Not reachable: {failing}.",
            **body,
        },
        status_code=503,
        media_type="application/problem+json",
        headers={"Retry-After": "5"},
    )


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
