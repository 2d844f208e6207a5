"""The text policy (``services/text.py``) at every input of every service, and the HTTP
edges, each with the exact answer it must get (``STATUS``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.invariants.bad_input.world import (
    VERIFIED,
    Request,
    World,
    attribution,
    get,
    nothing,
    on_claim,
    on_story,
    post_report,
    reports_of_fresh_reporter,
    review,
    subscriptions,
    the_claim,
    the_release,
    the_story,
    users,
)
from tests.support.reports import BODY, report

RLO, BEL, NEL, ZWSP, TAG, NONCHAR = "\u202e", "\u0007", "\u0085", "\u200b", "\U000e0041", "\uffff"
LSEP, PSEP = "\u2028", "\u2029"


def subscribe(url: Any) -> Request:
    return lambda _: {"method": "POST", "url": "/v1/subscriptions", "json": {"url": url}}


def add_user(name: str) -> Request:
    return lambda _: {"method": "POST", "url": "/v1/users",
                      "json": {"name": name, "role": "reporter"}}  # fmt: skip


def contested(**fields: Any) -> Request:
    return review({"status": "contested", "attributions": [attribution(**fields)]})


TEXT_POLICY: list[tuple[str, str, str, Request, Callable[[World], Any]]] = [
    ("report: noncharacter in the headline", "ingest", "fresh_reporter",
     post_report(report(headline=f"Budget{NONCHAR} passes")), reports_of_fresh_reporter),
    ("report: tag characters in the headline", "ingest", "fresh_reporter",
     post_report(report(headline=f"Budget{TAG} passes")), reports_of_fresh_reporter),
    ("report: headline of invisible characters only", "ingest", "fresh_reporter",
     post_report(report(headline="\u3164\u200d\u00a0")), reports_of_fresh_reporter),
    ("report: zero-width space in the headline", "ingest", "fresh_reporter",
     post_report(report(headline=f"Bud{ZWSP}get passes")), reports_of_fresh_reporter),
    ("report: NEL (C1) in the headline", "ingest", "fresh_reporter",
     post_report(report(headline=f"Budget{NEL}passes")), reports_of_fresh_reporter),
    ("report: bell in the body", "ingest", "fresh_reporter",
     post_report(report(body=BODY + BEL, claims=[])), reports_of_fresh_reporter),
    ("report: line separator in the body", "ingest", "fresh_reporter",
     post_report(report(body=BODY + LSEP, claims=[])), reports_of_fresh_reporter),
    ("report: bidi override in a source", "ingest", "fresh_reporter",
     post_report(report(claims=[{"text": "The vote was 21 to 9.", "sources": [f"{RLO}royam"]}])),
     reports_of_fresh_reporter),
    ("review: bidi override in a source name", "verify", "reviewer",
     contested(source_name=f"The {RLO}royam"), the_claim),
    ("review: bell in a quote", "verify", "reviewer", contested(quote=f"It will work{BEL}"),
     the_claim),
    ("review: paragraph separator in a quote", "verify", "reviewer",
     contested(quote=f"It will work.{PSEP}It did."), the_claim),
    ("dismiss: line separator in the reason", "verify", "reviewer",
     on_claim("/dismiss", {"reason": f"not a claim{LSEP}at all"}), the_claim),
    ("review: NEL in the note", "verify", "reviewer", review({**VERIFIED, "note": f"ok{NEL}"}),
     the_claim),
    ("review: zero-width space in an affiliation", "verify", "reviewer",
     contested(affiliation=f"City{ZWSP}Hall"), the_claim),
    ("review: tag characters in a source name", "verify", "reviewer",
     contested(source_name=f"Mayor{TAG}"), the_claim),
    ("review: source name of spaces", "verify", "reviewer", contested(source_name="   "),
     the_claim),
    ("review: URL with an unclosed IPv6 bracket", "verify", "reviewer",
     contested(url="http://[::1"), the_claim),
    ("review: URL with port 99999", "verify", "reviewer",
     contested(url="https://example.test:99999/a"), the_claim),
    ("review: URL with a space", "verify", "reviewer",
     contested(url="https://example.test/a b"), the_claim),
    ("add claim: noncharacter in the text", "verify", "reviewer",
     on_story("verify", "/claims", {"text": f"The vote was 21 to 9.{NONCHAR}"}), the_story),
    ("dismiss: bidi override in the reason", "verify", "reviewer",
     on_claim("/dismiss", {"reason": f"not a claim {RLO}"}), the_claim),
    ("approve: tag characters in the reason", "verify", "editor",
     on_claim("/attributions/a_00000000/approval", {"reason": f"safety{TAG}"}), the_claim),
    ("retract: noncharacter in the reason", "publish", "editor",
     on_story("publish", "/retract", {"reason": f"Wrong{NONCHAR}"}, target="published"),
     the_release),
    ("retract: bell in the reason", "publish", "editor",
     on_story("publish", "/retract", {"reason": f"Wrong{BEL}"}, target="published"), the_release),
    ("retract: line separator in the reason", "publish", "editor",
     on_story("publish", "/retract", {"reason": f"Wrong{LSEP}facts"}, target="published"),
     the_release),
    ("publish: bidi override in the correction", "publish", "editor",
     on_story("publish", "/publish", {"correction": f"Fixed {RLO}"}, target="published"),
     the_release),
    ("subscribe: unclosed IPv6 bracket", "publish", "editor", subscribe("http://[::1"),
     subscriptions),
    ("subscribe: port 99999", "publish", "editor", subscribe("https://example.test:99999/hook"),
     subscriptions),
    ("subscribe: control character in the URL", "publish", "editor",
     subscribe(f"https://example.test/{BEL}hook"), subscriptions),
    ("users: bidi override in a name", "ingest", "admin",
     add_user(f"eve{RLO}"), users),
    ("users: name of invisible characters", "ingest", "admin",
     add_user(ZWSP * 3), users),
]  # fmt: skip

# --- HTTP edges (issue 12): the exact answer each must get --------------------------------

HTTP_EDGES: list[tuple[str, str, str, Request, Callable[[World], Any]]] = [
    ("report: text/plain body", "ingest", "fresh_reporter",
     post_report(report(), ctype="text/plain"), reports_of_fresh_reporter),
    ("review: form body on a JSON endpoint", "verify", "reviewer",
     review(raw=b"status=verified", ctype="application/x-www-form-urlencoded"), the_claim),
    ("feed: cursor of a non-ASCII digit", "publish", "editor", get("/feeds/all.json?cursor=%C2%B2"),
     nothing),
    ("reports: cursor not base64url", "ingest", "fresh_reporter", get("/v1/reports?cursor=%C2%B2"),
     nothing),
    ("queue: overlong cursor", "verify", "reviewer", get("/v1/queue?cursor=" + "A" * 600), nothing),
    ("stories: cursor of JSON that is not ours", "publish", "editor",
     get("/v1/stories?cursor=e30"), nothing),
    ("feed: DELETE", "publish", "editor", lambda _: {"method": "DELETE", "url": "/feeds/all.json"},
     nothing),
    ("reports: PUT", "ingest", "fresh_reporter", lambda _: {"method": "PUT", "url": "/v1/reports"},
     reports_of_fresh_reporter),
    ("story: encoded slash in the id", "verify", "reviewer", get("/v1/stories/..%2fclaims"),
     nothing),
    ("feed: encoded slash in the section", "publish", "editor", get("/feeds/all%2F..%2Fx.json"),
     nothing),
    ("reports: trailing slash (no redirect)", "ingest", "fresh_reporter", get("/v1/reports/"),
     nothing),
]  # fmt: skip

STATUS = {
    **{case[0]: 422 for case in TEXT_POLICY},
    "apply-review: If-Match missing": 428,
    "apply-review: claim id too long": 422,
    "apply-review: control character in the claim id": 422,
    "apply-review: no such earlier claim": 404,
    "not-same: no such claim": 404,
    "add claim: the revision is at its claims limit": 409,
    "split: the parts would pass the claims limit": 409,
    "report: text/plain body": 415,
    "review: form body on a JSON endpoint": 415,
    "report: not JSON": 415,
    "report: JSON in Latin-1": 415,
    "report: JSON followed by more": 400,
    "report: JSON cut short": 400,
    "report: a name twice in one object": 400,
    "review: status twice": 400,
    "report: invalid UTF-8": 400,
    "review: invalid UTF-8": 400,
    "review: JSON followed by more": 400,
    "feed: cursor of a non-ASCII digit": 400,
    "reports: cursor not base64url": 400,
    "queue: overlong cursor": 400,
    "queue by story: bad cursor": 400,
    "queue by story: cursor of another list": 400,
    "stories: cursor of JSON that is not ours": 400,
    "users: bad cursor": 400,
    "users: cursor of another list": 400,
    "users: negative limit": 422,
    "users: limit over 200": 422,
    "subscriptions: bad cursor": 400,
    "subscriptions: cursor of another list": 400,
    "subscriptions: limit 0": 422,
    "subscriptions: limit over 200": 422,
    "feed: DELETE": 405,
    "reports: PUT": 405,
    "reports: trailing slash (no redirect)": 404,
    "story: encoded slash in the id": 404,
    "feed: encoded slash in the section": 404,
}
