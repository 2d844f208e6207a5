"""Auth holds under pressure: revocation reaches every process on its next request,
sign-out ends the session on the server, the rate limit holds under concurrency, user
names are unique ignoring case, and tokens record who issued them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import httpx
import pytest

from newsroom import stack as embedded
from tests.support.infra import Infra
from tests.support.pages import every_item
from tests.support.reports import report
from tests.support.servers import ServiceProcess, api, settings_env
from tests.support.stack import Stack, make_user

LIMIT = 10
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(scope="module")
def ingest(infra: Infra, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    """ingest as a real process of its own, with the default cache of users' names and
    roles (5 s) and a small rate limit."""
    settings = infra.settings(
        ingest_port=embedded.free_port(), auth_cache_seconds=5.0, rate_limit_per_minute=LIMIT
    )
    process = ServiceProcess("ingest", settings, tmp_path_factory.mktemp("guard") / "ingest.log")
    process.start()
    try:
        yield process
    finally:
        process.stop()


def cli(process: ServiceProcess, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "newsroom", "users", *args],
        env={**os.environ, **settings_env(process.settings)},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return result.stdout


def test_a_revoked_token_fails_on_its_next_request_in_another_process(
    ingest: ServiceProcess,
) -> None:
    name, token = make_user(ingest.settings, "reporter")
    with api(ingest.url, token) as client:
        assert client.get("/v1/reports").status_code == 200  # the service has seen it
        cli(ingest, "revoke", name)  # another process revokes it
        answer = client.get("/v1/reports")
    assert answer.status_code == 401, answer.text
    assert "revoked" in answer.json()["detail"]


def test_the_rate_limit_holds_for_concurrent_submissions(ingest: ServiceProcess) -> None:
    _, token = make_user(ingest.settings, "reporter")
    with api(ingest.url, token) as client:

        def one(_: int) -> httpx.Response:
            return client.post("/v1/reports", json=report(),
                               headers={"Idempotency-Key": uuid.uuid4().hex})  # fmt: skip

        with ThreadPoolExecutor(30) as pool:
            answers = list(pool.map(one, range(3 * LIMIT)))
    counts = Counter(a.status_code for a in answers)
    assert counts == {202: LIMIT, 429: 2 * LIMIT}, counts
    refused = next(a for a in answers if a.status_code == 429)
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["content-type"] == "application/problem+json"


def test_user_names_are_unique_ignoring_case(stack: Stack) -> None:
    name = f"Ada-{uuid.uuid4().hex[:6]}"
    with stack.client("ingest", "admin") as admin:
        assert admin.post("/v1/users", json={"name": name, "role": "reporter"}).status_code == 201
        for other in (name.lower(), name.upper(), f" {name.swapcase()} "):
            answer = admin.post("/v1/users", json={"name": other, "role": "editor"})
            assert answer.status_code == 409, answer.text
            assert answer.headers["content-type"] == "application/problem+json"
        names = [u["name"].casefold() for u in every_item(admin, "/v1/users")]
        assert names.count(name.casefold()) == 1
        # Looked up in any case, too.
        assert admin.get(f"/v1/users/{name.upper()}").json()["name"] == name


def test_a_user_from_before_names_had_a_key_still_blocks_its_case_twin(stack: Stack) -> None:
    from services.auth.models import User

    name = f"Old-{uuid.uuid4().hex[:6]}"
    legacy = {"_id": f"u_{uuid.uuid4().hex[:16]}", "name": name, "role": "reporter",
              "created_at": datetime.now(UTC)}  # fmt: skip
    User._get_collection().insert_one(legacy)
    with stack.client("ingest", "admin") as admin:
        answer = admin.post("/v1/users", json={"name": name.upper(), "role": "reporter"})
    assert answer.status_code == 409, answer.text


def test_a_token_records_who_issued_it(stack: Stack) -> None:
    name = f"tok-{uuid.uuid4().hex[:6]}"
    admin_name = stack.names["admin"]
    with stack.client("ingest", "admin") as admin:
        admin.post("/v1/users", json={"name": name, "role": "reviewer"}).raise_for_status()
        admin.post(f"/v1/users/{name}/tokens").raise_for_status()
        tokens = admin.get(f"/v1/users/{name}").json()["tokens"]
    assert [t["issued_by"] for t in tokens] == [admin_name, admin_name]
    assert all(t["issued_at"] and t["revoked_at"] is None for t in tokens)
    cli_name, _ = stack.new_user("editor")  # the `newsroom users add` path
    with stack.client("ingest", "admin") as admin:
        assert [t["issued_by"] for t in admin.get(f"/v1/users/{cli_name}").json()["tokens"]] == [
            "(cli)"
        ]


def test_a_console_cookie_kept_from_before_sign_out_is_signed_out(stack: Stack) -> None:
    """Sign-out ends the session on the server: a copy of the cookie is worth nothing."""
    with httpx.Client(base_url=stack.url("verify"), timeout=30) as browser:  # type: ignore[arg-type]
        page = browser.get("/ui/sign-in")
        token = stack.tokens["reviewer"]
        signed = browser.post("/ui/sign-in", data={"csrf_token": CSRF.search(page.text).group(1),  # type: ignore[union-attr]
                                                   "token": token})  # fmt: skip
        assert signed.status_code == 303
        kept = dict(browser.cookies)
        home = browser.get("/ui/")
        assert home.status_code == 200
        form = CSRF.search(home.text).group(1)  # type: ignore[union-attr]
        assert browser.post("/ui/sign-out", data={"csrf_token": form}).status_code == 303
    with httpx.Client(base_url=stack.url("verify"), cookies=kept, timeout=30) as replay:  # type: ignore[arg-type]
        answer = replay.get("/ui/")
    assert answer.status_code == 303
    assert "sign-in" in answer.headers["location"]
