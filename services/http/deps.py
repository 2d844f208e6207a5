"""FastAPI dependencies shared by the services: the runtime and the caller's role."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.auth import Principal, Role
from services.cursors import CURSOR_HELP
from services.errors import Forbidden, Unauthorized
from services.runtime import Runtime

bearer = HTTPBearer(auto_error=False, description="`Authorization: Bearer nr_...` token")


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]

# Every cursor-paged listing takes these two, so their bounds and help read the same.
PageCursor = Annotated[str | None, Query(description=CURSOR_HELP)]
PageLimit = Annotated[int, Query(ge=1, le=200)]


async def authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None
) -> Principal:
    if credentials is None:
        header = request.headers.get("authorization")
        if header:
            raise Unauthorized("The Authorization header must be 'Bearer <token>'.")
        raise Unauthorized(
            "This endpoint needs a bearer token: send 'Authorization: Bearer <your token>'."
        )
    return await get_runtime(request).authenticator.authenticate_async(credentials.credentials)


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency that authenticates the caller and allows only ``roles``."""
    allowed = frozenset(roles)

    # Async: the token's read waits on the event loop, with no hop to a worker thread.
    async def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> Principal:
        principal = await authenticate(request, credentials)
        if principal.role not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise Forbidden(
                f"Your role ({principal.role.value}) cannot do this; it needs: {names}."
            )
        request.state.principal = principal
        return principal

    return dependency
