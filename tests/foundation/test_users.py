"""Users and tokens: created by an admin, stored hashed, revoked for good."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from services import auth
from services.auth import tokens
from services.auth.models import ApiToken
from services.errors import Unauthorized, ValidationFailed
from tests.support.infra import Infra
from tests.support.pages import every_item
from tests.support.reports import report, submit
from tests.support.servers import api, settings_env
from tests.support.stack import Stack


def test_an_admin_creates_a_user_whose_token_works_until_revoked(stack: Stack) -> None:
    name = f"rita-{uuid.uuid4().hex[:6]}"
    with stack.client("ingest", "admin") as admin:
        created = admin.post("/v1/users", json={"name": name, "role": "reporter"})
        assert created.status_code == 201, created.text
        token = created.json()["token"]
        with api(stack.url("ingest"), token) as rita:
            assert rita.get("/v1/reports").status_code == 200
            assert admin.delete(f"/v1/users/{name}").json()["revoked"] is True
            revoked = rita.get("/v1/reports")
            assert revoked.status_code == 401
            assert "revoked" in revoked.json()["detail"]
            # What to do about it, in the answer: a reporter has no other place to learn it.
            assert "Ask an admin for a new token" in revoked.json()["detail"]


def test_tokens_read_together_are_each_answered_for_themselves(stack: Stack) -> None:
    """Concurrent requests' tokens are read in one command: each still gets its own
    verdict, and a token revoked before the requests is refused in every one of them."""
    live = [auth.create_user(f"kim-{uuid.uuid4().hex[:6]}", "reporter") for _ in range(3)]
    gone = auth.create_user(f"lou-{uuid.uuid4().hex[:6]}", "reporter")
    auth.revoke_user(gone.principal.name)
    tokens = [c.token for c in live] * 4 + [gone.token] * 4 + [_tampered(live[0].token)] * 2
    authenticator = auth.Authenticator(0)
    start = threading.Barrier(len(tokens))

    def verdict(token: str) -> str:
        start.wait(30)
        try:
            return authenticator.authenticate(token).user_id
        except Unauthorized as exc:
            return exc.detail

    with ThreadPoolExecutor(len(tokens)) as pool:
        verdicts = list(pool.map(verdict, tokens))
    expected = [c.principal.user_id for c in live] * 4
    assert verdicts[:12] == expected
    assert all("revoked" in v for v in verdicts[12:16]), verdicts[12:16]
    assert all("not valid" in v for v in verdicts[16:]), verdicts[16:]


def _tampered(token: str) -> str:
    return token[:-1] + ("B" if token.endswith("A") else "A")


def test_tokens_are_stored_only_as_hashes(stack: Stack) -> None:
    token = stack.tokens["reporter"]
    token_id, secret = token.split("_")[1], token.split("_", 2)[2]
    stored = ApiToken.objects(token_id=token_id).first()
    assert stored is not None
    assert secret not in str(stored.to_mongo())
    assert len(stored.digest) == 64


def test_only_admins_manage_users(stack: Stack) -> None:
    for role in ("reporter", "reviewer", "editor"):
        with stack.client("ingest", role) as client:
            assert client.get("/v1/users").status_code == 403
            assert client.post("/v1/users", json={"name": "x", "role": "admin"}).status_code == 403


def test_a_malformed_token_is_401_with_a_problem(stack: Stack) -> None:
    with api(stack.url("ingest"), "nr_not-a-token") as client:
        answer = client.get("/v1/reports")
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Bearer")
    assert answer.json()["detail"].startswith("The bearer token is malformed: ")
    assert "copied whole" in answer.json()["detail"]


def test_users_add_prints_the_token_alone_on_its_last_line(stack: Stack) -> None:
    env = settings_env(stack.settings)
    name = f"cli-{uuid.uuid4().hex[:6]}"
    result = subprocess.run(
        [sys.executable, "-m", "newsroom", "users", "add", name, "--role", "editor"],
        env={**os.environ, **env}, capture_output=True, text=True, check=False,
        timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("nr_")
    with api(stack.url("ingest"), token) as editor:
        assert editor.get("/v1/reports").status_code == 200


def test_a_display_name_is_what_readers_see_in_the_byline(stack: Stack) -> None:
    name = f"dana-{uuid.uuid4().hex[:6]}"
    created = auth.create_user(name, "reporter", "  Dana   Reyes ")
    assert created.principal.byline == "Dana Reyes"
    assert auth.Authenticator(0).authenticate(created.token).byline == "Dana Reyes"
    with api(stack.url("ingest"), created.token) as dana:
        accepted = submit(dana, report())
        assert accepted.status_code == 202, accepted.text
        stored = dana.get(f"/v1/reports/{accepted.json()['report_id']}").json()
    assert stored["byline"] == "Dana Reyes"
    plain = auth.create_user(f"plain-{uuid.uuid4().hex[:6]}", "reporter")
    assert plain.principal.byline == plain.principal.name  # no display name: the login name
    for bad in ("<b>Dana</b>", "x" * 101, "Dana\x00Reyes"):
        with pytest.raises(ValidationFailed):
            auth.create_user(f"bad-{uuid.uuid4().hex[:6]}", "reporter", bad)


def test_the_users_listing_walks_in_pages_to_the_end_and_refuses_a_bad_cursor(
    stack: Stack,
) -> None:
    made = {
        auth.create_user(f"pia-{uuid.uuid4().hex[:6]}", "reporter").principal.name for _ in range(3)
    }
    with stack.client("ingest", "admin") as admin:
        first = admin.get("/v1/users", params={"limit": 2})
        assert first.status_code == 200, first.text
        assert len(first.json()["items"]) == 2
        assert first.json()["next_cursor"]
        paged = [u["name"] for u in every_item(admin, "/v1/users", limit=2)]
        whole = [u["name"] for u in every_item(admin, "/v1/users", limit=200)]
        bad = admin.get("/v1/users", params={"cursor": "not-a-cursor!"})
    # By name, each once, none missed: the small pages add up to the one big page.
    assert paged == sorted(set(paged)) == whole
    assert made <= set(paged)
    assert bad.status_code == 400
    assert bad.headers["content-type"] == "application/problem+json"
    # What `newsroom users list` prints follows the cursor too.
    assert [u.name for u in auth.list_users(page_size=2)] == paged


def test_an_admin_sets_a_byline_over_http_and_the_next_report_carries_it(stack: Stack) -> None:
    name = f"sam-{uuid.uuid4().hex[:6]}"
    with api(stack.url("ingest"), stack.tokens["admin"]) as admin:
        created = admin.post(
            "/v1/users", json={"name": name, "role": "reporter", "display_name": "Sam  Okafor"}
        )
        assert created.status_code == 201, created.text
        assert created.json()["display_name"] == "Sam Okafor"
        token = created.json()["token"]
        with api(stack.url("ingest"), token) as sam:
            first = submit(sam, report()).json()["report_id"]
            changed = admin.patch(f"/v1/users/{name}", json={"display_name": "Samuel Okafor"})
            assert changed.status_code == 200, changed.text
            assert changed.json()["display_name"] == "Samuel Okafor"
            second = submit(sam, report()).json()["report_id"]
            bylines = [sam.get(f"/v1/reports/{r}").json()["byline"] for r in (first, second)]
        # A filed report keeps the byline it was filed under.
        assert bylines == ["Sam Okafor", "Samuel Okafor"]
        assert admin.get(f"/v1/users/{name}").json()["display_name"] == "Samuel Okafor"

        for bad in ("<b>Sam</b>", "x" * 101, "Sam\u202eOkafor", 7, "   "):
            refused = admin.patch(f"/v1/users/{name}", json={"display_name": bad})
            assert refused.status_code == 422, bad
            assert refused.headers["content-type"] == "application/problem+json"
        assert admin.get(f"/v1/users/{name}").json()["display_name"] == "Samuel Okafor"
        assert admin.patch("/v1/users/nobody-here", json={"display_name": "X"}).status_code == 404

        cleared = admin.patch(f"/v1/users/{name}", json={"display_name": None})
        assert cleared.json()["display_name"] is None
    assert auth.find_user(name).display_name is None


def test_users_set_changes_the_byline_from_the_command_line(stack: Stack) -> None:
    name = f"lee-{uuid.uuid4().hex[:6]}"
    auth.create_user(name, "reporter")

    def users_set(display_name: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "newsroom", "users", "set", name,
             "--display-name", display_name],
            env={**os.environ, **settings_env(stack.settings)}, capture_output=True, text=True,
            check=False, timeout=60,
        )  # fmt: skip

    done = users_set("Lee Park")
    assert done.returncode == 0, done.stderr
    assert auth.find_user(name).display_name == "Lee Park"
    refused = users_set("<i>L</i>")
    assert refused.returncode != 0
    assert "markup" in refused.stderr.lower(), refused.stderr
    assert auth.find_user(name).display_name == "Lee Park"


def test_the_last_admin_cannot_be_revoked(infra: Infra) -> None:
    """A newsroom of its own (its own database), so 'the last admin' is this test's."""
    env = {**os.environ, **settings_env(infra.settings())}

    def users(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "newsroom", "users", *args],
            env=env, capture_output=True, text=True, check=False, timeout=60,
        )  # fmt: skip

    assert users("add", "first-admin", "--role", "admin").returncode == 0
    refused = users("revoke", "first-admin")
    assert refused.returncode != 0
    assert "last admin" in refused.stderr, refused.stderr
    assert users("add", "second-admin", "--role", "admin").returncode == 0
    assert users("revoke", "first-admin").returncode == 0, "another admin remains"
    assert "last admin" in users("revoke", "second-admin").stderr


