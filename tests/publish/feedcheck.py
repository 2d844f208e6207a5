"""Checks every feed test shares: it parses, it validates, nothing in it can run."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import feedparser
import jsonschema

SCHEMA = Path(__file__).with_name("jsonfeed-1.1.schema.json")

# A script element, an event-handler attribute, a script URL: in any case, anywhere.
RUNNABLE = re.compile(
    r"<\s*script|on[a-z]+\s*=|(?:java|vb)script\s*:|data\s*:\s*text/html", re.IGNORECASE
)

EVIL_BODY = (
    "Hello <script>alert('x')</script> and <img src=x onerror=alert(1)> there.\n\n"
    "[click me](javascript:alert(1)) and [fine](https://example.org/?onload=1&a=b)\n\n"
    '<a href="javascript:alert(2)" onclick="x()">raw</a> <svg onload=alert(3)></svg>\n\n'
    "JavaScript:alert(4) said nobody; <iframe src='javascript:alert(5)'></iframe>\n\n"
    "[data](data:text/html;base64,PHNjcmlwdD4=) <SCRIPT SRC=//x.example/a.js></SCRIPT>"
)
EVIL_HEADLINE = "<b>Budget</b> <script>alert(1)</script>passes onmouseover=alert(1)"


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def valid_json_feed(raw: bytes) -> dict[str, Any]:
    feed: dict[str, Any] = json.loads(raw)
    jsonschema.validate(feed, _schema(), cls=jsonschema.Draft202012Validator)
    return feed


def parsed_xml_feed(raw: bytes, kind: str) -> Any:
    parsed = feedparser.parse(raw)
    assert not parsed.bozo, f"{kind} feed is not well-formed: {parsed.get('bozo_exception')}"
    expected = "atom10" if kind == "atom" else "rss20"
    assert parsed.version == expected, parsed.version
    return parsed


def assert_nothing_runs(raw: bytes) -> None:
    text = raw.decode()
    found = RUNNABLE.findall(text)
    assert not found, f"runnable markup reached a feed: {found[:5]}"
