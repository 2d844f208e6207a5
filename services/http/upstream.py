"""Calling another service's HTTP API, and what its answers become here.

One client per upstream service (keep-alive, a bearer token per call: the service's own,
or a signed-in user's), and one map from the upstream's status to an error of
``services.errors``, so every call fails the same way:

- unreachable, 5xx, 429, 401 or anything unexpected: ``Unavailable`` (503, Retry-After):
  nothing was done, try again later (a 401 there means our credentials, not the
  caller's, are wrong);
- 404: ``Conflict``: the thing our request is about exists here but the upstream does
  not know it (anymore): the two services disagree, nothing was done (publish's
  release said 409 and its desk 404; one rule now);
- 403, 409, 412, 400 and 422: the same error here.

The upstream's own detail is kept when it gives one.

Idle connections are kept for less than the services' own keep-alive
(``services.http.serving.KEEP_ALIVE_SECONDS``), and a read (GET, HEAD) that finds its
kept connection closed under it is sent once more on a new one: the upstream closing
an idle connection as a request goes out on it answered a read 503 (seen under load, 2
in 200 calls after an idle of five seconds).
"""

from __future__ import annotations

import threading
from typing import Any

import httpx

from services.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NewsroomError,
    PreconditionFailed,
    Unavailable,
    ValidationFailed,
)
from services.http.serving import KEEP_ALIVE_SECONDS
from services.log import get_logger

log = get_logger(__name__)
RETRY_AFTER = 5
TIMEOUT = httpx.Timeout(5.0, connect=2.0)
# Idle connections are dropped well before the upstream's keep-alive closes them.
LIMITS = httpx.Limits(keepalive_expiry=KEEP_ALIVE_SECONDS / 2)
# What a kept connection closed by the upstream looks like; a read is safe to send again.
_STALE = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
_READS = frozenset({"GET", "HEAD"})

_SAME: dict[int, type[NewsroomError]] = {
    400: BadRequest,
    403: Forbidden,
    404: Conflict,
    409: Conflict,
    412: PreconditionFailed,
    422: ValidationFailed,
}


def upstream_error(
    response: httpx.Response, service: str, about: str, outcome: str = "Nothing was done."
) -> NewsroomError:
    """The error for an upstream's answer that is not a success (see the module), its
    detail ending with ``outcome``."""
    status = response.status_code
    name = service.capitalize()
    try:
        body = response.json()
        detail = str(body.get("detail") or "") if isinstance(body, dict) else ""
    except ValueError:
        detail = ""
    kind = _SAME.get(status)
    if kind is None:
        log.warning("upstream_unexpected", service=service, status=status, about=about)
        return Unavailable(f"{name} answered {status} for {about}. {outcome}", RETRY_AFTER)
    if not detail:
        detail = f"{name} does not know {about}." if status == 404 else f"{name} answered {status}."
    return kind(f"{detail} {outcome}")


class Upstream:
    """Another service's API: ``base_url``, and the token calls use unless given one."""

    def __init__(self, service: str, base_url: str, token: str | None = None) -> None:
        self.service = service
        self._base = base_url
        self._token = token
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                self._client = httpx.Client(base_url=self._base, timeout=TIMEOUT, limits=LIMITS)
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def call(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """The upstream's answer, whatever its status; ``Unavailable`` when there is none
        (no token to call with, or the upstream cannot be reached). ``headers``: more
        request headers (``If-Match``...)."""
        bearer = token or self._token
        if not bearer:
            raise Unavailable(f"No token to call {self.service} with.", RETRY_AFTER)
        headers = {**(headers or {}), "Authorization": f"Bearer {bearer}"}
        try:
            try:
                return self._http().request(method, path, headers=headers, **kwargs)
            except _STALE:
                if method.upper() not in _READS:
                    raise
                # The pool dropped the closed connection: this goes out on a new one.
                return self._http().request(method, path, headers=headers, **kwargs)
        except httpx.HTTPError as exc:
            log.warning("upstream_unreachable", service=self.service, path=path, error=str(exc))
            raise Unavailable(
                f"{self.service.capitalize()} could not be reached; nothing was done.",
                RETRY_AFTER,
            ) from exc
