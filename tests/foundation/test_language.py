"""A story's language tag (``services.language``): well-formed BCP 47 in RFC 5646's case,
its direction and its Open Graph locale; the newsroom's default checked at start-up."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.contracts import ReportSubmitted, StoryReviewed
from services.language import LanguageRejected, is_rtl, normalise_tag, og_locale
from services.settings import Settings


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("en", "en"),
        ("FR", "fr"),
        ("ar", "ar"),
        ("pt-br", "pt-BR"),
        ("zh-hant", "zh-Hant"),
        ("ZH-HANT-tw", "zh-Hant-TW"),
        ("es-419", "es-419"),
        ("de-CH-1901", "de-CH-1901"),
        ("sr-latn-rs", "sr-Latn-RS"),
        ("zh-yue-HK", "zh-yue-HK"),
        ("en-US-u-ca-Gregory", "en-US-u-ca-gregory"),
        ("az-Latn-x-LATN", "az-Latn-x-latn"),  # private use: lower, whatever it looks like
    ],
)
def test_a_well_formed_tag_is_written_in_rfc_5646_case(given: str, stored: str) -> None:
    assert normalise_tag(given) == stored


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "e",
        "en_US",  # a POSIX locale, not a tag
        "en-",
        "-en",
        "en--US",
        "en US",
        " en",
        "en\n",
        "x-private",  # private use names no language
        "i-klingon",  # grandfathered, irregular
        "en-u",  # a singleton with nothing after it
        "عربي",
        "e" + "n" * 35,  # over 35 characters
        "en-<script>",
    ],
)
def test_anything_else_is_refused(bad: str) -> None:
    with pytest.raises(LanguageRejected):
        normalise_tag(bad)


@pytest.mark.parametrize(
    ("tag", "rtl"),
    [
        ("ar", True), ("ar-EG", True), ("he", True), ("fa", True), ("ur", True),
        ("ps", True), ("yi", True), ("dv", True), ("ckb", True), ("sd", True), ("ug", True),
        ("ku-Arab", True), ("pa-Arab", True), ("yi-Hebr", True),
        ("en", False), ("fr", False), ("zh-Hant", False), ("uz-Latn", False),
        ("sd-Deva", False),  # an explicit left-to-right script wins over the language
        ("ug-Latn", False),
    ],
)  # fmt: skip
def test_right_to_left_by_language_or_script(tag: str, rtl: bool) -> None:
    assert is_rtl(tag) is rtl


@pytest.mark.parametrize(
    ("tag", "locale"),
    [
        ("pt-BR", "pt_BR"),
        ("zh-Hant-TW", "zh_TW"),
        ("ar-EG", "ar_EG"),
        ("en-US-u-ca-gregory", "en_US"),
        ("en", None),  # OG has no bare language: nothing rather than a guessed country
        ("ar", None),
        ("es-419", None),  # a UN M.49 area is no OG territory
        ("az-Latn-x-us", None),  # private use is no region
    ],
)
def test_og_locale_only_with_a_country(tag: str, locale: str | None) -> None:
    assert og_locale(tag) == locale


def test_the_default_language_is_checked_and_normalised_at_start_up() -> None:
    assert Settings().default_language == "en"
    assert Settings(default_language="PT-br").default_language == "pt-BR"
    with pytest.raises(ValidationError, match="default_language"):
        Settings(default_language="en_US")


def test_events_without_a_language_still_decode_and_with_one_are_checked() -> None:
    """Events sent before stories had a language: no field, decoded as None (the
    newsroom's default, resolved where the story is shown)."""
    old = {
        "report_id": "r_1", "story_id": "s_1", "revision": 1, "reporter_id": "u_1",
        "byline": "A. Reporter", "headline": "Budget", "body": "The vote was 21 to 9.",
        "section": "local", "accepted_at": "2026-01-01T00:00:00Z",
    }  # fmt: skip
    assert ReportSubmitted.model_validate(old).language is None
    assert ReportSubmitted.model_validate({**old, "language": "AR-eg"}).language == "ar-EG"
    with pytest.raises(ValidationError, match="language"):
        ReportSubmitted.model_validate({**old, "language": "<b>"})
    assert StoryReviewed.model_fields["language"].default is None
