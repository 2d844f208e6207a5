"""An open-loop sender: POSTs prepared requests at a fixed rate, whatever the answers do.

Run as its own process (``python -m bench.pacer REQUESTS OUT --url --rate``). Request
``i`` is sent at ``t0 + i / rate`` on an idle keep-alive connection, or on a new one when
all are busy (up to ``--max-connections``), so a slow server does not slow the sender
down as a closed loop would. Writes one JSON line per request: when it was due, sent
and answered (unix seconds), the status and the answer's body.

With ``--deadline S`` the sender stops S seconds after its start, however far it got: a
request not sent by then is recorded with status -1, one sent and not answered with
status 0 (``"deadline"``), so a caller reports how far the run got instead of a timeout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class Pool:
    def __init__(self, host: str, port: int, limit: int) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.open = 0
        self.peak = 0
        self.slots = asyncio.Semaphore(limit)

    async def take(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        await self.slots.acquire()
        if self.idle:
            return self.idle.pop()
        self.open += 1
        self.peak = max(self.peak, self.open)
        return await asyncio.open_connection(self.host, self.port)

    def give(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], ok: bool) -> None:
        if ok:
            self.idle.append(conn)
        else:
            self.open -= 1
            conn[1].close()
        self.slots.release()


async def _exchange(
    conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes
) -> tuple[int, bytes]:
    reader, writer = conn
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "content-length":
            length = int(value)
    body = await reader.readexactly(length) if length else b""
    return status, body


NOT_SENT = -1  # the deadline came before the request was sent
NO_ANSWER = 0  # sent, and no answer (a socket error, or the deadline)


async def _one(pool: Pool, request: bytes, due: float, out: list[dict[str, Any]]) -> None:
    sent = None
    status, body = NOT_SENT, b"deadline"
    try:
        conn = await pool.take()
        sent = time.time()
        ok = False
        try:
            status, body = NO_ANSWER, b"deadline"
            status, body = await _exchange(conn, request)
            ok = True
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            status, body = NO_ANSWER, str(exc).encode()
        finally:
            pool.give(conn, ok)
    finally:  # also when cancelled at the deadline: the request is recorded either way
        out.append(
            {"due": due, "sent": sent, "done": time.time(), "status": status,
             "body": body.decode()}
        )  # fmt: skip


async def run(
    requests: list[bytes], url: str, rate: float, limit: int, deadline: float | None = None
) -> dict[str, Any]:
    parts = urlsplit(url)
    pool = Pool(parts.hostname or "127.0.0.1", parts.port or 80, limit)
    out: list[dict[str, Any]] = []
    tasks = []
    start = time.time() + 0.2
    stop = start + deadline if deadline is not None else None
    for i, request in enumerate(requests):
        due = start + i / rate
        if stop is not None and due >= stop:
            out += [{"due": start + j / rate, "sent": None, "done": None, "status": NOT_SENT,
                     "body": "deadline"} for j in range(i, len(requests))]  # fmt: skip
            break
        delay = due - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_one(pool, request, due, out)))
    if tasks:
        left = None if stop is None else max(0.0, stop - time.time())
        _, pending = await asyncio.wait(tasks, timeout=left)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
    cut = any(r["status"] < 1 and r["body"] == "deadline" for r in out)
    return {"results": out, "peak_connections": pool.peak, "started": start, "cut": cut}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("requests", type=Path, help="JSON lines: one raw HTTP request each")
    parser.add_argument("out", type=Path)
    parser.add_argument("--url", required=True)
    parser.add_argument("--rate", type=float, required=True)
    parser.add_argument("--max-connections", type=int, default=512)
    parser.add_argument("--deadline", type=float, help="stop this many seconds after the start")
    args = parser.parse_args()
    requests = [json.loads(line).encode("latin-1") for line in args.requests.open()]
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        pass
    result = asyncio.run(run(requests, args.url, args.rate, args.max_connections, args.deadline))
    args.out.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
