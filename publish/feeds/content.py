"""Turning story text into what may leave the building: sanitised HTML and plain text.

The body is Markdown (markdown-it-py, raw HTML off) rendered to HTML, then cleaned by
nh3 with a strict allowlist: no images, no attributes but a link's ``href`` and ``title``,
and only http, https and mailto links. Every other field (headline, claim text, sources,
quotes, notes, reasons) is plain text: it leaves as it was approved (a multi-line one with
its line breaks as LF, :func:`plain_lines`, since XML turns a CR into LF) and each
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

# Re-exported: the feeds and pages have found them here.
from publish.harden import harden_json as harden_json
from publish.harden import harden_xml as harden_xml
from services.text import shorten

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote", "code",
     "pre", "h2", "h3", "h4", "h5", "h6", "hr"}
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_SPACES = re.compile(r"\s+")
# Where one paragraph of plain text ends, and where a line inside one breaks.
_BLOCK_END = re.compile(r"</(?:p|li|h[2-6]|blockquote|pre)>|<hr\s*/?>", re.IGNORECASE)
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_NEWLINE = re.compile(r"\r\n?|\n")


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
    """Markdown -> HTML -> nh3. The one way a story body becomes HTML.

    What the allowlist has no element for keeps its words: an image is its alt text (the
    sanitiser would drop the whole ``<img>``, and approved words with it), and a level-1
    heading is an ``<h2>`` (the page's own ``<h1>`` is the headline)."""
    tokens = _markdown.parse(markdown_text)
    for token in tokens:
        if token.type in {"heading_open", "heading_close"} and token.tag == "h1":
            token.tag = "h2"
        for child in token.children or []:
            if child.type == "image":
                child.type, child.content, child.children = "text", _alt_of(child), None
    rendered = _markdown.renderer.render(tokens, _markdown.options, {})
    return sanitise_html(rendered).strip()


def _alt_of(image: Any) -> str:
    """An image's alt text as a reader would read it (emphasis and links inside it as their
    words)."""
    return "".join(
        _alt_of(child) if child.children else child.content for child in image.children or []
    )


def _text_of(fragment: str) -> str:
    """The text a reader sees in one line of sanitised HTML: tags dropped, entities
    decoded once (``&amp;lt;`` is the text ``&lt;``), whitespace collapsed."""
    return _SPACES.sub(" ", html.unescape(nh3.clean(fragment, tags=set()))).strip()


def html_to_text(fragment: str) -> str:
    """Readable plain text of sanitised HTML: one paragraph (or list item) after another
    with a blank line between them; a ``<br>`` is a line break inside one, and any other
    whitespace (a soft break in the Markdown) is a space, as a browser shows it."""
    paragraphs = (
        "\n".join(_text_of(line) for line in _LINE_BREAK.split(block))
        for block in _BLOCK_END.split(fragment)
    )
    return "\n\n".join(p.strip("\n") for p in paragraphs if p.strip())


def escape_html(text: str) -> str:
    """Plain text inside HTML we build (a retraction notice, a correction): escaped, and its
    line breaks (LF, CR LF or CR) as ``<br>``, so a reader sees the lines it was written in."""
    return "<br>".join(html.escape(line, quote=False) for line in _NEWLINE.split(text))


def plain_lines(text: str) -> str:
    """Multi-line plain text with every line break as LF: XML parsers turn a CR into LF,
    so each format carries the same text."""
    return _NEWLINE.sub("\n", text)


def summary(fragment: str, limit: int = 280) -> str:
    first = next((p for p in html_to_text(fragment).split("\n\n") if p), "")
    return shorten(first, limit)


def safe_url(url: str | None) -> str | None:
    """An http(s) URL, or None: attribution links come from people and may be anything."""
    if not url:
        return None
    candidate = url.strip()
    if re.match(r"(?i)^https?://[^\s<>\"']+$", candidate):
        return candidate
    return None


def strings_only(value: Any) -> Any:
    """Drop None values from nested dicts (JSON Feed omits absent fields)."""
    if isinstance(value, dict):
        return {k: strings_only(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strings_only(v) for v in value]
    return value
