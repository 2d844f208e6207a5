"""What verify's routes share: the service's context, the caller as actor, ETag/If-Match."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Header, Request

from services.auth import Principal, Role
from services.clock import SYSTEM_CLOCK, Clock
from services.errors import BadRequest, PreconditionRequired
from verify.common import Actor, StoryChanged

REVIEWERS = (Role.REVIEWER, Role.EDITOR)
_IF_MATCH = re.compile(r'^\s*"(\d{1,18})"\s*$')


def _nothing(_: Any) -> None:
    return None


@dataclass(frozen=True)
class VerifyContext:
    lease_seconds: int
    story_changed: StoryChanged
    # What leases are taken, renewed, ended and checked against (tests move it).
    clock: Clock = SYSTEM_CLOCK
    # Told after a claim's review changed (claim memory stores its statement and, for a
    # claim found false, flags the stories that carry the same claim).
    claim_reviewed: Callable[[Any], None] = _nothing


def get_context(request: Request) -> VerifyContext:
    context: VerifyContext = request.app.state.verify
    return context


ContextDep = Annotated[VerifyContext, Depends(get_context)]


def actor_of(principal: Principal) -> Actor:
    return Actor(principal.user_id, principal.name, principal.role.value)


def etag(version: int) -> str:
    return f'"{version}"'


def _parse(value: str) -> int | None:
    match = _IF_MATCH.match(value)
    return int(match.group(1)) if match else None


def required_version(
    if_match: Annotated[
        str | None, Header(alias="If-Match", description='The claim\'s version: "3"')
    ] = None,
) -> int:
    """The version ``If-Match`` names: 428 when it is missing, 400 when it is not an ETag."""
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            'Send If-Match with the version you read, e.g. If-Match: "3" (the ETag).'
        )
    version = _parse(if_match)
    if version is None:
        shown = if_match.strip()[:40]
        raise BadRequest(
            f"If-Match must be the claim's ETag as GET /v1/claims/{{id}} answers it: a version "
            f'in double quotes, such as If-Match: "3". Got If-Match: {shown}'
            + (f' (send "{shown}", with the quotes)' if shown.isdigit() else "")
        )
    return version


def optional_version(
    if_match: Annotated[
        str | None, Header(alias="If-Match", description='The claim\'s version: "3"')
    ] = None,
) -> int | None:
    """The version ``If-Match`` names, when given (400 when given but not an ETag)."""
    return None if if_match is None else required_version(if_match)
