"""The consoles' sessions, CSRF, roles and error pages over plain HTTP (no browser), and
their pure parts: the cookie codec, the sign-in redirect, the story text's marks."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import Depends, FastAPI, Request, Response

from services import auth
from services.auth import Authenticator, Role
from services.clock import SetClock
from services.contracts import ObtainedVia, SourceKind
from services.ui import Console, Viewer
from services.ui.origin import safe_next
from services.ui.sessions import SessionCodec, SessionData, csrf_matches, csrf_token
from tests.support.reports import submit
from tests.support.stack import Stack
from verify.stories.records import ClaimRecord, DetectedAttribution, Signal
from verify.ui.view import history_rows, paragraphs
from verify.ui.words import KIND_LABELS, VIA_LABELS

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def console(stack: Stack, service: str) -> httpx.Client:
    return httpx.Client(base_url=stack.url(service), timeout=30)  # type: ignore[arg-type]


@contextmanager
def signed_in(stack: Stack, service: str, token: str) -> Iterator[httpx.Client]:
    with console(stack, service) as client:
        page = client.get("/ui/sign-in")
        answer = client.post(
            "/ui/sign-in", data={"csrf_token": CSRF.search(page.text).group(1), "token": token}
        )
        assert answer.status_code == 303, answer.text
        yield client


def form_token(client: httpx.Client, path: str = "/ui/") -> str:
    return CSRF.search(client.get(path).text).group(1)


# --- over HTTP ---------------------------------------------------------------------------


def test_the_session_cookie_is_sealed_scoped_and_lax(stack: Stack) -> None:
    with console(stack, "verify") as client:
        page = client.get("/ui/sign-in")
        answer = client.post(
            "/ui/sign-in",
            data={
                "csrf_token": CSRF.search(page.text).group(1),
                "token": stack.tokens["reviewer"],
                "next": "/ui/?status=verified",
            },
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == "/ui/?status=verified"
        cookie = answer.headers["set-cookie"]
        assert cookie.startswith("nr_verify_session=")
        for attribute in ("HttpOnly", "Path=/ui", "SameSite=lax", "Max-Age=43200"):
            assert attribute in cookie, cookie
        assert "Secure" not in cookie  # plain http here; see the https test
        value = cookie.split(";")[0].split("=", 1)[1]
        assert "nr_" not in value
        assert stack.tokens["reviewer"] not in value
        # Sealed with the session secret for this console only.
        mine = SessionCodec("test-session-secret", "verify").open(value)
        assert mine is not None
        assert mine.token == stack.tokens["reviewer"]
        assert SessionCodec("test-session-secret", "publish").open(value) is None
        assert SessionCodec("another-secret", "verify").open(value) is None
        page = client.get("/ui/")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store"


def test_behind_https_the_cookie_is_secure(stack: Stack) -> None:
    with console(stack, "publish") as client:
        page = client.get("/ui/sign-in", headers={"X-Forwarded-Proto": "https"})
        assert "Secure" in page.headers["set-cookie"]


def test_forms_without_the_right_csrf_token_are_refused(stack: Stack) -> None:
    with signed_in(stack, "verify", stack.tokens["reviewer"]) as client:
        for data in ({}, {"csrf_token": "forged"}, {"csrf_token": csrf_token("other-secret")}):
            answer = client.post("/ui/claims/c_nope/lease", data=data)
            assert answer.status_code == 403
            assert answer.headers["content-type"].startswith("text/html")
            assert "CSRF" in answer.text
            assert '<h1 id="error-title">Form refused</h1>' in answer.text  # not the role
        answer = client.post("/ui/sign-out", data={})
        assert answer.status_code == 403
        # The right one works: the claim does not exist, said as a page.
        answer = client.post("/ui/claims/c_nope/lease", data={"csrf_token": form_token(client)})
        assert answer.status_code == 404
        assert "<h1" in answer.text
        assert "No claim" in answer.text
    with console(stack, "verify") as client:
        client.get("/ui/sign-in")
        answer = client.post("/ui/sign-in", data={"token": stack.tokens["reviewer"]})
        assert answer.status_code == 403


def test_a_cookie_from_another_console_or_tampered_is_no_session(stack: Stack) -> None:
    with signed_in(stack, "verify", stack.tokens["editor"]) as verify:
        value = verify.cookies["nr_verify_session"]
    with console(stack, "publish") as desk:
        desk.cookies.set("nr_publish_session", value, path="/ui")
        answer = desk.get("/ui/")
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/ui/sign-in?next=")
    with console(stack, "verify") as client:
        client.cookies.set("nr_verify_session", value[:-4] + "AAAA", path="/ui")
        assert client.get("/ui/").status_code == 303


@pytest.mark.parametrize(
    ("service", "role", "allowed"),
    [
        ("verify", "reviewer", True),
        ("verify", "editor", True),
        ("verify", "reporter", False),
        ("verify", "admin", False),
        ("verify", "service", False),
        ("publish", "editor", True),
        ("publish", "reviewer", False),
        ("publish", "reporter", False),
        ("publish", "admin", False),
        ("publish", "service", False),
    ],
)
def test_only_the_consoles_roles_get_in(
    stack: Stack, service: str, role: str, allowed: bool
) -> None:
    with console(stack, service) as client:
        page = client.get("/ui/sign-in")
        # The sign-in form tells how to get a token for this console's role.
        first_role = {"verify": "reviewer", "publish": "editor"}[service]
        assert f"newsroom users add NAME --role {first_role}</code>" in page.text
        answer = client.post(
            "/ui/sign-in",
            data={"csrf_token": CSRF.search(page.text).group(1), "token": stack.tokens[role]},
        )
        if allowed:
            assert answer.status_code == 303
            assert client.get("/ui/").status_code == 200
        else:
            assert answer.status_code == 403
            assert answer.headers["content-type"].startswith("text/html")
            assert "Not allowed for your role" in answer.text
            roles = r"is an? (reporter|reviewer|editor|admin|service account)\."
            assert re.search(roles, answer.text), answer.text[-600:]
            assert "set-cookie" not in answer.headers or "nr_" not in answer.headers["set-cookie"]
            assert client.get("/ui/").status_code == 303


def test_a_wrong_token_is_told_on_the_sign_in_page(stack: Stack) -> None:
    with console(stack, "verify") as client:
        page = client.get("/ui/sign-in")
        answer = client.post(
            "/ui/sign-in",
            data={"csrf_token": CSRF.search(page.text).group(1), "token": "nr_nonsense"},
        )
        assert answer.status_code == 401
        # Said to a person at a form, not in the API's words ("The bearer token is ...").
        assert "That is not a Newsroom token" in answer.text
        assert "bearer" not in answer.text.lower()
        assert 'aria-invalid="true"' in answer.text


def test_a_revoked_user_is_signed_out_at_once(stack: Stack) -> None:
    name, token = stack.new_user("reviewer")
    with signed_in(stack, "verify", token) as client:
        assert client.get("/ui/").status_code == 200
        auth.revoke_user(name)
        answer = client.get("/ui/")
        assert answer.status_code == 303
        assert "expired=1" in answer.headers["location"]
        # A script asking for a fragment is told where to sign in instead.
        fragment = client.get("/ui/queue", headers={"X-Fragment": "1"})
        assert fragment.status_code == 401
        assert fragment.headers["x-sign-in"].startswith("/ui/")


def test_sign_out_ends_the_session(stack: Stack) -> None:
    with signed_in(stack, "publish", stack.tokens["editor"]) as client:
        answer = client.post("/ui/sign-out", data={"csrf_token": form_token(client)})
        assert answer.status_code == 303
        assert "signed_out=1" in answer.headers["location"]
        assert client.get("/ui/").status_code == 303


def test_errors_are_pages(stack: Stack) -> None:
    with signed_in(stack, "verify", stack.tokens["reviewer"]) as client:
        for path in ("/ui/claims/c_missing", "/ui/no-such-page"):
            answer = client.get(path)
            assert answer.status_code == 404
            assert answer.headers["content-type"].startswith("text/html")
        answer = client.get("/ui/?status=maybe")
        assert answer.status_code == 422
        assert "<h1" in answer.text
    with signed_in(stack, "publish", stack.tokens["editor"]) as client:
        answer = client.get("/ui/stories/s_missing")
        assert answer.status_code == 404
        assert "has not seen story" in answer.text


def test_the_queue_streams_changes(stack: Stack) -> None:
    with (
        signed_in(stack, "verify", stack.tokens["reviewer"]) as client,
        client.stream("GET", "/ui/events") as events,
    ):
        assert events.headers["content-type"].startswith("text/event-stream")
        lines = events.iter_lines()
        assert next(lines).startswith("retry:")
        first = _next_event(lines)
        with stack.client("ingest", "reporter") as ingest:
            assert submit(ingest).status_code == 202
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            changed = _next_event(lines)
            if changed != first:
                break
        else:
            pytest.fail("no change event within 20 s")


def _next_event(lines: object) -> str:
    for line in lines:  # type: ignore[attr-defined]
        if line.startswith("data:"):
            return str(line)
    raise AssertionError("the stream ended")


def test_the_desk_approves_with_the_editors_own_token(stack: Stack) -> None:
    with signed_in(stack, "publish", stack.tokens["editor"]) as client:
        answer = client.post(
            "/ui/stories/s_missing/approve",
            data={
                "csrf_token": form_token(client),
                "claim_id": "c_missing",
                "attribution_id": "a_missing",
                "reason": "why",
            },
        )
        # Verify answered (as the editor) that it has no such claim (409 here: the two
        # services disagree, services/http/upstream.py); the desk then has no such story
        # to show that on, so the page says so.
        assert answer.status_code == 404, answer.text
        assert "Publish has not seen story &#39;s_missing&#39;" in answer.text


# --- pure ------------------------------------------------------------------------------


def test_the_codec_refuses_forged_and_old_cookies() -> None:
    codec = SessionCodec("s3cret", "verify", max_age=60)
    data = SessionData.anonymous().signed_in("nr_token", "sid")
    value = codec.seal(data)
    assert "=" not in value
    assert "nr_token" not in value
    assert codec.open(value) == data
    assert codec.open(value + "x") is None
    assert codec.open("") is None
    assert codec.open(None) is None
    # Expiry on a clock the test sets: no waiting for wall time.
    clock = SetClock(datetime(2026, 1, 1, tzinfo=UTC))
    timed = SessionCodec("s3cret", "verify", max_age=60, clock=clock)
    sealed = timed.seal(data)
    clock.advance(60)
    assert timed.open(sealed) == data  # 60 s old: still good
    clock.advance(1)
    assert timed.open(sealed) is None  # 61 s old: expired
    assert csrf_matches(data.csrf_secret, data.csrf_token)
    assert not csrf_matches(data.csrf_secret, "")
    assert not csrf_matches(SessionData.anonymous().csrf_secret, data.csrf_token)
    # A new sign-in gets a new CSRF secret.
    assert data.signed_in("nr_token", "sid").csrf_secret != data.csrf_secret


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/ui/claims/c_1", "/ui/claims/c_1"),
        ("/ui/?status=verified", "/ui/?status=verified"),
        (None, "/ui/"),
        ("https://evil.example/ui/", "/ui/"),
        ("//evil.example/ui/", "/ui/"),
        ("/ui/\\evil", "/ui/"),
        ("/v1/queue", "/ui/"),
        ("/ui/sign-out", "/ui/"),
    ],
)
def test_sign_in_returns_only_inside_the_console(given: str | None, expected: str) -> None:
    assert safe_next(given) == expected


def _claim(body: str, text: str, **values: object) -> ClaimRecord:
    start = body.index(text)
    now = datetime.now(UTC)
    defaults: dict[str, object] = {
        "claim_id": "c_1", "story_id": "s_1", "revision": 1, "section": "world",
        "text": text, "norm": text.lower(), "start": start, "end": start + len(text),
        "context_start": 0, "context_end": len(body), "contested": True,
        "contest_signals": [], "detected_attributions": [], "checkable_reasons": [],
        "declared_sources": [], "origin": "detected", "status": "pending",
        "attributions": [], "version": 1, "open": True, "queued_at": now,
        "created_at": now, "updated_at": now,
    }  # fmt: skip
    defaults.update(values)
    return ClaimRecord(**defaults)  # type: ignore[arg-type]


def test_marks_nest_and_paragraphs_keep_the_text() -> None:
    body = "Intro line.\n\nThe mayor said the bridge allegedly cost 9 million, Reuters reported."
    claim = _claim(
        body,
        "the bridge allegedly cost 9 million",
        detected_attributions=[
            DetectedAttribution(source="The mayor", source_kind="person", cue="said",
                                start=body.index("The mayor"), end=body.index(" the bridge"),
                                cue_start=body.index("said"), cue_end=body.index("said") + 4),
            DetectedAttribution(source="Reuters", source_kind="media", cue="reported",
                                start=body.index("Reuters"), end=body.index("Reuters") + 7,
                                cue_start=body.index("reported"),
                                cue_end=body.index("reported") + 8),
        ],
        contest_signals=[
            Signal(kind="hedge", cue="allegedly", start=body.index("allegedly"),
                   end=body.index("allegedly") + 9, detail="hedged"),
        ],
    )  # fmt: skip
    found = paragraphs(body, claim, [])
    assert ["".join(p.text for p in para) for para in found] == body.split("\n\n")
    pieces = found[1]
    cue = next(p for p in pieces if p.has("cue"))
    assert cue.text == "allegedly"
    assert cue.has("claim")
    assert cue.says("cue").startswith("Contest signal: Hedge")
    assert [p.text for p in pieces if p.has("attr")] == ["The mayor said", "Reuters"]
    assert sum(1 for p in pieces if "claim-start" in p.anchors) == 1


def test_every_source_kind_and_channel_has_a_label() -> None:
    assert set(KIND_LABELS) == {kind.value for kind in SourceKind}
    assert set(VIA_LABELS) == {via.value for via in ObtainedVia}


def test_history_reads_newest_first_with_what_changed() -> None:
    at = datetime.now(UTC)
    rows = history_rows(
        [
            {"at": at, "actor": {"name": "ana", "role": "reporter"}, "action": "created",
             "detail": "", "before": {}, "after": {"status": "pending"}},
            {"at": at, "actor": {"name": "rev", "role": "reviewer"}, "action": "reviewed",
             "detail": "", "before": {"status": "pending", "attributions": []},
             "after": {"status": "contested",
                       "attributions": [{"source_name": "Reuters"}]}},
        ]
    )  # fmt: skip
    assert rows[0].action == "reviewed"
    assert rows[0].actor == "rev"
    assert ("status", "pending", "contested") in rows[0].changes
    # names stay apart (the template isolates each), and a review's note is its words
    assert ("attributions", "none", ("Reuters",)) in rows[0].changes
    assert rows[0].written
    assert rows[1].changes == []
    assert not rows[1].written

    # A time in an entry's detail is shown as a time, like every other, not as a stamp.
    leased = history_rows([
        {"at": at, "actor": {"name": "rev", "role": "reviewer"}, "action": "leased",
         "detail": f"until {at.isoformat()}", "before": {}, "after": {}},
    ])  # fmt: skip
    assert leased[0].detail == ["until ", at]


def test_a_console_without_a_session_secret_says_so_as_a_page() -> None:
    app = FastAPI()
    console = Console(
        name="verify",
        title="Reviewers' console",
        roles=(Role.REVIEWER,),
        authenticator=Authenticator(0),
        session_secret=None,
    )

    @console.router.get("/")
    def home(request: Request, viewer: Viewer = Depends(console.viewer)) -> Response:  # noqa: B008
        return console.render(request, "ui/error.html", {"status": 200, "title": "", "detail": ""})

    console.install(app)

    async def ask() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://console") as client:
            for path in ("/ui/", "/ui/sign-in"):
                answer = await client.get(path)
                assert answer.status_code == 503
                assert "NEWSROOM_SESSION_SECRET" in answer.text
                assert "set-cookie" not in answer.headers
            answer = await client.post("/ui/nowhere")
            assert answer.status_code == 404
            assert answer.headers["content-type"].startswith("text/html")
            assert (await client.get("/ui")).headers["location"] == "/ui/"

    asyncio.run(ask())
