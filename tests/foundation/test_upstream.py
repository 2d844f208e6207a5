"""One map from another service's answer to our error (publish's calls to verify used
three, which disagreed on 404): every status meets the same rule in every call. And a
kept connection the upstream closed costs a read nothing."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest

from services.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NewsroomError,
    PreconditionFailed,
    Unavailable,
    ValidationFailed,
)
from services.http.upstream import Upstream, upstream_error


def answer(status: int, detail: str | None = "Verify's own words.") -> httpx.Response:
    if detail is None:
        return httpx.Response(status, text="<html>gateway</html>")
    return httpx.Response(status, json={"title": "x", "status": status, "detail": detail})


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, BadRequest),
        (403, Forbidden),
        (404, Conflict),
        (409, Conflict),
        (412, PreconditionFailed),
        (422, ValidationFailed),
        (401, Unavailable),
        (429, Unavailable),
        (500, Unavailable),
        (502, Unavailable),
        (302, Unavailable),
    ],
)
def test_each_upstream_status_becomes_one_error(status: int, kind: type[NewsroomError]) -> None:
    error = upstream_error(answer(status), "verify", "story 's_1'", "Nothing was released.")
    assert type(error) is kind
    assert error.detail.endswith("Nothing was released.")


def test_the_upstreams_detail_is_kept_and_a_404_names_what_it_does_not_know() -> None:
    assert upstream_error(answer(409), "verify", "claim 'c_1'").detail.startswith(
        "Verify's own words."
    )
    assert upstream_error(answer(404), "verify", "claim 'c_1'").detail.startswith(
        "Verify's own words."
    )
    missing = upstream_error(answer(404, ""), "verify", "claim 'c_1'")
    assert missing.detail == "Verify does not know claim 'c_1'. Nothing was done."
    unavailable = upstream_error(answer(503, None), "verify", "claim 'c_1'")
    assert unavailable.headers["Retry-After"] == "5"
    assert "503" in unavailable.detail


class ClosesKeptConnections:
    """An upstream that answers the first request on each connection and closes the
    connection on the next one, unanswered: as a server whose keep-alive ran out just
    as the request went out on the connection it kept."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.requests: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.listener.accept()
                threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as reader:
            for answered in (True, False):
                line = reader.readline()
                if not line:
                    return  # the client closed it
                length = 0
                while (header := reader.readline()) not in (b"\r\n", b""):
                    if header.lower().startswith(b"content-length:"):
                        length = int(header.split(b":")[1])
                self.requests.append(line)
                if line.startswith(b"POST"):
                    reader.read(length)
                if not answered:
                    return  # closed with the request read and not answered
                conn.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")

    def stop(self) -> None:
        self.listener.close()


@pytest.fixture
def upstream() -> Iterator[ClosesKeptConnections]:
    server = ClosesKeptConnections()
    yield server
    server.stop()


def test_a_read_whose_kept_connection_was_closed_goes_again_on_a_new_one(
    upstream: ClosesKeptConnections,
) -> None:
    verify = Upstream("verify", upstream.url, "token")
    try:
        assert verify.call("GET", "/first").text == "ok"
        assert verify.call("GET", "/second").text == "ok"  # not a 503
    finally:
        verify.close()
    assert upstream.requests == [b"GET /first HTTP/1.1\r\n", b"GET /second HTTP/1.1\r\n",
                                 b"GET /second HTTP/1.1\r\n"]  # fmt: skip


def test_a_write_is_never_sent_twice(upstream: ClosesKeptConnections) -> None:
    """The closed connection may have delivered it: a write fails (503), not resent."""
    verify = Upstream("verify", upstream.url, "token")
    try:
        assert verify.call("POST", "/first", json={}).text == "ok"
        with pytest.raises(Unavailable):
            verify.call("POST", "/second", json={})
    finally:
        verify.close()
    assert upstream.requests == [b"POST /first HTTP/1.1\r\n", b"POST /second HTTP/1.1\r\n"]
