"""The released version of a story as ninjs, with schema.org ClaimReview JSON-LD for each
contested or unverifiable claim. Pure functions.

Field names follow the ones our downstream sites read (``versioncreated``,
``firstcreated``, ``pubstatus``, ``bylines``, lower case as in ninjs 1.x/2.x); the ninjs
3.0 schema spells some of them in camelCase — see publish/README.md.
"""

from __future__ import annotations

from typing import Any

from publish.feeds.content import plain, safe_url
from publish.feeds.render import LANGUAGE, item_of, rfc3339, story_url
from publish.stories.model import Publication
from services.contracts import ClaimSnapshot, SourceKind

REVIEWED = frozenset({"contested", "unverifiable"})
_ORGANISATION_KINDS = frozenset({SourceKind.ORGANISATION, SourceKind.MEDIA, SourceKind.DOCUMENT})


def ninjs(publication: Publication, *, base_url: str, newsroom: str) -> dict[str, Any]:
    item = item_of(publication, base_url)
    section = publication.section
    retraction = publication.retracted
    doc: dict[str, Any] = {
        "uri": item.id,
        "type": "text",
        "representationtype": "full",
        "version": str(publication.revision),
        "firstcreated": rfc3339(publication.first_published_at),
        "versioncreated": rfc3339(publication.modified_at),
        "pubstatus": "canceled" if retraction else "usable",
        "language": LANGUAGE,
        "headlines": [{"role": "main", "value": item.title}],
        "bodies": [
            {"role": "main", "contenttype": "text/html", "value": item.html},
            {"role": "main", "contenttype": "text/plain", "value": item.text},
        ],
        "bylines": [{"byline": item.byline}] if item.byline else [],
        "subjects": [{"name": section, "uri": f"urn:newsroom:section:{section}"}],
        "altids": [{"role": "url", "value": item.url}],
        "descriptions": [
            {"role": "correction", "contenttype": "text/plain", "value": c["note"]}
            for c in item.extension["corrections"]
        ],
        "claimreviews": []
        if retraction
        else [
            claim_review(claim, publication, base_url=base_url, newsroom=newsroom)
            for claim in publication.claims
            if claim.status.value in REVIEWED
        ],
    }
    if retraction is not None:
        doc["descriptions"].append(
            {"role": "retraction", "contenttype": "text/plain", "value": plain(retraction.reason)}
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
        author: dict[str, Any] = {"@type": kind, "name": plain(record.source_name)}
        if record.affiliation and kind == "Person":
            author["affiliation"] = {"@type": "Organization", "name": plain(record.affiliation)}
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
        "claimReviewed": plain(claim.text),
        "itemReviewed": item_reviewed,
        "reviewRating": {
            "@type": "Rating",
            "alternateName": claim.status.value,
        },
        "author": {"@type": "Organization", "name": newsroom},
        "datePublished": rfc3339(publication.modified_at),
        "url": f"{url}#claim-{claim.claim_id}",
    }
