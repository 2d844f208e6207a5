"""The desk's one call into verify: an editor approves an anonymous source.

Made over verify's HTTP API with the signed-in editor's own token (from the session), so
verify applies its own rules and records the editor as the actor. Verify's problem
answers come back as the same errors of ``services.errors``.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from services.errors import (
    Conflict,
    Forbidden,
    NewsroomError,
    NotFound,
    PreconditionFailed,
    Unauthorized,
    Unavailable,
    ValidationFailed,
)
from services.log import get_logger

log = get_logger(__name__)
TIMEOUT = httpx.Timeout(5.0, connect=2.0)


def _error(response: httpx.Response) -> NewsroomError:
    try:
        detail = str(response.json().get("detail") or "")
    except ValueError:
        detail = ""
    detail = detail or f"Verify answered {response.status_code}."
    status = response.status_code
    if status == 401:
        return Unauthorized(detail)
    if status == 422:
        return ValidationFailed(detail)
    by_status: dict[int, type[NewsroomError]] = {
        403: Forbidden,
        404: NotFound,
        409: Conflict,
        412: PreconditionFailed,
    }
    return by_status.get(status, Unavailable)(detail)


def approve_anonymous(
    verify_url: str, token: str, claim_id: str, attribution_id: str, reason: str
) -> None:
    path = (
        f"/v1/claims/{quote(claim_id, safe='')}"
        f"/attributions/{quote(attribution_id, safe='')}/approval"
    )
    try:
        with httpx.Client(base_url=verify_url, timeout=TIMEOUT) as client:
            response = client.post(
                path, json={"reason": reason}, headers={"Authorization": f"Bearer {token}"}
            )
    except httpx.HTTPError as exc:
        log.warning("verify_unreachable", path=path, error=str(exc))
        raise Unavailable("Verify could not be reached; nothing was approved.") from exc
    if response.status_code != 200:
        raise _error(response)
