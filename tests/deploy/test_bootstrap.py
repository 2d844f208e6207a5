"""`newsroom bootstrap`, the compose file's one-shot job: it waits for a writable store,
registers the operator's service token and makes the first admin, once, however often
(and however many at a time) it runs."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from pymongo import MongoClient

from newsroom import stack
from services.auth import tokens
from services.settings import Settings
from tests.support.infra import Infra
from tests.support.servers import settings_env


def run(settings: Settings, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsroom", "bootstrap", *args],
        env={**os.environ, **settings_env(settings), **env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


def auth_db(settings: Settings) -> Any:
    return MongoClient(settings.mongo_url)[settings.database("auth")]


def test_the_service_token_and_first_admin_are_made_once_however_often_it_runs(
    infra: Infra,
) -> None:
    service_token = tokens.generate().value
    settings = infra.settings(service_token=service_token)
    # Two at once, as two operators (or a restart loop) might: no duplicate, one token shown.
    results = [finish(p) for p in [run(settings, "--admin", "ada") for _ in range(2)]]
    assert [code for code, _, _ in results] == [0, 0], results
    shown = [out.strip().splitlines()[-1] for _, out, _ in results if out.strip()]
    assert len(shown) == 1, results
    assert tokens.parse(shown[0]) is not None

    again = finish(run(settings, "--admin", "ada"))
    assert again[0] == 0, again
    assert again[1] == ""  # nothing printed the second time
    assert "exists" in again[2]

    db = auth_db(settings)
    users = {u["name"]: u for u in db.users.find()}
    assert sorted(users) == ["ada", "svc-publish"]
    assert (users["ada"]["role"], users["svc-publish"]["role"]) == ("admin", "service")
    live = list(db.tokens.find({"user_id": users["svc-publish"]["_id"], "revoked_at": None}))
    token_id, secret = tokens.parse(service_token)  # type: ignore[misc]
    assert [t["_id"] for t in live] == [token_id]
    assert tokens.matches(secret, live[0]["digest"])
    admin_id, admin_secret = tokens.parse(shown[0])  # type: ignore[misc]
    admin_token = db.tokens.find_one({"_id": admin_id, "revoked_at": None})
    assert admin_token["user_id"] == users["ada"]["_id"]
    assert tokens.matches(admin_secret, admin_token["digest"])


def test_a_bad_token_a_missing_one_or_no_store_fails_clearly_and_changes_nothing(
    infra: Infra,
) -> None:
    settings = infra.settings(service_token="nr_not-a-token")
    code, out, err = finish(run(settings, "--admin", "ada"))
    assert code == 1
    assert "not a Newsroom token" in err
    assert out == ""
    assert auth_db(settings).users.count_documents({}) == 0

    unset = infra.settings()
    code, _, err = finish(run(unset))
    assert code == 1
    assert "set NEWSROOM_SERVICE_TOKEN" in err

    nowhere = infra.settings(
        service_token=tokens.generate().value,
        mongo_url=f"mongodb://127.0.0.1:{stack.free_port()}/",
    )
    code, out, err = finish(run(nowhere, "--wait", "2"))
    assert code == 1
    assert "did not take writes within 2 s" in err
    assert out == ""
