"""The released version of a story as ninjs 3.0, with schema.org ClaimReview JSON-LD for
each contested or unverifiable claim. Pure functions.

ninjs 3.0 allows no properties of its own beyond the standard's (its schema closes the
object), so ``claimReviews`` is a declared extension, the way ninjs extends: ``standard``
names our extension schema (served at ``EXTENSION_SCHEMA_PATH``), which is ninjs 3.0
plus that one property.
"""

from __future__ import annotations

from typing import Any

from publish.feeds.content import safe_url
from publish.feeds.render import LANGUAGE, item_of, rfc3339, story_url
from publish.stories.model import Publication
from services.contracts import ClaimSnapshot, SourceKind

REVIEWED = frozenset({"contested", "unverifiable"})
NINJS_VERSION = "3.0"
EXTENSION_SCHEMA_PATH = "/schemas/ninjs-3.0-newsroom.json"
_ORGANISATION_KINDS = frozenset({SourceKind.ORGANISATION, SourceKind.MEDIA, SourceKind.DOCUMENT})


def ninjs(publication: Publication, *, base_url: str, newsroom: str) -> dict[str, Any]:
    item = item_of(publication, base_url)
    section = publication.section
    retraction = publication.retracted
    doc: dict[str, Any] = {
        "uri": item.id,
        "type": "text",
        "representationType": "full",
        "version": str(publication.revision),
        "firstCreated": rfc3339(publication.first_published_at),
        "versionCreated": rfc3339(publication.modified_at),
        "pubStatus": "canceled" if retraction else "usable",
        "language": LANGUAGE,
        "headlines": [{"role": "main", "value": item.title}],
        "bodies": [
            {"role": "main", "contentType": "text/html", "value": item.html},
            {"role": "main", "contentType": "text/plain", "value": item.text},
        ],
        "subjects": [{"name": section, "uri": f"urn:newsroom:section:{section}"}],
        "altIds": [{"role": "url", "value": item.url}],
        "descriptions": [
            {"role": "correction", "contentType": "text/plain", "value": c["note"]}
            for c in item.extension["corrections"]
        ],
        "standard": {
            "name": "ninjs",
            "version": NINJS_VERSION,
            "schema": f"{base_url}{EXTENSION_SCHEMA_PATH}",
        },
        "claimReviews": []
        if retraction
        else [
            claim_review(claim, publication, base_url=base_url, newsroom=newsroom)
            for claim in publication.claims
            if claim.status.value in REVIEWED
        ],
    }
    if item.byline:
        doc["by"] = item.byline
    if retraction is not None:
        doc["descriptions"].append(
            {"role": "retraction", "contentType": "text/plain", "value": retraction.reason}
        )
    return doc


def claim_review(
    claim: ClaimSnapshot, publication: Publication, *, base_url: str, newsroom: str
) -> dict[str, Any]:
    """schema.org ClaimReview: who claims it (the attributed source), and our rating."""
    authors = []
    for record in claim.attributions:
        if record.source_kind == SourceKind.ANONYMOUS:
            authors.append({"@type": "Person", "name": "Anonymous source"})
            continue
        kind = "Organization" if record.source_kind in _ORGANISATION_KINDS else "Person"
        author: dict[str, Any] = {"@type": kind, "name": record.source_name}
        if record.affiliation and kind == "Person":
            author["affiliation"] = {"@type": "Organization", "name": record.affiliation}
        link = safe_url(record.url)
        if link:
            author["url"] = link
        authors.append(author)
    item_reviewed: dict[str, Any] = {"@type": "Claim"}
    if authors:
        item_reviewed["author"] = authors[0] if len(authors) == 1 else authors
    url = story_url(base_url, publication.story_id)
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": claim.text,
        "itemReviewed": item_reviewed,
        "reviewRating": {
            "@type": "Rating",
            "alternateName": claim.status.value,
        },
        "author": {"@type": "Organization", "name": newsroom},
        "datePublished": rfc3339(publication.modified_at),
        "url": f"{url}#claim-{claim.claim_id}",
    }


def extension_schema(base_url: str) -> dict[str, Any]:
    """Our extension of ninjs 3.0: the standard's schema plus ``claimReviews``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base_url}{EXTENSION_SCHEMA_PATH}",
        "title": "ninjs 3.0 with Newsroom's ClaimReview extension",
        "$ref": "http://www.iptc.org/std/ninjs/ninjs-schema_3.0.json",
        "properties": {
            "claimReviews": {
                "description": "schema.org ClaimReview (JSON-LD) for each contested or "
                "unverifiable claim of the released version",
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["@context", "@type", "claimReviewed", "reviewRating", "author"],
                    "properties": {"@type": {"const": "ClaimReview"}},
                },
            }
        },
    }
