"""A console client signed in the way a browser signs in (server-side session)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def signed_in(base_url: str, token: str, timeout: float = 60) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=timeout) as client:
        page = client.get("/ui/sign-in")
        found = CSRF.search(page.text)
        assert found is not None, page.text[:300]
        answer = client.post("/ui/sign-in", data={"csrf_token": found.group(1), "token": token})
        assert answer.status_code == 303, answer.text[:300]
        yield client
