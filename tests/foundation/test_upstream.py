"""One map from another service's answer to our error (publish's calls to verify used
three, which disagreed on 404): every status meets the same rule in every call."""

from __future__ import annotations

import httpx
import pytest

from services.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NewsroomError,
    PreconditionFailed,
    Unavailable,
    ValidationFailed,
)
from services.http.upstream import upstream_error


def answer(status: int, detail: str | None = "Verify's own words.") -> httpx.Response:
    if detail is None:
        return httpx.Response(status, text="<html>gateway</html>")
    return httpx.Response(status, json={"title": "x", "status": status, "detail": detail})


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, BadRequest),
        (403, Forbidden),
        (404, Conflict),
        (409, Conflict),
        (412, PreconditionFailed),
        (422, ValidationFailed),
        (401, Unavailable),
        (429, Unavailable),
        (500, Unavailable),
        (502, Unavailable),
        (302, Unavailable),
    ],
)
def test_each_upstream_status_becomes_one_error(status: int, kind: type[NewsroomError]) -> None:
    error = upstream_error(answer(status), "verify", "story 's_1'", "Nothing was released.")
    assert type(error) is kind
    assert error.detail.endswith("Nothing was released.")


def test_the_upstreams_detail_is_kept_and_a_404_names_what_it_does_not_know() -> None:
    assert upstream_error(answer(409), "verify", "claim 'c_1'").detail.startswith(
        "Verify's own words."
    )
    assert upstream_error(answer(404), "verify", "claim 'c_1'").detail.startswith(
        "Verify's own words."
    )
    missing = upstream_error(answer(404, ""), "verify", "claim 'c_1'")
    assert missing.detail == "Verify does not know claim 'c_1'. Nothing was done."
    unavailable = upstream_error(answer(503, None), "verify", "claim 'c_1'")
    assert unavailable.headers["Retry-After"] == "5"
    assert "503" in unavailable.detail
