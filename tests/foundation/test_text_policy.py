"""The text policy (services/text.py): each rule refuses what it names and keeps what the
policy decided to allow; output for XML keeps only what XML 1.0 can carry."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET

import pytest

from services.errors import ValidationFailed
from services.text import TextRejected, check, normalise, web_url, xml_safe

REFUSED = [
    ("NUL", "a\x00b", "control"),
    ("bell", "a\x07b", "control"),
    ("DEL", "a\x7fb", "control"),
    ("NEL (C1)", "a\x85b", "control"),
    ("line separator", "a\u2028b", "control"),
    ("newline in one line", "a\nb", "control"),
    ("U+FFFF", "a\uffffb", "noncharacter"),
    ("U+FFFE", "a\ufffeb", "noncharacter"),
    ("U+FDD0", "a\ufdd0b", "noncharacter"),
    ("U+10FFFF", "a\U0010ffffb", "noncharacter"),
    ("U+1FFFE", "a\U0001fffeb", "noncharacter"),
    ("lone surrogate", "a\ud800b", "surrogate"),
    ("RLO", "a\u202eb", "bidi"),
    ("LRE", "a\u202ab", "bidi"),
    ("RLI", "a\u2067b", "bidi"),
    ("PDI", "a\u2069b", "bidi"),
    ("zero-width space", "a\u200bb", "invisible"),
    ("word joiner", "a\u2060b", "invisible"),
    ("BOM", "\ufeffab", "invisible"),
    ("tag letter", "a\U000e0041b", "tag"),
    ("cancel tag", "a\U000e007fb", "tag"),
    ("spaces only", "   ", "blank"),
    ("Hangul fillers only", "\u3164\u3164", "blank"),
    ("combining marks and ZWJ only", "\u0301\u200d", "blank"),
    ("markup", "<b>x</b>", "markup"),
    ("script", "<script>alert(1)</script>", "markup"),
]

KEPT = [
    "Revenue <forecast, shares fall",
    "<script",
    "&lt;b&gt;x&lt;/b&gt;",
    "A & B > C",
    "\u0627\u0644\u0633\u0644\u0627\u0645 \u200f2024\u200f",  # RLM between Arabic and digits
    "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # ZWNJ in Persian
    "\U0001f469\u200d\U0001f52c",  # ZWJ emoji sequence
    "Zo\u00eb \u0130stanbul \u4e2d\u6587",
]


@pytest.mark.parametrize(("case", "value", "rule"), REFUSED, ids=[c[0] for c in REFUSED])
def test_each_rule_refuses_what_it_names(case: str, value: str, rule: str) -> None:
    with pytest.raises(TextRejected) as refused:
        normalise(value)
    assert refused.value.rule == rule


@pytest.mark.parametrize("value", KEPT)
def test_text_the_policy_allows_is_kept_exactly(value: str) -> None:
    assert normalise(value) == value


def test_text_is_stored_in_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Caf\u00e9 Zo\u00eb")
    assert decomposed != "Caf\u00e9 Zo\u00eb"
    assert normalise(decomposed) == "Caf\u00e9 Zo\u00eb"


def test_multiline_fields_allow_line_breaks_and_tabs_only() -> None:
    assert normalise("one\r\ntwo\tthree\n", multiline=True) == "one\r\ntwo\tthree\n"
    with pytest.raises(TextRejected):
        normalise("one\x0btwo", multiline=True)
    for separator in ("\u2028", "\u2029"):
        with pytest.raises(TextRejected) as refused:
            normalise(f"one{separator}two", multiline=True)
        assert refused.value.rule == "control"


def test_check_is_a_422_naming_the_field_and_the_rule() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check("reason", "x\u202e")
    assert refused.value.status == 422
    assert refused.value.detail.startswith("reason: ")
    assert refused.value.extra["errors"][0]["type"] == "text_bidi"


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",
        "https://example.test:99999/a",
        "https://example.test:0/a",
        "https://example.test:port/a",
        "http://[example.test]/a",
        "javascript:alert(1)",
        "ftp://example.test/a",
        "https://user:pass@example.test/a",
        "https:///no-host",
        "https://example.test/a b",
        'https://example.test/"x"',
        "https://example.test/\u202e",
        "https://example.test/" + "a" * 2000,
    ],
)
def test_malformed_links_are_refused(url: str) -> None:
    with pytest.raises(TextRejected):
        web_url(url)


@pytest.mark.parametrize(
    "url", ["https://example.test/a?b=c#d", "http://[2001:db8::1]:8080/", "HTTPS://Ex.test"]
)
def test_good_links_are_kept(url: str) -> None:
    assert web_url(url) == url


def test_xml_safe_leaves_only_what_xml_can_carry() -> None:
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    safe = xml_safe(every)
    element = ET.Element("t")
    element.text = safe
    parsed = ET.fromstring(ET.tostring(element))  # noqa: S314 - text we built
    assert parsed.text is not None
    assert len(safe) == len(every)
    assert xml_safe("ok \u00e9 \U0001f600") == "ok \u00e9 \U0001f600"
