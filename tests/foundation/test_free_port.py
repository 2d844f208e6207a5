"""A port ``free_port`` picked is kept for the server it was picked for: another
process's ``bind(0)`` or outgoing connection does not take it first (parallel workers
did: "address already in use"), and a server binding with SO_REUSEADDR gets it."""

from __future__ import annotations

import socket

from newsroom import stack


def test_a_picked_port_is_refused_to_other_takers_and_given_to_its_server() -> None:
    picked = [stack.free_port() for _ in range(20)]
    assert len(set(picked)) == len(picked)
    for port in picked:
        # What the kernel hands out to bind(0) and connect() must not collide with a
        # held port: it refuses a plain bind of it.
        with socket.socket() as other:
            try:
                other.bind(("127.0.0.1", port))
            except OSError:
                pass
            else:
                raise AssertionError(f"port {port} was free for anyone to take")
        with socket.socket() as server:
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind(("127.0.0.1", port))
            server.listen()
