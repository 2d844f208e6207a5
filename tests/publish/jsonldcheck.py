"""ClaimReview read the way a search engine's JSON-LD processor reads it: PyLD expands it,
and every term must come out a schema.org IRI.

schema.org's own context is large and not ours to copy, so the document loader serves
``schemaorg-claimreview.context.jsonld`` (ours) for ``https://schema.org``: it maps only
the schema.org terms our ClaimReview uses to their ``https://schema.org/`` IRIs (``url``
as a link, as schema.org's context has it). Anything else would be dropped silently by
expansion, so its ``@vocab`` turns an undefined term into ``urn:newsroom:not-a-schema-
org-term:<term>`` instead, and :func:`expand` fails on any property or type that did not
come out under ``https://schema.org/``. Adding a term to emit means adding it to that
context, after checking it on schema.org (the authority: https://schema.org/<term>)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

CONTEXT_FILE = Path(__file__).parent / "schemaorg-claimreview.context.jsonld"
SCHEMA = "https://schema.org/"
CONTEXT_URLS = ("https://schema.org", "http://schema.org")
# Google's ClaimReview fields: required, then recommended (developers.google.com/search/
# docs/appearance/structured-data/factcheck).
REQUIRED = ("claimReviewed", "reviewRating", "url")
RECOMMENDED = ("author", "datePublished", "itemReviewed")
RATING = ("ratingValue", "bestRating", "worstRating", "alternateName")
CLAIM = ("author", "datePublished", "appearance", "firstAppearance")


@cache
def _context() -> dict[str, Any]:
    context: dict[str, Any] = json.loads(CONTEXT_FILE.read_text())
    return context


def _loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    if url.rstrip("/") not in CONTEXT_URLS:
        raise AssertionError(f"the JSON-LD tried to load {url!r}; only schema.org's context")
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": _context()}  # fmt: skip


def _foreign(node: Any) -> set[str]:
    """Properties and types of an expanded document that are not schema.org IRIs."""
    if isinstance(node, list):
        return set().union(*(_foreign(n) for n in node)) if node else set()
    if not isinstance(node, dict) or "@value" in node:  # a literal: nothing to name
        return set()
    found = {k for k in node if not k.startswith("@") and not k.startswith(SCHEMA)}
    found |= {t for t in node.get("@type", []) if not t.startswith(SCHEMA)}
    return found.union(*(_foreign(v) for k, v in node.items() if not k.startswith("@")))


def expand(document: Any) -> list[dict[str, Any]]:
    """Expanded JSON-LD; fails on any property or type that is not a schema.org term."""
    expanded: list[dict[str, Any]] = jsonld.expand(document, {"documentLoader": _loader})
    foreign = _foreign(expanded)
    assert not foreign, f"not schema.org terms: {sorted(foreign)}"
    return expanded


def value(node: dict[str, Any], term: str) -> Any:
    return node[SCHEMA + term]


def assert_complete_claim_review(review: dict[str, Any]) -> dict[str, Any]:
    """One ClaimReview, expanded, with each of Google's required and recommended fields."""
    (node,) = expand(review)
    assert node["@type"] == [SCHEMA + "ClaimReview"]
    for term in REQUIRED + RECOMMENDED:
        assert SCHEMA + term in node, f"ClaimReview lacks {term}"
    (rating,) = value(node, "reviewRating")
    for term in RATING:
        assert SCHEMA + term in rating, f"reviewRating lacks {term}"
    (claim,) = value(node, "itemReviewed")
    assert claim["@type"] == [SCHEMA + "Claim"]
    for term in CLAIM:
        assert SCHEMA + term in claim, f"itemReviewed lacks {term}"
    (author,) = value(node, "author")
    assert SCHEMA + "url" in author
    assert SCHEMA + "name" in author
    return node
