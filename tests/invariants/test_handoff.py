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
STATE_COOKIE = "nr_verify_handoff"


def follow_hand_off(verify: str, url: str, state: str | None = None) -> httpx.Response:
    """``url`` opened in a browser with no verify session yet, holding the hand-off state
    ``state`` that verify gave it (None: a browser verify never marked)."""
    cookies = {STATE_COOKIE: state} if state is not None else {}
    with httpx.Client(timeout=30, cookies=cookies) as fresh:
        return fresh.get(url if url.startswith("http") else verify + url)


def signed_in_by(verify: str, answer: httpx.Response) -> str | None:
    """The name the verify console greets, with the cookie the hand-off set."""
    cookie = answer.cookies.get("nr_verify_session")
    if cookie is None:
        return None
    with httpx.Client(base_url=verify, cookies={"nr_verify_session": cookie}, timeout=30) as c:
        page = c.get("/ui/")
        return page.text if page.status_code == 200 else None


def hand_off_from_desk(desk: httpx.Client, verify: str, next_url: str) -> tuple[str, str]:
    """The desk's link followed as a browser does, up to the hand-off itself: the desk
    sends the browser to verify to be marked, verify sends it back with a state (and the
    state in a cookie), the desk seals the hand-off. (The hand-off URL, the state.)"""
    first = desk.get("/ui/go/verify", params={"next": next_url})
    assert first.status_code == 303, first.text[:300]
    begin = first.headers["location"]
    assert begin.startswith(f"{verify}/ui/hand-off/begin?"), begin
    marked = desk.get(begin)
    assert marked.status_code == 303, marked.text[:300]
    state = marked.cookies.get(STATE_COOKIE)
    assert state, marked.headers
    back = desk.get(marked.headers["location"])
    assert back.status_code == 303, back.text[:300]
    hand_off = back.headers["location"]
    assert hand_off.startswith(f"{verify}/ui/hand-off?h="), hand_off
    return hand_off, state


def test_the_desk_hands_a_session_to_the_reviewers_console_once(stack: Stack) -> None:
    verify, publish = stack.url("verify"), stack.url("publish")
    with signed_in(publish, stack.tokens["editor"]) as desk:
        hand_off, state = hand_off_from_desk(desk, verify, CLAIM)
    assert stack.tokens["editor"] not in hand_off  # sealed, never in the clear

    landed = follow_hand_off(verify, hand_off, state)
    assert landed.status_code == 303
    assert landed.headers["location"] == CLAIM
    page = signed_in_by(verify, landed)
    assert page is not None
    assert stack.names["editor"] in page

    # The same link again (a copy, a log line, the back button): refused.
    again = follow_hand_off(verify, hand_off, state)
    assert again.status_code == 303
    assert again.headers["location"].startswith("/ui/sign-in?expired=1")
    assert signed_in_by(verify, again) is None


def test_a_hand_off_made_for_one_browser_signs_nobody_in_in_another(stack: Stack) -> None:
    """Login CSRF: an editor's own hand-off link, sent to someone else, would sign them in
    as the editor (their reviews recorded under the editor's name)."""
    verify, publish = stack.url("verify"), stack.url("publish")
    with signed_in(publish, stack.tokens["editor"]) as desk:
        hand_off, state = hand_off_from_desk(desk, verify, CLAIM)
    # another browser's state: this one's with its first character changed (not to itself)
    forged = ("y" if state[0] == "x" else "x") + state[1:]
    for case, other in {"unmarked": None, "marked by another": forged}.items():
        answer = follow_hand_off(verify, hand_off, other)
        assert answer.status_code == 303, case
        assert answer.headers["location"].startswith("/ui/sign-in?expired=1"), case
        assert signed_in_by(verify, answer) is None, case
    # The browser it was made for still can (the refusals did not use it up).
    landed = follow_hand_off(verify, hand_off, state)
    assert landed.headers["location"] == CLAIM
    assert signed_in_by(verify, landed) is not None


def test_a_late_forged_or_misdirected_hand_off_signs_nobody_in(stack: Stack) -> None:
    verify = stack.url("verify")
    secret = stack.settings.session_secret
    assert secret is not None
    token = stack.tokens["editor"]
    past = SetClock(datetime.now(UTC) - timedelta(seconds=90))
    key, state = secret.get_secret_value(), "a-state-this-browser-holds"
    cases = {
        "late": HandOffCodec(key, clock=past).seal(token, "verify", CLAIM, state),
        "for the desk": HandOffCodec(key).seal(token, "publish", CLAIM, state),
        "another secret": HandOffCodec("not-the-secret").seal(token, "verify", CLAIM, state),
        "bent": HandOffCodec(key).seal(token, "verify", CLAIM, state)[:-3] + "AAA",
        "empty": "",
        "huge": "A" * 5000,
    }
    for case, sealed in cases.items():
        query = str(httpx.QueryParams({"h": sealed}))
        answer = follow_hand_off(verify, "/ui/hand-off?" + query, state)
        assert answer.status_code == 303, case
        assert answer.headers["location"].startswith("/ui/sign-in?expired=1"), case
        assert signed_in_by(verify, answer) is None, case

    # A reporter's token handed over is refused like a reporter signing in.
    sealed = HandOffCodec(key).seal(stack.tokens["reporter"], "verify", CLAIM, state)
    answer = follow_hand_off(verify, "/ui/hand-off?" + str(httpx.QueryParams({"h": sealed})), state)
    assert answer.status_code == 403
    assert signed_in_by(verify, answer) is None

    # Away from the console, the desk sends nobody anywhere but to a console of its own.
    with signed_in(stack.url("publish"), stack.tokens["editor"]) as desk:
        assert desk.get("/ui/go/elsewhere").status_code == 404
        outside, state = hand_off_from_desk(desk, verify, "https://evil.example/")
        assert desk.get(f"{verify}/ui/hand-off/begin?from=elsewhere").status_code == 404
    landed = follow_hand_off(verify, outside, state)
    assert landed.headers["location"] == "/ui/"  # only a page of the console itself
