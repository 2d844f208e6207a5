"""Verify's HTTP API, as publish calls it: one client (``services.http.upstream``), with
the service token, or an editor's own for what the editor does in verify.

Fails closed: anything but a well-formed answer about the story asked for becomes an
error of ``services.errors`` by the one map of upstream answers — ``Unavailable`` (503,
Retry-After) when verify cannot be reached or answers oddly, ``Conflict`` when verify
does not know the story. The release path never guesses.
"""

from __future__ import annotations

import typing
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from services.contracts import StoryReviewed
from services.errors import Unavailable
from services.http.upstream import RETRY_AFTER, Upstream, upstream_error
from services.log import get_logger
from services.settings import Settings

log = get_logger(__name__)


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


class StoryVersion(BaseModel):
    story_id: str
    version: int
    updated_at: datetime


class VersionPage(BaseModel):
    items: list[StoryVersion]
    next_cursor: str | None = None


def parse_snapshot(data: Any) -> StoryReviewed:
    return StoryReviewed.model_validate(known_subset(StoryReviewed, data))


def _page(updated_after: datetime | None, cursor: str | None, limit: int) -> dict[str, str]:
    """The query of one page of verify's change-ordered lists."""
    params = {"limit": str(limit)}
    if updated_after is not None:
        params["updated_after"] = updated_after.isoformat()
    if cursor:
        params["cursor"] = cursor
    return params


class VerifyClient:
    """Publish's one client to verify: the service token for reading stories, the
    signed-in editor's own for what an editor does there (verify records them)."""

    def __init__(self, settings: Settings) -> None:
        token = settings.service_token.get_secret_value() if settings.service_token else None
        self._upstream = Upstream("verify", settings.url_of("verify"), token)

    def close(self) -> None:
        self._upstream.close()

    def _get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        return self._upstream.call("GET", path, params=params)

    def fetch(self, story_id: str, *, desk: bool = False) -> StoryReviewed:
        """The story's current snapshot; ``desk``: without detection's findings (verify's
        ``view=desk``), for the read model, which shows and gates a story but never
        releases it (a release reads the whole snapshot)."""
        params = {"view": "desk"} if desk else None
        response = self._get(f"/v1/stories/{quote(story_id, safe='')}", params)
        if response.status_code != 200:
            raise upstream_error(response, "verify", f"story {story_id!r}", "Nothing was released.")
        try:
            snapshot = parse_snapshot(response.json())
        except (ValueError, ValidationError) as exc:
            log.warning("verify_unparseable", story_id=story_id, error=str(exc)[:300])
            raise Unavailable(
                "Verify's answer was not a story snapshot; nothing was released.", RETRY_AFTER
            ) from exc
        return snapshot

    def versions(
        self, updated_after: datetime | None, cursor: str | None, limit: int
    ) -> tuple[list[StoryVersion], str | None]:
        """One page of (story, version, change time) changed after ``updated_after``,
        oldest change first: what changed, without reading a snapshot."""
        response = self._get("/v1/snapshots/versions", _page(updated_after, cursor, limit))
        if response.status_code != 200:
            raise upstream_error(response, "verify", "the story versions asked for")
        try:
            page = VersionPage.model_validate(known_subset(VersionPage, response.json()))
        except (ValueError, ValidationError) as exc:
            raise Unavailable("Verify's version page could not be read.") from exc
        return page.items, page.next_cursor or None

    def approve_anonymous(
        self,
        token: str,
        claim_id: str,
        attribution_id: str,
        reason: str,
        version: int | None = None,
    ) -> None:
        """An editor approves an anonymous source, as themselves (their token); with
        ``version``, only while the claim is still at the version the editor read
        (``PreconditionFailed`` otherwise: the source may have been changed meanwhile)."""
        path = (
            f"/v1/claims/{quote(claim_id, safe='')}"
            f"/attributions/{quote(attribution_id, safe='')}/approval"
        )
        headers = {"If-Match": f'"{version}"'} if version is not None else None
        response = self._upstream.call(
            "POST", path, token=token, headers=headers, json={"reason": reason}
        )
        if response.status_code != 200:
            raise upstream_error(response, "verify", f"claim {claim_id!r}")