def test_one_token_is_revoked_and_the_users_others_keep_working(stack: Stack) -> None:
    """How a service token is rotated: issue another, move to it, revoke the old one."""
    name = f"svc-{uuid.uuid4().hex[:6]}"
    old = auth.create_user(name, "reporter").token
    new = auth.new_token_for(name)
    old_id = tokens.parse(old)[0]  # type: ignore[index]
    other_user_token = tokens.parse(auth.create_user(f"x-{name}", "reporter").token)[0]  # type: ignore[index]
    with api(stack.url("ingest"), stack.tokens["admin"]) as admin:
        revoked = admin.delete(f"/v1/users/{name}/tokens/{old_id}")
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["revoked_at"] is not None
        again = admin.delete(f"/v1/users/{name}/tokens/{old_id}")
        assert again.json()["revoked_at"] == revoked.json()["revoked_at"]  # the first time stays
        for wrong in ("nosuchtoken", other_user_token):
            missing = admin.delete(f"/v1/users/{name}/tokens/{wrong}")
            assert missing.status_code == 404, wrong
            assert missing.headers["content-type"] == "application/problem+json"
        listed = admin.get(f"/v1/users/{name}").json()
        assert listed["revoked"] is False
        assert [t["revoked_at"] is not None for t in listed["tokens"]] == [True, False]
    with api(stack.url("ingest"), old) as client:
        assert client.get("/v1/reports").status_code == 401
    with api(stack.url("ingest"), new) as client:
        assert client.get("/v1/reports").status_code == 200


def test_users_revoke_token_revokes_one_from_the_command_line(stack: Stack) -> None:
    name = f"rt-{uuid.uuid4().hex[:6]}"
    old = auth.create_user(name, "reporter").token
    token_id = tokens.parse(old)[0]  # type: ignore[index]
    done = subprocess.run(
        [sys.executable, "-m", "newsroom", "users", "revoke-token", name, token_id],
        env={**os.environ, **settings_env(stack.settings)}, capture_output=True, text=True,
        check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert [t.revoked_at is not None for t in auth.tokens_of(auth.find_user(name))] == [True]
    assert auth.find_user(name).revoked_at is None
