"""Small real HTTP servers for publish's tests (threads on 127.0.0.1).

- :class:`VerifyStandIn` answers verify's read endpoints from snapshots a test sets,
  so a test decides exactly what verify says at the moment of release (or that it fails).
  It is not a stand-in for Kafka or the store: those are always the real ones.
- :class:`WebhookReceiver` is a downstream site: it records every delivery and answers
  with the statuses a test plans (500, 500, then 200...).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from services.contracts import StoryReviewed


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class VerifyStandIn:
    def __init__(self, token: str) -> None:
        self.token = token
        self.snapshots: dict[str, StoryReviewed] = {}
        # ok | error (500) | garbage (200, not a snapshot) | drop (close without answering)
        self.mode: dict[str, str] = {}
        self.requests: list[str] = []
        # Stories left out of /v1/snapshots, so catch-up cannot bring their news early.
        self.hidden: set[str] = set()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                stand_in.requests.append(self.path)
                if self.headers.get("Authorization") != f"Bearer {stand_in.token}":
                    self._json(401, {"status": 401})
                    return
                url = urlsplit(self.path)
                if url.path == "/v1/snapshots":
                    self._snapshots(parse_qs(url.query))
                elif url.path == "/v1/snapshots/versions":
                    self._versions(parse_qs(url.query))
                elif url.path.startswith("/v1/stories/"):
                    self._story(url.path.rsplit("/", 1)[-1])
                else:
                    self._json(404, {"status": 404})

            def _story(self, story_id: str) -> None:
                mode = stand_in.mode.get(story_id, "ok")
                if mode == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return
                if mode == "error":
                    self._json(500, {"status": 500})
                    return
                if mode == "garbage":
                    self._json(200, {"hello": "world"})
                    return
                found = stand_in.snapshots.get(story_id)
                if found is None:
                    self._json(404, {"status": 404})
                    return
                data = found.model_dump(mode="json")
                data["a_field_verify_added_later"] = {"ignored": True}  # must be tolerated
                self._json(200, data, etag=f'"{found.version}"')

            def _listed(self, query: dict[str, list[str]]) -> list[StoryReviewed]:
                after = query.get("updated_after", [""])[0]
                items = sorted(
                    (s for s in stand_in.snapshots.values() if s.story_id not in stand_in.hidden),
                    key=lambda s: s.updated_at,
                )
                if after:
                    since = datetime.fromisoformat(after)
                    items = [s for s in items if s.updated_at > since]
                return items

            def _snapshots(self, query: dict[str, list[str]]) -> None:
                items = self._listed(query)
                body = {"items": [s.model_dump(mode="json") for s in items], "next_cursor": None}
                self._json(200, body)

            def _versions(self, query: dict[str, list[str]]) -> None:
                items = [
                    {"story_id": s.story_id, "version": s.version,
                     "updated_at": s.updated_at.isoformat()}
                    for s in self._listed(query)
                ]  # fmt: skip
                self._json(200, {"items": items, "next_cursor": None})

            def _json(self, status: int, body: Any, etag: str | None = None) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                if etag:
                    self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(raw)

        self._server = _serve(Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def put(self, snapshot: StoryReviewed) -> StoryReviewed:
        self.snapshots[snapshot.story_id] = snapshot
        return snapshot

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


def signature_ok(secret: str, received: Received, tolerance: int | None = None) -> bool:
    """Check ``Newsroom-Signature`` the way a subscriber would."""
    parts = dict(p.split("=", 1) for p in received.headers["newsroom-signature"].split(","))
    signed = parts["t"].encode() + b"." + received.body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


# Plan entries a slow receiver answers with, until the test calls ``WebhookReceiver.let_go``:
HOLD = "hold"  # nothing at all (then 500)
TRICKLE = "trickle"  # 200 and its headers at once, then a body of a byte every 50 ms
DRIP = "drip"  # the status line and headers a byte every 200 ms, never ending


class WebhookReceiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        # path -> answers in order (a status, a status and headers, HOLD or TRICKLE); 200
        # once used up.
        self.plans: dict[str, list[int | tuple[int, dict[str, str]] | str]] = {}
        self._lock = threading.Lock()
        self._let_go: dict[str, threading.Event] = {}
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                with receiver._lock:
                    receiver.received.append(Received(self.path, headers, body))
                    plan = receiver.plans.get(self.path, [])
                    answer = plan.pop(0) if plan else 200
                    let_go = receiver._let_go.setdefault(self.path, threading.Event())
                if answer == HOLD:
                    let_go.wait(60)
                    answer = 500
                if answer == TRICKLE:
                    self._trickle(let_go)
                    return
                if answer == DRIP:
                    self._drip(let_go)
                    return
                status, extra = answer if isinstance(answer, tuple) else (answer, {})
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _drip(self, let_go: threading.Event) -> None:
                # Each byte well within the sender's read timeout: only a limit on the
                # whole attempt ends it.
                try:
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
                    while not let_go.wait(0.2):
                        self.wfile.write(b"a")
                        self.wfile.flush()
                except OSError:
                    pass  # the sender gave up and closed the connection
                self.close_connection = True

            def _trickle(self, let_go: threading.Event) -> None:
                self.send_response(200)
                self.send_header("Content-Length", str(10**9))
                self.end_headers()
                try:
                    while not let_go.wait(0.05):
                        self.wfile.write(b"x")
                        self.wfile.flush()
                except OSError:
                    pass  # the sender closed the connection: it has what it needs
                self.close_connection = True

        self._server = _serve(Handler)

    def let_go(self, path: str) -> None:
        """Answer the requests to ``path`` that HOLD or TRICKLE wait on."""
        with self._lock:
            self._let_go.setdefault(path, threading.Event()).set()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def at(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def __iter__(self) -> Iterator[Received]:
        return iter(list(self.received))

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
