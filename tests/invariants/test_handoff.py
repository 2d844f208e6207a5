"""One sign-in for both consoles: the desk's link to a claim hands the editor's session
to the reviewers' console once, within a minute, for that console only; a replayed,
late, forged or misdirected hand-off signs nobody in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from services.clock import SetClock
from services.ui.handoff import HandOffCodec
from tests.support.console import signed_in
from tests.support.stack import Stack

CLAIM = "/ui/claims/c_nothing_here"


def follow_hand_off(verify: str, url: str) -> httpx.Response:
    with httpx.Client(timeout=30) as fresh:  # a browser with no verify session yet
        return fresh.get(url if url.startswith("http") else verify + url)


def signed_in_by(verify: str, answer: httpx.Response) -> str | None:
    """The name the verify console greets, with the cookie the hand-off set."""
    cookie = answer.cookies.get("nr_verify_session")
    if cookie is None:
        return None
    with httpx.Client(base_url=verify, cookies={"nr_verify_session": cookie}, timeout=30) as c:
        page = c.get("/ui/")
        return page.text if page.status_code == 200 else None


def test_the_desk_hands_a_session_to_the_reviewers_console_once(stack: Stack) -> None:
    verify, publish = stack.url("verify"), stack.url("publish")
    with signed_in(publish, stack.tokens["editor"]) as desk:
        answer = desk.get("/ui/go/verify", params={"next": CLAIM})
    assert answer.status_code == 303
    hand_off = answer.headers["location"]
    assert hand_off.startswith(f"{verify}/ui/hand-off?h=")
    assert stack.tokens["editor"] not in hand_off  # sealed, never in the clear

    landed = follow_hand_off(verify, hand_off)
    assert landed.status_code == 303
    assert landed.headers["location"] == CLAIM
    page = signed_in_by(verify, landed)
    assert page is not None
    assert stack.names["editor"] in page

    # The same link again (a copy, a log line, the back button): refused.
    again = follow_hand_off(verify, hand_off)
    assert again.status_code == 303
    assert again.headers["location"].startswith("/ui/sign-in?expired=1")
    assert signed_in_by(verify, again) is None


def test_a_late_forged_or_misdirected_hand_off_signs_nobody_in(stack: Stack) -> None:
    verify = stack.url("verify")
    secret = stack.settings.session_secret
    assert secret is not None
    token = stack.tokens["editor"]
    past = SetClock(datetime.now(UTC) - timedelta(seconds=90))
    cases = {
        "late": HandOffCodec(secret.get_secret_value(), clock=past).seal(token, "verify", CLAIM),
        "for the desk": HandOffCodec(secret.get_secret_value()).seal(token, "publish", CLAIM),
        "another secret": HandOffCodec("not-the-secret").seal(token, "verify", CLAIM),
        "bent": HandOffCodec(secret.get_secret_value()).seal(token, "verify", CLAIM)[:-3] + "AAA",
        "empty": "",
        "huge": "A" * 5000,
    }
    for case, sealed in cases.items():
        answer = follow_hand_off(verify, "/ui/hand-off?" + str(httpx.QueryParams({"h": sealed})))
        assert answer.status_code == 303, case
        assert answer.headers["location"].startswith("/ui/sign-in?expired=1"), case
        assert signed_in_by(verify, answer) is None, case

    # A reporter's token handed over is refused like a reporter signing in.
    sealed = HandOffCodec(secret.get_secret_value()).seal(stack.tokens["reporter"], "verify", CLAIM)
    answer = follow_hand_off(verify, "/ui/hand-off?" + str(httpx.QueryParams({"h": sealed})))
    assert answer.status_code == 403
    assert signed_in_by(verify, answer) is None

    # Away from the console, the desk sends nobody anywhere but to a console of its own.
    with signed_in(stack.url("publish"), stack.tokens["editor"]) as desk:
        assert desk.get("/ui/go/elsewhere").status_code == 404
        outside = desk.get("/ui/go/verify", params={"next": "https://evil.example/"})
    assert outside.headers["location"].startswith(f"{verify}/ui/hand-off?")
    landed = follow_hand_off(verify, outside.headers["location"])
    assert landed.headers["location"] == "/ui/"  # only a page of the console itself
