"""The released version of a story as IPTC ninjs 3.1 (valid under 3.0 as well), with
schema.org ClaimReview JSON-LD for each contested or unverifiable claim. Pure functions.

IPTC's ninjs 3.x schemas close every object (``unevaluatedProperties: false``) and offer
no pattern for extra property names, so a property of our own can never validate. The
ClaimReviews therefore travel inside the standard: each is an ``associations`` entry (a
ninjs object of its own, which the standard allows with ``name`` and ``rel``) whose
``uri`` is the review's address on the story page, ``rel`` is
``https://schema.org/ClaimReview``, and whose one body is the JSON-LD text
(``contentType: application/ld+json``). The page itself is a ``renditions`` entry
(``text/html``). ``standard.schema`` names our extension schema (served at
``EXTENSION_SCHEMA_PATH``): IPTC's 3.1 schema plus constraints on those associations,
adding no property, so every document valid under it is valid under IPTC's.
"""

from __future__ import annotations

import json
from typing import Any

from publish.feeds.claimreview import claim_reviews
from publish.feeds.links import rfc3339
from publish.feeds.render import item_of
from publish.stories.model import Publication
from services.language import DEFAULT_LANGUAGE

NINJS_VERSION = "3.1"
IPTC_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_3.1.json#"
EXTENSION_SCHEMA_PATH = "/schemas/ninjs-3.1-newsroom.json"
# Addresses it had: documents stored downstream still name them (redirected, 308).
FORMER_EXTENSION_SCHEMA_PATHS = frozenset({"/schemas/ninjs-3.0-newsroom.json"})
CLAIM_REVIEW_REL = "https://schema.org/ClaimReview"
JSON_LD = "application/ld+json"


def ninjs(
    publication: Publication,
    *,
    base_url: str,
    newsroom: str,
    default_language: str = DEFAULT_LANGUAGE,
) -> dict[str, Any]:
    """``default_language``: the newsroom's, for a story that states none."""
    item = item_of(publication, base_url, newsroom, default_language)
    section = publication.section
    retraction = publication.retracted
    doc: dict[str, Any] = {
        "uri": item.id,
        "type": "text",
        "representationType": "full",
        # Every change readers get is a new version (a correction of the same revision and
        # a retraction too): a site that keeps the version it has misses none.
        "version": str(publication.edition_number()),
        "firstCreated": rfc3339(publication.first_published_at),
        "versionCreated": rfc3339(publication.modified_at),
        "pubStatus": "canceled" if retraction else "usable",
        "language": item.language,
        "headlines": [{"role": "main", "value": item.title}],
        "bodies": [
            {"role": "main", "contentType": "text/html", "value": item.html},
            {"role": "main", "contentType": "text/plain", "value": item.text},
        ],
        "subjects": [{"name": section, "uri": f"urn:newsroom:section:{section}"}],
        "altIds": [{"role": "url", "value": item.url}],
        "renditions": [{"name": "page", "href": item.url, "contentType": "text/html"}],
        "descriptions": [
            {"role": "correction", "contentType": "text/plain", "value": c["note"]}
            for c in item.extension["corrections"]
        ],
        "standard": {
            "name": "ninjs",
            "version": NINJS_VERSION,
            "schema": f"{base_url}{EXTENSION_SCHEMA_PATH}",
        },
    }
    if item.byline:
        doc["by"] = item.byline
    if retraction is not None:
        doc["descriptions"].append(
            {
                "role": "retraction",
                "contentType": "text/plain",
                "value": item.extension["retraction_reason"],
            }
        )
    reviews = claim_reviews(
        publication, base_url=base_url, newsroom=newsroom, language=item.language
    )
    if reviews:
        doc["associations"] = [association(review) for review in reviews]
    return doc


def association(review: dict[str, Any]) -> dict[str, Any]:
    """One ClaimReview as a ninjs association: its address, and its JSON-LD as the body."""
    return {
        "name": f"ClaimReview: {review['claimReviewed']}"[:200],
        "rel": CLAIM_REVIEW_REL,
        "uri": review["url"],
        "type": "text",
        "representationType": "full",
        "bodies": [
            {
                "role": "claimReview",
                "contentType": JSON_LD,
                "value": json.dumps(review, ensure_ascii=False, separators=(",", ":")),
            }
        ],
    }


def reviews_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The ClaimReviews a ninjs document of ours carries (for readers of the format)."""
    return [
        json.loads(body["value"])
        for entry in document.get("associations", [])
        if entry.get("rel") == CLAIM_REVIEW_REL
        for body in entry.get("bodies", [])
        if body.get("contentType") == JSON_LD
    ]


def extension_schema(base_url: str) -> dict[str, Any]:
    """IPTC ninjs 3.1 plus our constraints on ClaimReview associations. It adds no
    property (IPTC's schema would refuse one), so it only narrows what IPTC allows."""
    review_body = {
        "type": "object",
        "required": ["role", "contentType", "value"],
        "properties": {
            "role": {"const": "claimReview"},
            "contentType": {"const": JSON_LD},
            "value": {"type": "string", "contentMediaType": JSON_LD},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base_url}{EXTENSION_SCHEMA_PATH}",
        "title": "ninjs 3.1 as Newsroom publishes it: ClaimReview JSON-LD in associations",
        "description": "Each association with rel https://schema.org/ClaimReview carries one "
        "schema.org ClaimReview (JSON-LD) of a contested or unverifiable claim as its body.",
        "$ref": IPTC_SCHEMA,
        "required": ["uri", "type", "version", "versionCreated", "pubStatus", "standard"],
        "properties": {
            "associations": {
                "type": "array",
                "items": {
                    "if": {"properties": {"rel": {"const": CLAIM_REVIEW_REL}}, "required": ["rel"]},
                    "then": {
                        "required": ["uri", "bodies"],
                        "properties": {
                            "bodies": {
                                "type": "array",
                                "minItems": 1,
                                "maxItems": 1,
                                "items": review_body,
                            }
                        },
                    },
                },
            }
        },
    }
