"""Ids read from the system's generator in bulk (``services.ids``): unique, and not
shared with a forked child."""

from __future__ import annotations

import os
import re

from services.ids import random_hex


def test_ids_are_hex_and_unique_across_buffers() -> None:
    ids = [random_hex() for _ in range(5_000)]  # about 20 refills of the buffer
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_a_forked_child_does_not_repeat_its_parents_ids() -> None:
    random_hex()  # the buffer is filled and partly used
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send its next ids, leave at once
        os.close(read)
        os.write(write, "".join(random_hex() for _ in range(8)).encode())
        os._exit(0)
    os.close(write)
    child = b""
    while chunk := os.read(read, 4096):
        child += chunk
    os.close(read)
    os.waitpid(pid, 0)
    parent = "".join(random_hex() for _ in range(8))
    theirs = {child.decode()[i : i + 32] for i in range(0, len(child), 32)}
    assert len(theirs) == 8
    assert not theirs & {parent[i : i + 32] for i in range(0, len(parent), 32)}
