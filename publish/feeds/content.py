"""Turning story text into what may leave the building: sanitised HTML and plain text.

The body is Markdown (markdown-it-py, raw HTML off) rendered to HTML, then cleaned by
nh3 with a strict allowlist: no images, no attributes but a link's ``href`` and ``title``,
and only http, https and mailto links. Every other field (headline, claim text, sources,
quotes, notes, reasons) is plain text: it leaves exactly as it was approved and each
format escapes it (ElementTree for XML, JSON's string escapes, Jinja's autoescape), never
stripped or unescaped. Only text taken *from* the rendered body (``content_text``, the
summary) is turned from HTML back to text, once.

Serialised feeds then go through :func:`harden_json` / :func:`harden_xml`: they rewrite
the few character sequences a naive consumer could turn into running code
(``<script``, ``on…=``, ``javascript:``, ``data:``) as escapes that parse back to the same text.
Sanitising already removed every such tag, attribute and URL; this second step also keeps
the words themselves, when a story merely mentions them, out of the raw bytes.
"""

from __future__ import annotations

import html
import re
from typing import Any

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote", "code",
     "pre", "h2", "h3", "h4", "h5", "h6", "hr"}
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_SPACES = re.compile(r"\s+")
_BLOCK_END = re.compile(r"</(?:p|li|h[2-6]|blockquote|pre)>|<br\s*/?>|<hr\s*/?>", re.IGNORECASE)

_JS_URL = re.compile(r"(?i)((?:java|vb)script|data)(\s*):")
_ON_ATTR = re.compile(r"(?i)(on[a-z]+)(\s*)=")


def sanitise_html(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def body_html(markdown_text: str) -> str:
    """Markdown -> HTML -> nh3. The one way a story body becomes HTML."""
    return sanitise_html(_markdown.render(markdown_text)).strip()


def _text_of(fragment: str) -> str:
    """The text a reader sees in one line of sanitised HTML: tags dropped, entities
    decoded once (``&amp;lt;`` is the text ``&lt;``), whitespace collapsed."""
    return _SPACES.sub(" ", html.unescape(nh3.clean(fragment, tags=set()))).strip()


def html_to_text(fragment: str) -> str:
    """Readable plain text of sanitised HTML: one line per paragraph or list item."""
    text = _BLOCK_END.sub("\n", fragment)
    lines = [_text_of(line) for line in text.split("\n")]
    return "\n\n".join(line for line in lines if line)


def escape_html(text: str) -> str:
    """Plain text inside HTML we build (a retraction notice, a correction)."""
    return html.escape(text, quote=False)


def summary(fragment: str, limit: int = 280) -> str:
    first = next((p for p in html_to_text(fragment).split("\n\n") if p), "")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def safe_url(url: str | None) -> str | None:
    """An http(s) URL, or None: attribution links come from people and may be anything."""
    if not url:
        return None
    candidate = url.strip()
    if re.match(r"(?i)^https?://[^\s<>\"']+$", candidate):
        return candidate
    return None


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


def strings_only(value: Any) -> Any:
    """Drop None values from nested dicts (JSON Feed omits absent fields)."""
    if isinstance(value, dict):
        return {k: strings_only(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strings_only(v) for v in value]
    return value
