"""ninjs under the constraints of IPTC's ninjs 3.x schema: a published, a corrected and a
retracted story each meet them (``ninjs-3.x-constraints.schema.json``, ours) and our
extension schema; ClaimReview travels in ``associations``, because a property of its own
is refused, as IPTC's closed object refuses it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from publish.feeds.claimreview import review_dates
from publish.feeds.ninjs import CLAIM_REVIEW_REL, IPTC_SCHEMA, extension_schema, ninjs, reviews_of
from publish.stories.model import CorrectionNote, Retraction
from tests.publish.builders import cleared_story, publication_of
from tests.publish.ninjscheck import (
    OFFICIAL_ENV,
    assert_valid_ninjs,
    constraints,
    errors,
    official,
)

BASE = "https://news.example"
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)


def released(snapshot, **changes):  # type: ignore[no-untyped-def]
    values = {
        "first_published_at": T0,
        "modified_at": T0,
        "reviews": review_dates(list(snapshot.claims), None, T0),
        **changes,
    }
    return publication_of(snapshot, **values)


def document(publication):  # type: ignore[no-untyped-def]
    return ninjs(publication, base_url=BASE, newsroom="Daily Test")


def test_a_published_story_validates_and_carries_its_reviews() -> None:
    snapshot = cleared_story()
    doc = document(released(snapshot))
    assert_valid_ninjs(doc, extension_schema(BASE))
    (association,) = doc["associations"]
    assert association["rel"] == CLAIM_REVIEW_REL
    (review,) = reviews_of(doc)
    assert review["claimReviewed"] == "the plan would cut potholes by half"
    assert association["uri"] == review["url"]
    assert doc["standard"] == {
        "name": "ninjs",
        "version": "3.1",
        "schema": f"{BASE}/schemas/ninjs-3.1-newsroom.json",
    }
    assert doc["renditions"][0]["href"] == f"{BASE}/stories/{snapshot.story_id}"


def test_a_corrected_story_validates() -> None:
    snapshot = cleared_story()
    later = T0 + timedelta(hours=2)
    note = CorrectionNote(revision=2, version=2, note="The vote was 7 to 2, not 8 to 1.", at=later)
    doc = document(released(snapshot, revision=2, modified_at=later, corrections=[note]))
    assert_valid_ninjs(doc, extension_schema(BASE))
    assert {"role": "correction", "contentType": "text/plain", "value": note.note} in doc[
        "descriptions"
    ]


def test_a_retracted_story_validates_without_reviews() -> None:
    at = T0 + timedelta(days=1)
    retraction = Retraction(reason="The vote had not taken place.", at=at, by="editor-1")
    doc = document(released(cleared_story(), modified_at=at, retracted=retraction))
    assert_valid_ninjs(doc, extension_schema(BASE))
    assert doc["pubStatus"] == "canceled"
    assert "associations" not in doc


def test_our_constraints_are_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(constraints())


@pytest.mark.parametrize("schema", ["constraints", "extension"])
def test_a_property_of_our_own_is_refused(schema: str) -> None:
    """Why ClaimReview is not a top-level property: ninjs closes the object (and the
    extension schema, resting on it, refuses it too)."""
    doc = document(released(cleared_story()))
    doc["claimReviews"] = reviews_of(doc)
    against = constraints() if schema == "constraints" else extension_schema(BASE)
    assert any("claimReviews" in e for e in errors(doc, against))


def _broken(change: str) -> dict[str, Any]:
    doc = document(released(cleared_story()))
    if change == "name at top level":  # only an association may be named
        doc["name"] = "a story"
    elif change == "association without uri":
        del doc["associations"][0]["uri"]
    elif change == "association with a field of its own":
        doc["associations"][0]["claimReview"] = {}
    elif change == "rendition without name":
        del doc["renditions"][0]["name"]
    elif change == "altId with a field of its own":
        doc["altIds"][0]["href"] = doc["altIds"][0]["value"]
    elif change == "date without zone":
        doc["versionCreated"] = "2026-05-01T09:00:00"
    elif change == "not a date":
        doc["firstCreated"] = "yesterday"
    elif change == "unknown pubStatus":
        doc["pubStatus"] = "retracted"
    elif change == "body as a string":
        doc["bodies"] = ["text"]
    elif change == "relative page address":
        doc["renditions"][0]["href"] = "/stories/x"
    elif change == "no standard":
        del doc["standard"]
    return doc


@pytest.mark.parametrize(
    "change",
    [
        "name at top level",
        "association without uri",
        "association with a field of its own",
        "rendition without name",
        "altId with a field of its own",
        "date without zone",
        "not a date",
        "unknown pubStatus",
        "body as a string",
        "relative page address",
        "no standard",
    ],
)
def test_our_constraints_refuse_what_ninjs_refuses(change: str) -> None:
    assert errors(_broken(change), constraints()), change


def test_a_maintainer_can_add_iptcs_published_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``NEWSROOM_NINJS_SCHEMA`` adds a schema file to every check, and the extension
    schema's ``$ref`` to IPTC's URL then resolves to it (here a stand-in with that $id
    that refuses ``by``, so the test can see it was used)."""
    stand_in = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": IPTC_SCHEMA,
        "not": {"required": ["by"]},
    }
    path = tmp_path / "ninjs-schema_3.1.json"
    path.write_text(json.dumps(stand_in))
    monkeypatch.setenv(OFFICIAL_ENV, str(path))
    official.cache_clear()
    try:
        doc = document(released(cleared_story()))
        assert doc["by"]
        with pytest.raises(AssertionError, match=IPTC_SCHEMA):
            assert_valid_ninjs(doc, extension_schema(BASE))
        assert errors(doc, extension_schema(BASE))
    finally:  # the next call reads the environment monkeypatch restores
        official.cache_clear()


def test_the_extension_schema_refuses_a_claim_review_association_without_json_ld() -> None:
    doc = document(released(cleared_story()))
    doc["associations"][0]["bodies"][0]["contentType"] = "text/plain"
    assert not errors(doc, constraints())  # ninjs alone allows it
    assert errors(doc, extension_schema(BASE))
