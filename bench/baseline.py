"""The bare baselines: FastAPI apps that do the least a real endpoint could do.

Served exactly as `newsroom serve` serves a service (``uvicorn.run`` with the same
arguments: one worker, uvicorn's default loop, ``server_options``' guarded httptools
protocol, no access log),
each in its own process: ``python -m bench.baseline ingest PORT`` or
``python -m bench.baseline feed PORT FILE``.

- ``ingest``: ``POST /v1/reports`` parses the body with the same pydantic ``ReportIn``
  model as ingest, and answers 202 with a fixed body. No auth, no store, no broker.
- ``ingest-store``: the same, and stores each report with one pymongo ``insert_one`` into
  the bench's store (``python -m bench.baseline ingest-store PORT MONGO_URL``): what a plain
  FastAPI + pymongo service gets from that store, one command per report.
- ``feed``: ``GET /feeds/all.json`` answers the bytes in FILE with their ETag, and 304
  when ``If-None-Match`` carries it.
- ``feed-mw``: the same, behind the middlewares every service has
  (``services.http.build_app``): it shows how much of a gap they make alone.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from ingest.reports.schemas import ReportIn
from newsroom import stack as embedded
from services.http.middleware import (
    BodyLimitMiddleware,
    HeadAsGetMiddleware,
    RequestContextMiddleware,
)
from services.http.serving import server_options
from services.settings import Settings


def ingest_app() -> FastAPI:
    app = FastAPI()
    answer = {"report_id": "r_0", "story_id": "s_0", "revision": 1, "status_url": "/"}

    @app.post("/v1/reports", status_code=202)
    async def submit(payload: ReportIn) -> JSONResponse:
        return JSONResponse(answer, status_code=202)

    return app


def ingest_store_app(mongo_url: str) -> FastAPI:
    """Parse as ingest does, then one ``insert_one`` per report (a sync endpoint, in
    FastAPI's thread pool, as pymongo is synchronous)."""
    from pymongo import MongoClient

    app = FastAPI()
    reports = MongoClient(mongo_url)["bench_bare"]["reports"]
    answer = {"report_id": "r_0", "story_id": "s_0", "revision": 1, "status_url": "/"}

    @app.post("/v1/reports", status_code=202)
    def submit(payload: ReportIn) -> JSONResponse:
        reports.insert_one(payload.model_dump())
        return JSONResponse(answer, status_code=202)

    return app


def feed_app(body: bytes, middleware: bool = False) -> FastAPI:
    app = FastAPI()
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'

    @app.get("/feeds/all.json")
    async def feed(request: Request) -> Response:
        headers = {"ETag": etag}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/feed+json", headers=headers)

    if middleware:
        # As services.http.build_app adds them (the last added runs first).
        app.add_middleware(BodyLimitMiddleware, limit=300 * 1024)
        app.add_middleware(HeadAsGetMiddleware)
        app.add_middleware(RequestContextMiddleware, service="bare")
    return app


def serve(app: FastAPI, port: int) -> None:
    # The arguments of `newsroom serve` (newsroom/cli.py).
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        timeout_graceful_shutdown=10,
        **server_options(Settings()),
    )


def launch(kind: str, log: Path, *args: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start a bare app in its own process on a free port; answer it and its URL."""
    port = embedded.free_port()
    argv = [sys.executable, "-m", "bench.baseline", kind, str(port), *args]
    proc = embedded.spawn(argv, log)
    log.with_suffix(".pid").write_text(str(proc.pid))  # for bench.stack.stop_leftovers
    if not embedded.wait_until(lambda: embedded.tcp_open("127.0.0.1", port), 30, proc):
        embedded.stop_process(proc.pid, timeout=3)
        raise RuntimeError(f"bare {kind} app did not start:\n{embedded.log_tail(log)}")
    return proc, f"http://127.0.0.1:{port}"


def main(argv: list[str]) -> None:
    kind, port = argv[0], int(argv[1])
    if kind == "ingest":
        app = ingest_app()
    elif kind == "ingest-store":
        app = ingest_store_app(argv[2])
    else:
        app = feed_app(Path(argv[2]).read_bytes(), middleware=kind == "feed-mw")
    serve(app, port)


if __name__ == "__main__":
    main(sys.argv[1:])
