"""schema.org ClaimReview for each contested or unverifiable claim, and the same facts in
readers' words for the story page. Pure functions.

Fields follow Google's ClaimReview guidance: required ``claimReviewed``, ``reviewRating``
(with ``ratingValue``/``bestRating``/``worstRating``/``alternateName``), ``url``; and the
recommended ``author`` (the newsroom, with its ``url``), ``datePublished`` and
``itemReviewed`` (a ``Claim`` with its ``author``, ``datePublished``, ``appearance`` and
``firstAppearance``).

A review's ``datePublished`` is when that review was first released and stays put when
a correction changes other claims; ``dateModified`` is when its own content last
changed. Both come from :class:`ReviewDates`, kept per claim with the publication.

The claim's author is whoever makes the claim, not whoever denies it: an attribution
named after the claim, next to a denial cue verify found (``contest_signals``), is the
one disputing it ("..., a claim the authority denied") and is shown as such.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from publish.feeds.content import safe_url
from publish.feeds.links import front_url, review_url, rfc3339, story_url
from publish.stories.model import Publication, ReviewDates
from services.contracts import Attribution, ClaimSnapshot, ReviewStatus, SourceKind
from services.language import DEFAULT_LANGUAGE

REVIEWED = frozenset({ReviewStatus.CONTESTED, ReviewStatus.UNVERIFIABLE})
_ORGANISATION_KINDS = frozenset({SourceKind.ORGANISATION, SourceKind.MEDIA, SourceKind.DOCUMENT})
# A denial cue this close to a source named after the claim makes that source a disputant.
_DENIAL_REACH = 80
# One scale for every review: 1 is false, 5 is established. We release neither false
# claims nor need to review verified ones, so only the middle is used.
BEST, WORST = 5, 1
RATINGS = {
    ReviewStatus.CONTESTED: (2, "Disputed"),
    ReviewStatus.UNVERIFIABLE: (3, "Unverified"),
}
VERDICTS = {
    ReviewStatus.CONTESTED: "Disputed: others say this is not so.",
    ReviewStatus.UNVERIFIABLE: "We could not verify this independently.",
}
OBTAINED = {
    "interview": "told us in an interview",
    "statement": "said so in a statement",
    "press_conference": "said so at a press conference",
    "post": "said so in a public post",
    "report": "reported it",
    "document": "states it in a document",
}


@dataclass(frozen=True)
class Sides:
    says: list[Attribution]  # who makes the claim
    disputes: list[Attribution]  # who denies it


def reviewed(publication: Publication) -> list[ClaimSnapshot]:
    """The claims that get a review: contested or unverifiable; none once retracted."""
    if publication.retracted is not None:
        return []
    return [c for c in publication.claims if c.status in REVIEWED]


def fingerprint(claim: ClaimSnapshot) -> str:
    """What a reader of the review sees of a claim: its text, status and sources."""
    content = {
        "text": claim.text,
        "status": claim.status.value,
        "sources": sorted(
            json.dumps([a.source_name, a.source_kind, a.obtained_via, a.affiliation, a.url])
            for a in claim.attributions
        ),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()


def review_dates(
    claims: list[ClaimSnapshot], previous: Publication | None, now: datetime
) -> dict[str, ReviewDates]:
    """Dates of every review in a release: kept from ``previous`` when unchanged."""
    before = previous.reviews if previous is not None else {}
    dates: dict[str, ReviewDates] = {}
    for claim in claims:
        if claim.status not in REVIEWED:
            continue
        mark = fingerprint(claim)
        old = before.get(claim.claim_id)
        if old is None:
            dates[claim.claim_id] = ReviewDates(published_at=now, modified_at=now, mark=mark)
        elif old.mark == mark:
            dates[claim.claim_id] = old
        else:
            dates[claim.claim_id] = old.model_copy(update={"modified_at": now, "mark": mark})
    return dates


def _mentions_after(record: Attribution, body: str, claim: ClaimSnapshot) -> list[int]:
    """Where the text names the source after the claim (its name, or its last word)."""
    if record.start is not None:
        return [record.start] if record.start >= claim.end else []
    if record.source_kind == SourceKind.ANONYMOUS or not record.source_name.strip():
        return []
    lower = body.lower()
    end = min(len(body), claim.context_end + 2 * _DENIAL_REACH)
    found = []
    for name in {record.source_name.lower(), record.source_name.split()[-1].lower()}:
        at = lower.find(name, claim.end, end)
        while at >= 0:
            found.append(at)
            at = lower.find(name, at + 1, end)
    return found


def sides(claim: ClaimSnapshot, body: str) -> Sides:
    denials = [
        s.start for s in claim.contest_signals if s.kind == "denial" and s.start >= claim.end
    ]
    says: list[Attribution] = []
    disputes: list[Attribution] = []
    for record in claim.attributions:
        mentions = _mentions_after(record, body, claim) if denials else []
        if any(abs(d - at) <= _DENIAL_REACH for d in denials for at in mentions):
            disputes.append(record)
        else:
            says.append(record)
    return Sides(says, disputes)


def anonymous(record: Attribution) -> bool:
    return record.source_kind == SourceKind.ANONYMOUS


def public_link(record: Attribution) -> str | None:
    """The record's link as readers may get it: none for an anonymous source, whose
    link (a profile, a document of theirs) would name them."""
    return None if anonymous(record) else safe_url(record.url)


def person_or_org(record: Attribution) -> dict[str, Any]:
    if record.source_kind == SourceKind.ANONYMOUS:
        return {"@type": "Person", "name": "Anonymous source"}
    kind = "Organization" if record.source_kind in _ORGANISATION_KINDS else "Person"
    node: dict[str, Any] = {"@type": kind, "name": record.source_name}
    if record.affiliation and kind == "Person":
        node["affiliation"] = {"@type": "Organization", "name": record.affiliation}
    link = safe_url(record.url)
    if link:
        node["url"] = link
    return node


def _dates(publication: Publication, claim_id: str) -> ReviewDates:
    # Publications stored before dates were kept per review: the story's first release.
    return publication.reviews.get(claim_id) or ReviewDates(
        published_at=publication.first_published_at,
        modified_at=publication.first_published_at,
        mark="",
    )


def claim_review(
    claim: ClaimSnapshot,
    publication: Publication,
    *,
    base_url: str,
    newsroom: str,
    language: str | None = None,
) -> dict[str, Any]:
    """``language``: the story's as readers are told it (the claim is quoted from it);
    None, the story's own or the default's."""
    dates = _dates(publication, claim.claim_id)
    page = story_url(base_url, publication.story_id)
    says = sides(claim, publication.body).says
    # Where the claim was made: its sources' own links first, then our story.
    places = [link for link in (public_link(r) for r in says) if link]
    appearances = [{"@type": "CreativeWork", "url": url} for url in dict.fromkeys(places)]
    appearances.append({"@type": "NewsArticle", "url": page, "headline": publication.headline})
    item: dict[str, Any] = {
        "@type": "Claim",
        "datePublished": rfc3339(dates.published_at),
        "appearance": appearances,
        "firstAppearance": appearances[0],
    }
    if says:
        authors = [person_or_org(r) for r in says]
        item["author"] = authors[0] if len(authors) == 1 else authors
    value, label = RATINGS[claim.status]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": review_url(base_url, publication.story_id, claim.claim_id),
        "claimReviewed": claim.text,
        "itemReviewed": item,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": value,
            "bestRating": BEST,
            "worstRating": WORST,
            "alternateName": label,
            "name": label,
            "ratingExplanation": VERDICTS[claim.status],
        },
        "author": {"@type": "Organization", "name": newsroom, "url": front_url(base_url)},
        "datePublished": rfc3339(dates.published_at),
        "dateModified": rfc3339(dates.modified_at),
        "inLanguage": language or publication.language_of(DEFAULT_LANGUAGE),
    }


def claim_reviews(
    publication: Publication, *, base_url: str, newsroom: str, language: str | None = None
) -> list[dict[str, Any]]:
    return [
        claim_review(claim, publication, base_url=base_url, newsroom=newsroom, language=language)
        for claim in reviewed(publication)
    ]


# --- readers' words -----------------------------------------------------------------------


def who(record: Attribution) -> str:
    if record.source_kind == SourceKind.ANONYMOUS:
        return "A source who asked not to be named"
    name = record.source_name
    if record.affiliation and record.source_kind == SourceKind.PERSON:
        return f"{name} ({record.affiliation})"
    return name


def how_parts(record: Attribution) -> tuple[str, str | None, str]:
    """:func:`how`'s sentence in its parts: the source's name (or the words for an
    anonymous one) as it opens a sentence, the affiliation a person's name carries, and
    the rest. A page isolates the first two (``<bdi>``): a name in Arabic script followed
    by its affiliation in parentheses would otherwise be laid out right to left as one
    run, the affiliation read first."""
    if record.source_kind == SourceKind.ANONYMOUS:
        name, affiliation = "A source who asked not to be named", None
    else:
        name = record.source_name
        affiliation = record.affiliation if record.source_kind == SourceKind.PERSON else None
    name = name[:1].upper() + name[1:]  # "a police spokesman" opens a sentence
    rest = f"{OBTAINED.get(record.obtained_via.value, 'said so')}."
    if record.source_kind == SourceKind.ANONYMOUS and record.approval is not None:
        rest += " An editor approved keeping this source anonymous."
    return name, affiliation or None, rest


def how(record: Attribution) -> str:
    """A sentence on one source: who, and how we got the claim from them."""
    name, affiliation, rest = how_parts(record)
    return f"{name} ({affiliation}) {rest}" if affiliation else f"{name} {rest}"


@dataclass(frozen=True)
class CheckedClaim:
    """One entry of the story page's "How this story was checked" box."""

    claim_id: str
    text: str
    verdict: str
    label: str
    says: list[dict[str, str | None]]  # {"sentence", "name", "affiliation", "rest", "url"}
    disputes: list[str]
    published: str
    modified: str | None


def _says(record: Attribution) -> dict[str, str | None]:
    name, affiliation, rest = how_parts(record)
    return {
        "sentence": how(record),
        "name": name,
        "affiliation": affiliation,
        "rest": rest,
        "url": public_link(record),  # none for an anonymous source: it would name them
    }


def checked_claims(publication: Publication) -> list[CheckedClaim]:
    out = []
    for claim in reviewed(publication):
        split = sides(claim, publication.body)
        dates = _dates(publication, claim.claim_id)
        out.append(
            CheckedClaim(
                claim_id=claim.claim_id,
                text=claim.text,
                verdict=VERDICTS[claim.status],
                label=RATINGS[claim.status][1],
                says=[_says(r) for r in split.says],
                disputes=[who(r) for r in split.disputes],
                published=rfc3339(dates.published_at),
                modified=rfc3339(dates.modified_at)
                if dates.modified_at > dates.published_at
                else None,
            )
        )
    return out
