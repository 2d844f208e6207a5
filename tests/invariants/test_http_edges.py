"""HTTP hygiene and the text that leaves, tried from outside as a client or an attacker
would (issue 12): raw sockets and ``http.client`` against the served services.

The session's services are served the way ``newsroom serve`` serves them
(``services.http.serving.server_options``), so the head limit and deadline are the real
ones.
"""

from __future__ import annotations

import http.client
import json
import select
import socket
import threading
import urllib.error
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import feedparser
import pytest

from tests.support.desk import confirm_claim_list, publish_when_publishable, story_claims
from tests.support.reports import BODY, report
from tests.support.stack import Stack

HEADLINE = "Revenue <forecast, shares fall"
SOURCE = "&lt;b&gt;x&lt;/b&gt;"
QUOTE = "<script"


def address(stack: Stack, service: str) -> tuple[str, int]:
    parts = urlsplit(stack.url(service))  # type: ignore[arg-type]
    assert parts.hostname is not None
    assert parts.port is not None
    return parts.hostname, parts.port


def connection(stack: Stack, service: str) -> http.client.HTTPConnection:
    host, port = address(stack, service)
    return http.client.HTTPConnection(host, port, timeout=60)


def exchange(
    stack: Stack, service: str, method: str, path: str, body: Any = None, **headers: str
) -> tuple[http.client.HTTPResponse, bytes]:
    conn = connection(stack, service)
    try:
        # An iterator is sent chunked (http.client frames it only when asked).
        chunked = body is not None and not isinstance(body, bytes)
        conn.request(method, path, body=body, headers=headers, encode_chunked=chunked)
        answer = conn.getresponse()
        return answer, answer.read()
    finally:
        conn.close()


def auth(stack: Stack, role: str) -> str:
    return f"Bearer {stack.tokens[role]}"


def assert_problem(answer: http.client.HTTPResponse, content: bytes, status: int) -> dict:  # type: ignore[type-arg]
    assert answer.status == status, content[:300]
    assert answer.getheader("content-type") == "application/problem+json"
    problem: dict = json.loads(content)  # type: ignore[type-arg]
    assert problem["status"] == status
    assert problem["detail"]
    return problem


@pytest.fixture(scope="module")
def released(stack: Stack) -> str:
    """A story released with plain text that looks like markup (issue 12's examples)."""
    with stack.client("ingest", "reporter") as ingest:
        accepted = ingest.post(
            "/v1/reports", json=report(headline=HEADLINE),
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )  # fmt: skip
        assert accepted.status_code == 202, accepted.text
    story_id = accepted.json()["story_id"]
    record = {"source_name": SOURCE, "source_kind": "person", "obtained_via": "interview",
              "quote": QUOTE}  # fmt: skip
    with stack.client("verify", "reviewer") as verify:
        for claim in story_claims(verify, story_id)["claims"]:
            answer = verify.post(
                f"/v1/claims/{claim['claim_id']}/review",
                json={"status": "verified", "attributions": [record]},
                headers={"If-Match": f'"{claim["version"]}"'},
            )
            assert answer.status_code == 200, answer.text
        confirm_claim_list(verify, story_id)
    with stack.client("publish", "editor") as publish:
        publish_when_publishable(publish, story_id)
    return story_id


# --- the text that leaves ------------------------------------------------------------------


def test_plain_text_reaches_every_feed_ninjs_and_the_desk_exactly(
    stack: Stack, released: str
) -> None:
    answer, content = exchange(stack, "publish", "GET", "/feeds/all.json")
    item = next(i for i in json.loads(content)["items"] if released in i["id"])
    assert item["title"] == HEADLINE
    record = item["_newsroom"]["claims"][0]["attributions"][0]
    assert (record["source_name"], record["quote"]) == (SOURCE, QUOTE)
    for fmt, entry_path, title_tag in (
        ("atom", "{http://www.w3.org/2005/Atom}entry", "{http://www.w3.org/2005/Atom}title"),
        ("rss", "channel/item", "title"),
    ):
        answer, content = exchange(stack, "publish", "GET", f"/feeds/all.{fmt}")
        assert answer.status == 200
        root = ET.fromstring(content)  # noqa: S314 - our own feed; a strict parser is the point
        titles = [e.findtext(title_tag) for e in root.iterfind(entry_path)]
        assert HEADLINE in titles, (fmt, titles[:5])
        parsed = feedparser.parse(content)
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert HEADLINE in [e.title for e in parsed.entries]
    answer, content = exchange(stack, "publish", "GET", f"/v1/published/{released}")
    assert json.loads(content)["headlines"][0]["value"] == HEADLINE
    # The desk shows the entry as the feed serves it, escaped once by the template.
    page = _desk_page(stack, released)
    assert "<forecast" not in page
    assert "Revenue &lt;forecast, shares fall" in page


def _desk_page(stack: Stack, story_id: str) -> str:
    from tests.support.console import signed_in

    with signed_in(str(stack.url("publish")), stack.tokens["editor"]) as desk:
        page = desk.get(f"/ui/stories/{story_id}")
    assert page.status_code == 200, page.text[:300]
    return page.text


# --- request heads -------------------------------------------------------------------------


def test_a_header_over_the_limit_gets_431_and_nothing_more_is_read(stack: Stack) -> None:
    limit = stack.settings.max_header_bytes
    with socket.create_connection(address(stack, "publish"), timeout=60) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (limit + 1))
        # The answer, then the server closes (recv gives b""), rather than reading on.
        received = b""
        while chunk := sock.recv(4096):
            received += chunk
    assert received.startswith(b"HTTP/1.1 431 "), received[:100]
    assert b"application/problem+json" in received


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",  # no colon
        b"GET /he althz HTTP/1.1\r\nHost: x\r\n\r\n",  # a space in the target
        b"POST /v1/reports HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
        # RFC 9112 3.2; and a header of one value twice, which layers read differently
        b"GET /healthz HTTP/1.1\r\n\r\n",
        b"GET /ui/ HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n",
        b"POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        b"Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        b"GET /v1/reports HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\n"
        b"Authorization: Bearer b\r\n\r\n",
        b"POST /v1/reports HTTP/1.1\r\nHost: x\r\nIdempotency-Key: k-1\r\n"
        b"Idempotency-Key: k-2\r\nContent-Length: 2\r\n\r\n{}",
    ],
    ids=[
        "header-without-colon",
        "space-in-target",
        "bad-chunk-size",
        "two-lengths",
        "no-host",
        "two-hosts",
        "two-content-types",
        "two-authorizations",
        "two-idempotency-keys",
    ],
)
@pytest.mark.parametrize("service", ["ingest", "verify", "publish"])
def test_a_malformed_request_gets_a_400_problem(stack: Stack, service: str, raw: bytes) -> None:
    with socket.create_connection(address(stack, service), timeout=60) as sock:
        sock.sendall(raw)
        received = b""
        while chunk := sock.recv(4096):  # the answer, then the server closes
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), received[:200]
    assert b"content-type: application/problem+json" in head.lower(), head
    problem = json.loads(body)
    assert problem["status"] == 400
    assert problem["type"] == "urn:newsroom:problem:bad_request", problem


def test_a_connection_that_sends_no_head_is_closed_after_the_deadline(stack: Stack) -> None:
    """Idle and half-sent heads are both let go (the server closes them; never 40 s+)."""

    def closed_by_server(first: bytes) -> bytes:
        with socket.create_connection(address(stack, "verify"), timeout=120) as sock:
            if first:
                sock.sendall(first)
            received = b""
            while chunk := sock.recv(4096):  # b"" once the server closes
                received += chunk
            return received

    with ThreadPoolExecutor(2) as pool:
        idle = pool.submit(closed_by_server, b"")
        half = pool.submit(closed_by_server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        assert idle.result() == b""
        assert half.result().startswith(b"HTTP/1.1 408 ")


# --- request bodies ------------------------------------------------------------------------


def test_a_body_that_trickles_in_is_cut_off_with_408_and_holds_no_worker(stack: Stack) -> None:
    """Headers, then a body one byte a second: after ``body_timeout_seconds`` the answer
    is a 408 problem and the connection is closed. Meanwhile more such clients than the
    service has worker threads (40) do not stop a route that needs one (``/healthz``)."""
    clients = []
    for _ in range(50):
        sock = socket.create_connection(address(stack, "ingest"), timeout=120)
        sock.sendall(
            b"POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{"
        )
        clients.append(sock)
    stop = threading.Event()

    def trickle() -> None:
        sending = list(clients)
        while sending and not stop.wait(1.0):
            for sock in list(sending):
                readable, _, _ = select.select([sock], [], [], 0)
                try:
                    if readable:  # answered: stop, so that no byte meets a closed socket
                        raise ConnectionError
                    sock.sendall(b" ")
                except OSError:
                    sending.remove(sock)

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    try:
        answer, _ = exchange(stack, "ingest", "GET", "/healthz")
        assert answer.status == 200
        readable, _, _ = select.select(clients, [], [], 0)
        assert not readable, "the slow bodies were answered before /healthz was"
        for sock in clients:
            received = b""
            while chunk := sock.recv(4096):  # b"" once the server closes
                received += chunk
            assert received.startswith(b"HTTP/1.1 408 "), received[:100]
            head, _, content = received.partition(b"\r\n\r\n")
            assert b"application/problem+json" in head
            assert json.loads(content)["status"] == 408
    finally:
        stop.set()
        trickler.join(timeout=30)
        for sock in clients:
            sock.close()


def test_a_5_mb_body_without_expect_gets_the_413(stack: Stack) -> None:
    """urllib sends the whole body before it reads: it must get the answer, not a reset."""
    request = urllib.request.Request(
        f"{stack.url('ingest')}/v1/reports",
        data=b'{"headline": "' + b"x" * 5_000_000 + b'"}',
        headers={
            "Authorization": auth(stack, "reporter"),
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        },
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=60)
    assert refused.value.code == 413
    assert json.loads(refused.value.read())["status"] == 413


def test_a_chunked_body_over_the_limit_gets_413(stack: Stack) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"headline": "'
        for _ in range(400):
            yield b"x" * 1024

    answer, content = exchange(
        stack, "ingest", "POST", "/v1/reports", chunks(), Authorization=auth(stack, "reporter"),
        **{"Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    assert_problem(answer, content, 413)


def test_expect_100_continue_over_the_limit_gets_413_without_sending_the_body(
    stack: Stack,
) -> None:
    with socket.create_connection(address(stack, "ingest"), timeout=60) as sock:
        sock.sendall(
            b"POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 50000000\r\nExpect: 100-continue\r\n\r\n"
        )
        received = sock.recv(4096)
    assert received.startswith(b"HTTP/1.1 413 "), received[:100]


def test_a_wrong_content_type_gets_415(stack: Stack) -> None:
    answer, content = exchange(
        stack, "ingest", "POST", "/v1/reports", json.dumps(report()).encode(),
        Authorization=auth(stack, "reporter"),
        **{"Content-Type": "text/plain", "Idempotency-Key": uuid.uuid4().hex},
    )  # fmt: skip
    assert_problem(answer, content, 415)


# --- methods, cursors, redirects -----------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "method", "path", "allow"),
    [
        ("publish", "DELETE", "/feeds/all.json", "GET, HEAD"),
        ("publish", "POST", "/feeds/all.atom", "GET, HEAD"),
        ("ingest", "PUT", "/v1/reports", "GET, HEAD, POST"),
        ("verify", "PATCH", "/healthz", "GET, HEAD"),
        # the consoles: a page's catch-all and the static files answered 404 or an empty Allow
        ("verify", "PUT", "/ui/", "GET, HEAD"),
        ("publish", "DELETE", "/ui/", "GET, HEAD"),
        ("verify", "PATCH", "/ui/", "GET, HEAD"),
        ("verify", "GET", "/ui/sign-out", "POST"),
        ("publish", "PUT", "/ui/static/console.css", "GET, HEAD"),
    ],
)
def test_an_unsupported_method_is_a_405_problem_with_allow(
    stack: Stack, service: str, method: str, path: str, allow: str
) -> None:
    answer, content = exchange(stack, service, method, path)
    problem = assert_problem(answer, content, 405)
    assert problem["type"] == "urn:newsroom:problem:method_not_allowed"
    assert answer.getheader("allow") == allow


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE"])
def test_a_console_path_that_is_no_page_is_404_for_any_method(stack: Stack, method: str) -> None:
    answer, _ = exchange(stack, "verify", method, "/ui/no-such-page")
    assert answer.status == 404
    assert answer.getheader("allow") is None


@pytest.mark.parametrize(
    ("service", "path"),
    [
        ("publish", "/feeds/all.json"),
        ("publish", "/feeds/all.atom"),
        ("publish", "/feeds/all.rss"),
        ("publish", "/v1/published/{story}"),
        ("publish", "/openapi.json"),
        ("ingest", "/healthz"),
        ("verify", "/ui/sign-in"),
    ],
)
def test_head_is_served_wherever_get_is(
    stack: Stack, released: str, service: str, path: str
) -> None:
    path = path.format(story=released)
    got, body = exchange(stack, service, "GET", path)
    head, nothing = exchange(stack, service, "HEAD", path)
    assert got.status == head.status == 200
    assert nothing == b""
    for name in ("content-type", "content-length", "etag", "last-modified"):
        assert head.getheader(name) == got.getheader(name), name
    assert int(head.getheader("content-length") or -1) == len(body)


@pytest.mark.parametrize(
    ("service", "path", "role"),
    [
        ("publish", "/feeds/all.json?cursor=%C2%B2", None),
        ("publish", "/feeds/all.rss?cursor=99999999999999999999999", None),
        ("ingest", "/v1/reports?cursor=%C2%B2", "reporter"),
        ("verify", "/v1/queue?cursor=%FF%FE", "reviewer"),
        ("publish", "/v1/stories?cursor=bnVsbA", "editor"),  # base64url of "null"
    ],
)
def test_any_malformed_cursor_is_400(stack: Stack, service: str, path: str, role: str) -> None:
    headers = {"Authorization": auth(stack, role)} if role else {}
    answer, content = exchange(stack, service, "GET", path, **headers)
    assert_problem(answer, content, 400)


def test_no_redirect_is_built_from_the_host_header(stack: Stack) -> None:
    for service, path in (("ingest", "/v1/reports/"), ("publish", "/feeds/"), ("verify", "/ui")):
        answer, _ = exchange(stack, service, "GET", path, Host="evil.example")
        location = answer.getheader("location")
        assert location is None or location.startswith("/"), (path, location)
        assert "evil.example" not in (location or "")


def test_nfc_and_nfd_of_one_report_are_one_request_under_one_key(stack: Stack) -> None:
    key = uuid.uuid4().hex
    composed = report(headline="Caf\u00e9 owners protest", body="Zo\u00eb said so.\n\n" + BODY)
    decomposed = report(headline="Cafe\u0301 owners protest", body="Zoe\u0308 said so.\n\n" + BODY)
    with stack.client("ingest", "reporter") as ingest:
        first = ingest.post("/v1/reports", json=decomposed, headers={"Idempotency-Key": key})
        again = ingest.post("/v1/reports", json=composed, headers={"Idempotency-Key": key})
    assert first.status_code == again.status_code == 202, again.text
    assert again.json()["report_id"] == first.json()["report_id"]
