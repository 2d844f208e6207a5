"""Invariant 6: a role cannot do what its role does not allow, on any path.

Every operation in every service's OpenAPI must appear in EXPECTED (a new endpoint
without a decided row fails the test). Each is called as every role, with no token, with
a malformed token and with a revoked one. Requests carry dummy ids and empty bodies, so
an allowed call fails later (404, 409, 422, 428...) and changes nothing; what is checked
is whether authentication and the role let it through.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.servers import api
from tests.support.stack import Stack

R, V, E, A, S = "reporter", "reviewer", "editor", "admin", "service"
PUBLIC = "public"
OPEN = frozenset({PUBLIC})

EXPECTED: dict[tuple[str, str, str], frozenset[str]] = {
    # ingest
    ("ingest", "POST", "/v1/reports"): frozenset({R}),
    ("ingest", "GET", "/v1/reports"): frozenset({R, V, E}),
    ("ingest", "GET", "/v1/reports/{report_id}"): frozenset({R, V, E}),
    ("ingest", "GET", "/v1/users"): frozenset({A}),
    ("ingest", "POST", "/v1/users"): frozenset({A}),
    ("ingest", "GET", "/v1/users/{name}"): frozenset({A}),
    ("ingest", "PATCH", "/v1/users/{name}"): frozenset({A}),
    ("ingest", "DELETE", "/v1/users/{name}"): frozenset({A}),
    ("ingest", "POST", "/v1/users/{name}/tokens"): frozenset({A}),
    ("ingest", "DELETE", "/v1/users/{name}/tokens/{token_id}"): frozenset({A}),
    # verify
    ("verify", "GET", "/v1/stories/{story_id}"): frozenset({R, V, E, S}),
    ("verify", "GET", "/v1/snapshots"): frozenset({E, S}),
    ("verify", "GET", "/v1/snapshots/versions"): frozenset({E, S}),
    ("verify", "GET", "/v1/queue"): frozenset({V, E}),
    ("verify", "GET", "/v1/queue/stories"): frozenset({V, E}),
    ("verify", "GET", "/v1/claims/{claim_id}"): frozenset({V, E}),
    ("verify", "GET", "/v1/claims/{claim_id}/suggested-attributions"): frozenset({V, E}),
    ("verify", "GET", "/v1/claims/{claim_id}/history"): frozenset({V, E}),
    ("verify", "POST", "/v1/claims/{claim_id}/lease"): frozenset({V, E}),
    ("verify", "DELETE", "/v1/claims/{claim_id}/lease"): frozenset({V, E}),
    ("verify", "POST", "/v1/claims/{claim_id}/review"): frozenset({V, E}),
    ("verify", "POST", "/v1/claims/{claim_id}/dismiss"): frozenset({V, E}),
    ("verify", "POST", "/v1/claims/{claim_id}/attributions/{attribution_id}/approval"): frozenset(
        {E}
    ),
    ("verify", "POST", "/v1/stories/{story_id}/claims"): frozenset({V, E}),
    # Rule 0: confirming what is a claim is reviewing; never the reporter's own sign-off.
    ("verify", "GET", "/v1/stories/{story_id}/claim-list"): frozenset({V, E}),
    ("verify", "POST", "/v1/stories/{story_id}/claim-list/confirm"): frozenset({V, E}),
    ("verify", "POST", "/v1/claims/{claim_id}/split"): frozenset({V, E}),
    ("verify", "POST", "/v1/claims/merge"): frozenset({V, E}),
    ("verify", "GET", "/v1/claims/{claim_id}/earlier-reviews"): frozenset({V, E}),
    ("verify", "POST", "/v1/claims/{claim_id}/apply-review"): frozenset({V, E}),
    ("verify", "POST", "/v1/claims/{claim_id}/not-same"): frozenset({V, E}),
    # publish
    ("publish", "GET", "/v1/stories/{story_id}/gate"): frozenset({V, E}),
    ("publish", "POST", "/v1/stories/{story_id}/publish"): frozenset({E}),
    ("publish", "POST", "/v1/stories/{story_id}/retract"): frozenset({E}),
    ("publish", "GET", "/v1/stories"): frozenset({E}),
    ("publish", "GET", "/feeds/{section}.json"): OPEN,
    ("publish", "GET", "/feeds/{section}.atom"): OPEN,
    ("publish", "GET", "/feeds/{section}.rss"): OPEN,
    ("publish", "GET", "/v1/published/{story_id}"): OPEN,
    ("publish", "GET", "/schemas/ninjs-3.1-newsroom.json"): OPEN,
    ("publish", "GET", "/schemas/ninjs-3.0-newsroom.json"): OPEN,
    ("publish", "GET", "/"): OPEN,
    ("publish", "GET", "/sections/{section}"): OPEN,
    ("publish", "GET", "/stories/{story_id}"): OPEN,
    ("publish", "GET", "/v1/subscriptions"): frozenset({E, A}),
    ("publish", "POST", "/v1/subscriptions"): frozenset({E, A}),
    ("publish", "GET", "/v1/subscriptions/{subscription_id}"): frozenset({E, A}),
    ("publish", "DELETE", "/v1/subscriptions/{subscription_id}"): frozenset({E, A}),
    ("publish", "GET", "/v1/subscriptions/{subscription_id}/deliveries"): frozenset({E, A}),
    ("publish", "POST", "/v1/subscriptions/{subscription_id}/deliveries/{delivery_id}/redeliver"): (
        frozenset({E, A})
    ),
}
# Probes, not data: every service answers these to anyone.
HEALTH = {"/healthz", "/readyz", "/metrics"}
DUMMY = {
    "report_id": "r_" + "0" * 32,
    "story_id": "s_" + "0" * 32,
    "claim_id": "c_000000000000000000000000",
    "attribution_id": "a_0000000000000000",
    "subscription_id": "w_0000000000000000",
    "delivery_id": "dlv_00000000000000000000000000000000",
    "name": "nobody-at-all",
    "token_id": "0000000000000000",
    "section": "all",
}
CALLERS = ("reporter", "reviewer", "editor", "admin", "service", "none", "malformed", "revoked")


def operations(stack: Stack) -> Iterator[tuple[str, str, str]]:
    for service in ("ingest", "verify", "publish"):
        spec = httpx.get(f"{stack.url(service)}/openapi.json", timeout=30).json()  # type: ignore[arg-type]
        for path, methods in spec["paths"].items():
            if path in HEALTH:
                continue
            for method in methods:
                yield service, method.upper(), path


@pytest.fixture(scope="module")
def revoked_token(stack: Stack) -> str:
    name, token = stack.new_user("editor")
    with stack.client("ingest", "admin") as admin:
        assert admin.delete(f"/v1/users/{name}").status_code == 200
    return token


def call(stack: Stack, token: str | None, service: str, method: str, path: str) -> httpx.Response:
    url = re.sub(r"\{(\w+)\}", lambda m: DUMMY[m.group(1)], path)
    with api(stack.url(service), token) as client:  # type: ignore[arg-type]
        if method in ("POST", "PUT", "PATCH"):
            return client.request(method, url, json={"_": "not a valid body"})
        return client.request(method, url)


def test_every_operation_has_a_decided_row(stack: Stack) -> None:
    found = set(operations(stack))
    assert found - set(EXPECTED) == set(), "operations with no expectation"
    assert set(EXPECTED) - found == set(), "expectations for operations that are gone"


def test_every_role_on_every_path(stack: Stack, revoked_token: str) -> None:
    tokens = {**stack.tokens, "none": None, "malformed": "nr_garbage", "revoked": revoked_token}
    wrong: list[str] = []
    cells = 0
    for (service, method, path), allowed in EXPECTED.items():
        for caller in CALLERS:
            status = call(stack, tokens[caller], service, method, path).status_code
            cells += 1
            if PUBLIC in allowed:
                ok = status not in (401, 403)
                expected = "not 401/403"
            elif caller in ("none", "malformed", "revoked"):
                ok, expected = status == 401, "401"
            elif caller in allowed:
                ok, expected = status not in (401, 403), "allowed (not 401/403)"
            else:
                ok, expected = status == 403, "403"
            if not ok:
                wrong.append(
                    f"{caller:>9} {method:<6} {service}{path}: {status}, expected {expected}"
                )
    print(f"\nrole cells checked: {cells}")
    assert wrong == []


# --- the consoles ------------------------------------------------------------------------
# Who may use each console; every /ui route of it checks the role on every request, not
# only at sign-in. A session cookie is minted for every role here (as a role change after
# sign-in would leave one behind), and every route is tried with it.
CONSOLES = {"verify": frozenset({V, E}), "publish": frozenset({E})}
# and "/ui", a redirect to "/ui/"; a hand-off from the other console signs in like sign-in.
UI_OPEN = {"/ui/sign-in", "/ui/sign-out", "/ui/static", "/ui/hand-off"}


def console_routes(stack: Stack, service: str) -> list[tuple[str, str]]:
    app = stack.apps[service].server.config.app
    found = []

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            if hasattr(route, "original_router"):  # an included router: full paths inside
                walk(route.original_router.routes, "")
                continue
            path = prefix + getattr(route, "path", "")
            if not path.startswith("/ui/") or any(path.startswith(p) for p in UI_OPEN):
                continue
            if path.endswith("{rest:path}"):  # the catch-all: "no such page", to anyone
                continue
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                if method != "HEAD":
                    found.append((method, path))

    walk(app.routes, "")
    return found


def server_session(token: str, console: str) -> str:
    """The id of a session recorded on the server for ``token``'s user (as sign-in makes
    it), or an unknown id for a token that does not authenticate."""
    from services.auth import Authenticator, console_sessions
    from services.errors import Unauthorized

    try:
        principal = Authenticator(0).authenticate(token)
    except Unauthorized:
        return "no-such-session"
    return console_sessions.start(principal.user_id, console, 3600)


def test_every_console_route_admits_only_its_roles(stack: Stack, revoked_token: str) -> None:
    from services.ui.sessions import SessionCodec, SessionData

    secret = stack.settings.session_secret
    assert secret is not None
    wrong: list[str] = []
    cells = 0
    for service, allowed in CONSOLES.items():
        codec = SessionCodec(secret.get_secret_value(), service)
        routes = console_routes(stack, service)
        assert len(routes) >= 5, routes
        callers = {**{r: stack.tokens[r] for r in (R, V, E, A, S)}, "revoked": revoked_token,
                   "malformed": "nr_garbage", "none": None}  # fmt: skip
        for caller, token in callers.items():
            session = SessionData.anonymous()
            if token is not None:
                session = session.signed_in(token, server_session(token, service))
            cookies = {f"nr_{service}_session": codec.seal(session)}
            with httpx.Client(base_url=stack.url(service), cookies=cookies, timeout=30,  # type: ignore[arg-type]
                              follow_redirects=False) as client:  # fmt: skip
                for method, path in routes:
                    url = re.sub(r"\{(\w+)\}", lambda m: DUMMY.get(m.group(1), "x"), path)
                    if path == "/ui/events":
                        continue  # a stream: its gate is the same dependency, tried below
                    data = {"csrf_token": session.csrf_token}
                    answer = client.request(method, url, data=data if method == "POST" else None)
                    cells += 1
                    status = answer.status_code
                    to_sign_in = status in (302, 303) and "sign-in" in answer.headers.get(
                        "location", "")  # fmt: skip
                    if caller in allowed:
                        ok = status != 403 and not to_sign_in
                    elif caller in (R, V, E, A, S):
                        ok = status == 403
                    else:  # no session, or a token that no longer (or never) worked
                        ok = to_sign_in or status in (401, 403)
                    if not ok:
                        wrong.append(f"{caller:>9} {method:<5} {service}{path}: {status}")
            # The stream stays open for the allowed: read its status, then hang up.
            with httpx.stream("GET", f"{stack.url(service)}/ui/events", cookies=cookies,  # type: ignore[arg-type]
                              timeout=30) as events:  # fmt: skip
                if (caller in allowed) != (events.status_code == 200):
                    wrong.append(f"{caller:>9} GET   {service}/ui/events: {events.status_code}")
    print(f"\nconsole cells checked: {cells}")
    assert wrong == []
