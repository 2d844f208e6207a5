"""ClaimReview as search engines read it: expanded by PyLD against schema.org's context,
with every required and recommended field; dates that stay put for a review a correction
did not touch; the claim's author is who makes the claim, not who denies it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from publish.feeds.claimreview import checked_claims, claim_reviews, how, review_dates, sides
from publish.feeds.render import item_of, json_item
from publish.pages.view import jsonld
from services.contracts import ReviewStatus, SignalOut
from tests.publish.builders import attribution, claim, publication_of, story
from tests.publish.jsonldcheck import SCHEMA, assert_complete_claim_review, expand, value

BASE = "https://news.example"
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
BODY = (
    "Reservoirs stand at 41 percent of capacity, according to the regional water authority. "
    "Farmers' groups said the figure was lower, a claim the authority denied. "
    "Rain is forecast for Friday."
)
LOWER = "the figure was lower"
RESERVOIRS = "Reservoirs stand at 41 percent of capacity"


def _snapshot(**changes):  # type: ignore[no-untyped-def]
    denial_at = BODY.index("denied")
    lower = claim(BODY, LOWER, "contested", attributions=[
        attribution("Farmers' groups", "organisation", "statement", url="https://farmers.example/s"),
        attribution("regional water authority", "organisation", "statement"),
    ], claim_id="c_lower")  # fmt: skip
    lower = lower.model_copy(update={"contest_signals": [
        SignalOut(kind="denial", cue="denied", start=denial_at, end=denial_at + 6)]})  # fmt: skip
    claims = [
        claim(BODY, RESERVOIRS, "unverifiable", claim_id="c_res", attributions=[
            attribution("regional water authority", "organisation", "report")]),
        lower,
        claim(BODY, "Rain is forecast for Friday", "verified", claim_id="c_rain"),
    ]  # fmt: skip
    return story(BODY, claims, **changes)


def _release(snapshot, previous=None, at=T0):  # type: ignore[no-untyped-def]
    first = previous.first_published_at if previous else at
    return publication_of(
        snapshot,
        first_published_at=first,
        modified_at=at,
        reviews=review_dates(list(snapshot.claims), previous, at),
    )


def test_every_review_expands_with_googles_required_and_recommended_fields() -> None:
    reviews = claim_reviews(_release(_snapshot()), base_url=BASE, newsroom="Daily Test")
    assert [r["claimReviewed"] for r in reviews] == [RESERVOIRS, LOWER]
    for review in reviews:
        node = assert_complete_claim_review(review)
        (author,) = value(node, "author")
        assert value(author, "url") == [{"@id": f"{BASE}/"}]
        (rating,) = value(node, "reviewRating")
        assert (
            value(rating, "worstRating")[0]["@value"]
            <= value(rating, "ratingValue")[0]["@value"]
            <= value(rating, "bestRating")[0]["@value"]
        )


def test_the_claimant_is_the_author_and_the_denier_is_not() -> None:
    snapshot = _snapshot()
    lower = snapshot.claims[1]
    split = sides(lower, BODY)
    assert [r.source_name for r in split.says] == ["Farmers' groups"]
    assert [r.source_name for r in split.disputes] == ["regional water authority"]
    review = claim_reviews(_release(snapshot), base_url=BASE, newsroom="N")[1]
    assert review["itemReviewed"]["author"] == {
        "@type": "Organization",
        "name": "Farmers' groups",
        "url": "https://farmers.example/s",
    }
    # Where the claim was made comes first: the farmers' statement, then our story.
    assert review["itemReviewed"]["firstAppearance"]["url"] == "https://farmers.example/s"
    box = checked_claims(_release(snapshot))[1]
    assert box.disputes == ["regional water authority"]
    assert box.says[0]["sentence"] == "Farmers' groups said so in a statement."
    # A source named in lower case ("a police spokesman") still opens a sentence.
    lower_case = split.says[0].model_copy(update={"source_name": "a ministry spokesman"})
    assert how(lower_case) == "A ministry spokesman said so in a statement."


def test_a_correction_moves_only_the_reviews_it_changed() -> None:
    snapshot = _snapshot()
    first = _release(snapshot)
    later = T0 + timedelta(hours=3)
    claims = list(snapshot.claims)
    claims[0] = claims[0].model_copy(
        update={"status": ReviewStatus.CONTESTED}
    )  # the reservoir claim
    corrected = _release(snapshot.model_copy(update={"claims": claims, "version": 2}), first, later)
    before = {r["claimReviewed"]: r for r in claim_reviews(first, base_url=BASE, newsroom="N")}
    after = {r["claimReviewed"]: r for r in claim_reviews(corrected, base_url=BASE, newsroom="N")}
    assert after[LOWER]["datePublished"] == before[LOWER]["datePublished"] == "2026-05-01T09:00:00Z"
    assert after[LOWER]["dateModified"] == before[LOWER]["dateModified"]
    assert after[RESERVOIRS]["datePublished"] == "2026-05-01T09:00:00Z"
    assert after[RESERVOIRS]["dateModified"] == "2026-05-01T12:00:00Z"
    assert after[RESERVOIRS]["reviewRating"]["alternateName"] == "Disputed"


def test_the_json_feed_extension_carries_the_same_reviews() -> None:
    publication = _release(_snapshot())
    item = json_item(item_of(publication, BASE, "Daily Test"))
    reviews = item["_newsroom"]["claim_reviews"]
    assert reviews == claim_reviews(publication, base_url=BASE, newsroom="Daily Test")
    for review in reviews:
        assert_complete_claim_review(review)


def _misspelled(where: str, review: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    review = json.loads(json.dumps(review))
    if where == "top level":
        review["claimVerdict"] = "nope"
        return "claimVerdict", review
    if where == "nested":
        claim = review["itemReviewed"]
        claim["apperance"] = claim.pop("appearance")
        return "apperance", review
    if where == "type":
        review["reviewRating"]["@type"] = "Ratng"
        return "Ratng", review
    review["http://example.org/verdict"] = "nope"  # a full IRI outside schema.org
    return "example.org", review


@pytest.mark.parametrize("where", ["top level", "nested", "type", "foreign IRI"])
def test_a_term_schema_org_does_not_define_is_caught(where: str) -> None:
    review = claim_reviews(_release(_snapshot()), base_url=BASE, newsroom="N")[1]
    term, broken = _misspelled(where, review)
    with pytest.raises(AssertionError, match=term):
        expand(broken)
    assert expand(review)[0]["@type"] == [SCHEMA + "ClaimReview"]


def test_the_pages_json_ld_cannot_close_its_script_element() -> None:
    sneaky = "</script><script>alert(1)</script> & <!-- onload=x"
    text = jsonld([{"@type": "ClaimReview", "claimReviewed": sneaky}])
    assert not {"<", ">", "&"} & set(text)
    assert json.loads(text)["claimReviewed"] == sneaky  # the same text once parsed
