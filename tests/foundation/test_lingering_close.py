"""A refusal sent while the client is still sending reaches it whole, then a clean close.

Closing a socket that has unread bytes makes the kernel send a reset instead of the end of
the stream, and a reset can cost the client the answer it was about to read (a slow
body's 408 was seen reset under load). The server half-closes and reads on instead
(RFC 9112 9.6), until the client closes or ``linger_seconds`` pass.

The server is the services' own protocol and body middleware on a bare app (no store,
no broker), in a process of its own: a server thread in this process would share the
interpreter lock with the client and hide the race.
"""

from __future__ import annotations

import select
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsroom import stack as embedded

SERVER = Path(__file__).with_name("body_deadline_server.py")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, int]]:
    port = embedded.free_port()
    log = tmp_path / "server.log"
    process = embedded.spawn([sys.executable, str(SERVER), str(port)], log)
    try:
        ready = embedded.wait_until(lambda: embedded.tcp_open("127.0.0.1", port), 60, process)
        assert ready, embedded.log_tail(log)
        yield "127.0.0.1", port
    finally:
        embedded.stop_process(process.pid)
        process.wait()


def test_a_408_cutting_off_a_body_still_being_sent_arrives_and_ends_cleanly(
    server: tuple[str, int],
) -> None:
    with socket.create_connection(server, timeout=60) as sock:
        sock.sendall(
            b"POST /v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000000000\r\n\r\n{"
        )
        # Bytes keep coming up to the answer, and a megabyte more after it, as a client
        # that sends its whole body before reading does. (A reset raises here or below.)
        while not select.select([sock], [], [], 0)[0]:
            sock.sendall(b" ")
        for _ in range(16):
            sock.sendall(b" " * 65536)
        received = b""
        while chunk := sock.recv(4096):  # b"" once the server closes
            received += chunk
    assert received.startswith(b"HTTP/1.1 408 "), received[:100]
    assert received.endswith(b"}"), received[-100:]  # the whole problem document
