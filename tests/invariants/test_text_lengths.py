"""A text over its length is refused in the README's words: characters, not "items".

The "Limits and text" table gives each text field a length in characters. Required fields
said so already ("String should have at most 200 characters"); the optional ones (an
attribution's affiliation and quote, a review's note, an added claim's text, a release's
correction) said "Value should have at most 2000 items after validation, not 2001", which
a reporter or an editor's client reads as a list.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.stack import Stack

ATTRIBUTION = {
    "source_name": "The council",
    "source_kind": "organisation",
    "obtained_via": "statement",
}
# (case, service, role, path, body, loc, limit): nothing need exist, the body is refused
# before anything is read.
CASES: list[tuple[str, str, str, str, dict[str, Any], list[str], int]] = [
    ("affiliation", "verify", "reviewer", "/v1/claims/c_none/review",
     {"status": "contested", "attributions": [{**ATTRIBUTION, "affiliation": "a" * 201}]},
     ["body", "attributions", "0", "affiliation"], 200),
    ("quote", "verify", "reviewer", "/v1/claims/c_none/review",
     {"status": "contested", "attributions": [{**ATTRIBUTION, "quote": "a" * 2001}]},
     ["body", "attributions", "0", "quote"], 2000),
    ("note", "verify", "reviewer", "/v1/claims/c_none/review",
     {"status": "verified", "note": "a" * 2001}, ["body", "note"], 2000),
    ("added claim", "verify", "reviewer", "/v1/stories/s_none/claims",
     {"text": "a" * 5001}, ["body", "text"], 5000),
    ("correction", "publish", "editor", "/v1/stories/s_none/publish",
     {"correction": "a" * 2001}, ["body", "correction"], 2000),
]  # fmt: skip


@pytest.mark.parametrize(("case", "service", "role", "path", "body", "loc", "limit"), CASES,
                         ids=[c[0] for c in CASES])  # fmt: skip
def test_a_text_too_long_is_counted_in_characters(
    stack: Stack, case: str, service: Any, role: str, path: str, body: dict[str, Any],
    loc: list[str], limit: int,
) -> None:  # fmt: skip
    with stack.client(service, role) as client:
        answer = client.post(path, json=body, headers={"If-Match": '"1"'})
    assert answer.status_code == 422, answer.text[:300]
    error = answer.json()["errors"][0]
    assert error["loc"] == loc
    assert error["type"] == "string_too_long", error
    assert error["msg"] == f"String should have at most {limit} characters"


def test_within_the_length_the_text_policy_still_holds(stack: Stack) -> None:
    """The length is checked first; a value within it still goes through the policy."""
    with stack.client("verify", "reviewer") as client:
        answer = client.post(
            "/v1/claims/c_none/review",
            json={"status": "verified", "note": "a\u200bb"},
            headers={"If-Match": '"1"'},
        )
    assert answer.status_code == 422, answer.text[:300]
    assert answer.json()["errors"][0]["type"] == "text_invisible"
