"""The OpenAPI every service serves says what its errors really are: RFC 9457 problems.

FastAPI documents its own 422 as ``application/json`` ``HTTPValidationError``; ours is
``application/problem+json``, like every other error. Each operation's 4xx/5xx responses
are rewritten to the Problem schema, and a ``default`` response covers the rest (401,
403, 429, 503...), so clients and fuzzers read the contract the services keep.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "description": "urn:newsroom:problem:<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {"type": "object", "additionalProperties": True},
            "description": "What is wrong with the request, field by field (422)",
        },
    },
    "additionalProperties": True,
}
# The answers every authenticated operation can give, for routers to declare (the
# content is rewritten to the Problem schema below).
AUTH_PROBLEMS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No, malformed, unknown or revoked token"},
    403: {"description": "The token's role may not do this"},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such resource"}}

_PROBLEM_CONTENT = {
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
}


def install_problem_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
            webhooks=app.webhooks.routes,  # OpenAPI 3.1: what a service calls out with
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = PROBLEM_SCHEMA
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        for methods in schema.get("paths", {}).values():
            for operation in methods.values():
                responses = operation.setdefault("responses", {})
                for status, response in responses.items():
                    if status == "default" or int(status) >= 400:
                        response["content"] = dict(_PROBLEM_CONTENT)
                        response.setdefault("description", "A problem")
                responses.setdefault(
                    "default", {"description": "A problem", "content": dict(_PROBLEM_CONTENT)}
                )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
