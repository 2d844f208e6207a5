"""Verify's HTTP API, as publish calls it (with the service token).

Fails closed: anything but a well-formed answer about the story asked for becomes an
error of ``services.errors`` — ``Unavailable`` (503, Retry-After) when verify cannot be
reached or answers oddly, ``Conflict`` when verify does not know the story. The release
path never guesses.
"""

from __future__ import annotations

import threading
import typing
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from services.contracts import StoryReviewed
from services.errors import Conflict, Unavailable
from services.log import get_logger
from services.settings import Settings

log = get_logger(__name__)
RETRY_AFTER = 5


def known_subset(model: type[BaseModel], data: Any) -> Any:
    """``data`` without the fields ``model`` does not know, at every depth, so a newer
    verify that adds fields still parses under our strict (``extra="forbid"``) contract."""
    if not isinstance(data, dict):
        return data
    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key in data:
            out[key] = _subset_value(field.annotation, data[key])
    return out


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    for arg in typing.get_args(annotation):
        found += _models_in(arg)
    return found


def _subset_value(annotation: Any, value: Any) -> Any:
    models = _models_in(annotation)
    if not models:
        return value
    if isinstance(value, list):
        return [known_subset(models[0], v) for v in value]
    return known_subset(models[0], value)


def parse_snapshot(data: Any) -> StoryReviewed:
    return StoryReviewed.model_validate(known_subset(StoryReviewed, data))


class VerifyClient:
    def __init__(self, settings: Settings) -> None:
        self._base = settings.url_of("verify")
        token = settings.service_token.get_secret_value() if settings.service_token else None
        self._token = token
        self._timeout = httpx.Timeout(5.0, connect=2.0)
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
                self._client = httpx.Client(
                    base_url=self._base, headers=headers, timeout=self._timeout
                )
            return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def _get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        if not self._token:
            raise Unavailable("Publish has no service token to ask verify.", RETRY_AFTER)
        try:
            return self._http().get(path, params=params)
        except httpx.HTTPError as exc:
            log.warning("verify_unreachable", path=path, error=str(exc))
            raise Unavailable(
                "Verify could not be reached to confirm the story; nothing was released.",
                RETRY_AFTER,
            ) from exc

    def fetch(self, story_id: str) -> StoryReviewed:
        response = self._get(f"/v1/stories/{quote(story_id, safe='')}")
        if response.status_code == 404:
            raise Conflict(f"Verify does not know story {story_id!r}; nothing was released.")
        if response.status_code != 200:
            log.warning("verify_unexpected", status=response.status_code, story_id=story_id)
            raise Unavailable(
                f"Verify answered {response.status_code} for the story; nothing was released.",
                RETRY_AFTER,
            )
        try:
            snapshot = parse_snapshot(response.json())
        except (ValueError, ValidationError) as exc:
            log.warning("verify_unparseable", story_id=story_id, error=str(exc)[:300])
            raise Unavailable(
                "Verify's answer was not a story snapshot; nothing was released.", RETRY_AFTER
            ) from exc
        return snapshot

    def snapshots(
        self, updated_after: datetime | None, cursor: str | None, limit: int
    ) -> tuple[list[StoryReviewed], str | None]:
        """One page of snapshots changed after ``updated_after``, oldest change first."""
        params = {"limit": str(limit)}
        if updated_after is not None:
            params["updated_after"] = updated_after.isoformat()
        if cursor:
            params["cursor"] = cursor
        response = self._get("/v1/snapshots", params)
        if response.status_code != 200:
            raise Unavailable(f"Verify answered {response.status_code} for snapshots.")
        try:
            body = response.json()
            items = [parse_snapshot(item) for item in body["items"]]
            next_cursor = body.get("next_cursor")
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            raise Unavailable("Verify's snapshot page could not be read.") from exc
        return items, str(next_cursor) if next_cursor else None
