"""A console form a browser would never send (more fields or files than the form parser
takes) is refused with the console's own error page and a 400, not a 500 with a logged
traceback, and changes nothing."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest

from services.settings import ServiceName
from tests.support.console import CSRF, signed_in
from tests.support.stack import Stack

# (console, role, a form's address)
FORMS = [
    ("verify", "reviewer", "/ui/claims/c_000000000000000000000000/lease"),
    ("publish", "editor", "/ui/stories/s_00000000000000000000000000000000/retract"),
]


def _too_many(kind: str, csrf: str) -> dict[str, Any]:
    """The request's body: 1,001 fields or 1,001 files, one over the parser's limit."""
    if kind == "fields":
        fields = [("csrf_token", csrf)] + [(f"f{i}", "x") for i in range(1001)]
        return {
            "content": urlencode(fields),
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        }
    files = [(f"f{i}", (f"{i}.txt", b"x")) for i in range(1001)]
    return {"data": {"csrf_token": csrf}, "files": files}


@pytest.mark.parametrize("kind", ["fields", "files"])
@pytest.mark.parametrize(("service", "role", "path"), FORMS, ids=[f[0] for f in FORMS])
def test_a_form_with_too_many_fields_or_files_gets_the_error_page_with_400(
    stack: Stack, service: ServiceName, role: str, path: str, kind: str
) -> None:
    with signed_in(str(stack.url(service)), stack.tokens[role]) as console:
        found = CSRF.search(console.get("/ui/").text)
        assert found is not None
        answer = console.post(path, **_too_many(kind, found.group(1)))
        assert answer.status_code == 400, answer.text[:300]
        assert answer.headers["content-type"].startswith("text/html")
        assert f"Too many {kind}" in answer.text
