"""The last step of every JSON and XML document publish sends out (feeds, pages'
JSON-LD, webhook bodies): the few character sequences a naive consumer could turn into
running code (``<script``, ``on…=``, ``javascript:``, ``data:``) rewritten as escapes
that parse back to the same text. Its own module, so that the feeds and the webhooks
both use it without importing each other."""

from __future__ import annotations

import re

_JS_URL = re.compile(r"(?i)((?:java|vb)script|data)(\s*):")
_ON_ATTR = re.compile(r"(?i)(on[a-z]+)(\s*)=")


def harden_json(text: str) -> str:
    """JSON text in which ``<``, ``>``, ``&``, ``javascript:`` and ``on…=`` appear only as
    ``\\u`` escapes (the same strings once parsed)."""
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = _JS_URL.sub(lambda m: f"{m.group(1)}{m.group(2)}\\u003a", text)
    return _ON_ATTR.sub(lambda m: f"{m.group(1)}{m.group(2)}\\u003d", text)


def harden_xml(text: str) -> str:
    """XML text in which ``javascript:`` and ``on…=`` appear only as character references
    (``<`` in text is already ``&lt;``). Our own markup is left alone: none of its element
    or attribute names has "on" followed by a letter."""
    text = _JS_URL.sub(lambda m: f"{m.group(1)}{m.group(2)}&#58;", text)
    return _ON_ATTR.sub(lambda m: f"{m.group(1)}{m.group(2)}&#61;", text)
