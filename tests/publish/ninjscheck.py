"""ninjs checked with a Draft 2020-12 validator, formats included: every document must
meet ``ninjs-3.x-constraints.schema.json`` (our own statement of what IPTC's ninjs 3.0 and
3.1 require of documents like ours) and the extension schema publish serves.

IPTC's published schema is the authority, and it is not kept in this repository (it is
IPTC's file). A maintainer checks against it by pointing ``NEWSROOM_NINJS_SCHEMA`` at a
downloaded copy, or several separated by ``os.pathsep`` (say 3.0 and 3.1): each document
is then validated against those too, and the extension schema's ``$ref`` to IPTC's 3.1
URL resolves to the file whose ``$id`` it is. Without them, that ``$ref`` resolves to our
own schema, so the extension schema is never checked against nothing."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from publish.feeds.ninjs import IPTC_SCHEMA

OURS = Path(__file__).parent / "ninjs-3.x-constraints.schema.json"
OFFICIAL_ENV = "NEWSROOM_NINJS_SCHEMA"
FORMATS = jsonschema.FormatChecker()
# A date-time format nobody checks would let any string through: refuse to run so.
assert "date-time" in FORMATS.checkers, "install rfc3339-validator (jsonschema's format extra)"


@cache
def constraints() -> dict[str, Any]:
    """Our schema of ninjs 3.x's constraints on the documents we publish."""
    schema: dict[str, Any] = json.loads(OURS.read_text())
    return schema


@cache
def official() -> tuple[dict[str, Any], ...]:
    """IPTC's published schemas a maintainer named in ``NEWSROOM_NINJS_SCHEMA``, if any."""
    paths = [p for p in os.environ.get(OFFICIAL_ENV, "").split(os.pathsep) if p]
    return tuple(json.loads(Path(p).read_text()) for p in paths)


def _registry() -> Registry:
    # Our constraints stand in for IPTC's 3.1 URL unless IPTC's own file is given.
    ours = DRAFT202012.create_resource(constraints())
    resources = [(IPTC_SCHEMA, ours), (IPTC_SCHEMA.rstrip("#"), ours)]
    for schema in official():
        resource = Resource.from_contents(schema)
        resources += [(schema["$id"], resource), (schema["$id"].rstrip("#"), resource)]
    return Registry().with_resources(resources)


def errors(document: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    validator = jsonschema.Draft202012Validator(
        schema, registry=_registry(), format_checker=FORMATS
    )
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def assert_valid_ninjs(document: dict[str, Any], extension: dict[str, Any]) -> None:
    found = errors(document, constraints())
    assert not found, f"ninjs 3.x constraints: {found}"
    for schema in official():
        found = errors(document, schema)
        assert not found, f"{schema.get('$id')}: {found}"
    found = errors(document, extension)
    assert not found, f"extension schema: {found}"
