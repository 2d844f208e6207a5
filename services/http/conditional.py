"""Conditional requests: does an ``If-None-Match`` header match an entity tag?

RFC 9110 §13.1.2: ``*`` matches any current representation, and the comparison is weak
(``W/"x"`` matches ``"x"``). One parser for every service's 304 answers.
"""

from __future__ import annotations


def none_match(header: str | None, etag: str) -> bool:
    """True when ``header`` (the ``If-None-Match`` value, None when absent) names
    ``etag``: the request may be answered 304."""
    if header is None:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags
