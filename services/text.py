"""The one text policy: what a plain-text field may hold, in every service, the same way.

Every plain-text field a person sends (headline, body, claims, sources, attribution
fields, notes, reasons, user names...) goes through :func:`check`, directly or through the
pydantic types below. It returns the text NFC-normalised (so that what is compared,
hashed and stored is one form of it) or refuses it with the rule it breaks:

- ``surrogate``: an unpaired surrogate is not text.
- ``control``: C0 and C1 control characters (U+0000-001F, U+007F-009F; U+0085 is C1) and
  the line and paragraph separators U+2028/2029. Multi-line fields allow tab, LF and CR.
- ``noncharacter``: U+FDD0-FDEF and the last two code points of every plane (U+xFFFE/xFFFF).
- ``bidi``: embedding, override and isolate controls (U+202A-202E, U+2066-2069) make a
  reader see other text than the one stored (U+202E reverses what follows). The marks
  LRM, RLM and ALM (U+200E, U+200F, U+061C) are allowed: they only set the direction of
  neighbouring neutral characters, and mixed Arabic or Hebrew and Latin text needs them.
- ``invisible``: zero-width space U+200B, word joiner and invisible operators
  U+2060-2064, deprecated format characters U+206A-206F, U+FEFF (BOM), the interlinear
  annotation characters U+FFF9-FFFB: they hide differences between texts that look the
  same. ZWNJ and ZWJ (U+200C, U+200D) are allowed: Persian, Indic scripts and emoji
  sequences need them.
- ``tag``: tag characters U+E0000-E007F (invisible ASCII smuggled beside the text).
- ``blank``: a non-empty value must hold a visible character (a letter, digit,
  punctuation or symbol), not only spaces, marks and format characters.
- ``markup``: plain-text fields refuse HTML markup (``nh3.is_html``); a lone ``<`` or an
  entity written as text is not markup and is kept as it is. Output escapes it for
  each format, so readers see exactly the approved text.

Links (attribution ``url``, webhook targets) follow :func:`web_url` (rule ``url``): at
most 2,000 characters, the line policy above, no space and none of < > " { } | \\ ^ or
the backtick unencoded, an absolute ``http`` or ``https`` URL with a host, a port (if
any) of 1-65535, a bracketed host only as a valid IPv6 address, and no
``user:password@``.

Events a service consumes carry text another service took through this policy; they are
held to it once more where they are decoded (``services.contracts``), so that a message
from anywhere else cannot bring in what an HTTP input would refuse: :func:`as_sent`
(the whole policy, and the text must already be what :func:`normalise` gives, since
offsets into it travel with it: rule ``nfc``) and :func:`fragment` (the character rules
alone, for text cut out of a checked body: claims, cues, detected sources).

Output that cannot rely on this (data stored before it, or text that was never a
person's input) goes through :func:`xml_safe` on its way into XML.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from typing import Annotated, Any
from urllib.parse import urlsplit

import nh3
from pydantic import AfterValidator, StringConstraints, ValidationInfo
from pydantic_core import PydanticCustomError

from services.errors import ValidationFailed

_SURROGATE = "\ud800-\udfff"
_C0_C1_LINE = "\x00-\x1f\x7f-\x9f\u2028\u2029"
# Multi-line fields keep tab, LF and CR; U+2028/2029 stay refused there too, as the docs
# say: a line break is LF or CR, which every output format carries the same way.
_C0_C1_MULTI = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029"
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
)
_BIDI = "\u202a-\u202e\u2066-\u2069"
_INVISIBLE = "\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"
_TAGS = "\U000e0000-\U000e007f"

# One regex pass over a 200 KB body runs at C speed; the slower per-character work below
# runs only on the character found.
_FORBIDDEN_IN_LINE = re.compile(
    f"[{_SURROGATE}{_C0_C1_LINE}{_NONCHARACTERS}{_BIDI}{_INVISIBLE}{_TAGS}]"
)
_FORBIDDEN_IN_TEXT = re.compile(
    f"[{_SURROGATE}{_C0_C1_MULTI}{_NONCHARACTERS}{_BIDI}{_INVISIBLE}{_TAGS}]"
)
# The patterns above test each character against some forty ranges (a noncharacter pair
# per plane); these few ranges hold every forbidden character, and text that has none of
# them (nearly all text) is passed at ten times the speed.
_WIDE = (
    "\u200b\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufdd0-\ufdef\ufeff\ufff9-\uffff"
    "\U0001fffe-\U0010ffff"
)
_MAYBE_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_WIDE}]")
_MAYBE_IN_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_WIDE}]")
# Letters that render as nothing (Hangul fillers, the braille blank): not visible either.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_VISIBLE_CATEGORIES = frozenset("LNPS")
# Characters XML 1.0 cannot carry at all (its Char production).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

RULES = {
    "surrogate": "an unpaired surrogate is not text; send valid UTF-8",
    "control": "control characters are not allowed",
    "noncharacter": "Unicode noncharacters are not allowed",
    "bidi": "bidirectional embedding, override and isolate controls are not allowed",
    "invisible": "zero-width and invisible format characters are not allowed",
    "tag": "Unicode tag characters are not allowed",
    "blank": "must contain a visible character",
    "markup": "markup is not allowed here; send plain text (it is escaped for readers)",
    "url": "must be an absolute http or https URL",
    "nfc": "must be sent in Unicode normalisation form C (NFC)",
}
URL_MAX_LENGTH = 2000
_URL_UNSAFE = re.compile(r'[\s<>"{}|\\^`]')


class TextRejected(ValueError):
    """A value breaks the text policy: ``rule`` is one of :data:`RULES`."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail)
        self.rule = rule
        self.detail = detail


def _rule_of(char: str) -> str:
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return "surrogate"
    if code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029):
        return "control"
    if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
        return "noncharacter"
    if 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return "bidi"
    if 0xE0000 <= code <= 0xE007F:
        return "tag"
    return "invisible"


def has_visible(value: str) -> bool:
    return any(
        unicodedata.category(c)[0] in _VISIBLE_CATEGORIES and c not in _BLANK_LETTERS for c in value
    )


def _refuse_forbidden(value: str, *, multiline: bool) -> None:
    candidate = (_MAYBE_IN_TEXT if multiline else _MAYBE_IN_LINE).search(value)
    if candidate is None:
        return
    forbidden = _FORBIDDEN_IN_TEXT if multiline else _FORBIDDEN_IN_LINE
    found = forbidden.search(value, candidate.start())
    if found is not None:
        char, rule = found.group(), _rule_of(found.group())
        raise TextRejected(rule, f"{RULES[rule]} (U+{ord(char):04X} at position {found.start()})")


def normalise(value: str, *, multiline: bool = False) -> str:
    """``value`` in NFC if it keeps the policy; :class:`TextRejected` otherwise.
    ``multiline`` allows tab, LF and CR."""
    _refuse_forbidden(value, multiline=multiline)
    value = unicodedata.normalize("NFC", value)
    if value and not has_visible(value):
        raise TextRejected("blank", RULES["blank"])
    if nh3.is_html(value):
        raise TextRejected("markup", RULES["markup"])
    return value


def as_sent(value: str, *, multiline: bool = False) -> str:
    """``value`` if it keeps the policy and is already in the form :func:`normalise` gives
    (an event's text is never rewritten on its way in: offsets point into it)."""
    if normalise(value, multiline=multiline) != value:
        raise TextRejected("nfc", RULES["nfc"])
    return value


def fragment(value: str) -> str:
    """``value`` if it holds none of the characters the policy forbids (tab and line
    breaks allowed): for pieces of a checked text, which may start or end anywhere."""
    _refuse_forbidden(value, multiline=True)
    return value


def check(field: str, value: str, *, multiline: bool = False) -> str:
    """:func:`normalise` for code outside pydantic: a 422 problem naming the field and the
    rule."""
    try:
        return normalise(value, multiline=multiline)
    except TextRejected as exc:
        raise ValidationFailed(
            f"{field}: {exc.detail}.",
            [{"loc": field.split("."), "msg": exc.detail, "type": f"text_{exc.rule}"}],
        ) from exc


def web_url(value: str) -> str:
    """``value`` if it is a link we may store and show (see the module's rules)."""
    if len(value) > URL_MAX_LENGTH:
        raise TextRejected("url", f"a URL has at most {URL_MAX_LENGTH} characters")
    value = normalise(value)
    if _URL_UNSAFE.search(value):
        raise TextRejected("url", "a URL has no spaces, quotes or <>{}|\\^` (percent-encode them)")
    try:
        parts = urlsplit(value)
        port = parts.port  # ValueError when out of range or not a number
    except ValueError as exc:
        raise TextRejected("url", f"not a well-formed URL ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TextRejected("url", RULES["url"])
    if port == 0:
        raise TextRejected("url", "the port must be 1-65535")
    if parts.username is not None or parts.password is not None:
        raise TextRejected("url", "a URL may not carry a user name or password")
    if "[" in parts.netloc:
        try:
            ipaddress.IPv6Address(parts.hostname.split("%", 1)[0])
        except ValueError as exc:
            raise TextRejected("url", "a bracketed host must be an IPv6 address") from exc
    return value


def _pydantic(check: Any) -> Any:
    def validate(value: str) -> str:
        try:
            return check(value)  # type: ignore[no-any-return]
        except TextRejected as exc:
            raise PydanticCustomError(f"text_{exc.rule}", exc.detail) from exc

    return AfterValidator(validate)


# The policy as pydantic validators: one line, several lines, a link.
LINE = _pydantic(normalise)
LINES = _pydantic(lambda value: normalise(value, multiline=True))
LINK = _pydantic(web_url)

# One line of plain text (names, sources, reasons, claim text) and plain text that may
# run over several lines (notes, quotes).
PlainText = Annotated[str, LINE]
PlainLines = Annotated[str, LINES]
WebUrl = Annotated[str, LINK]


# An optional field's length goes on the string, ahead of the policy:
# `PlainLines | None = Field(max_length=n)` is checked after validation as a count of
# "items" ("Value should have at most 2000 items"), where a length on the string says
# "String should have at most 2000 characters" (`string_too_long`) as a required field's
# does.
Line200 = Annotated[str, StringConstraints(max_length=200), LINE]
Lines2000 = Annotated[str, StringConstraints(max_length=2000), LINES]
Lines5000 = Annotated[str, StringConstraints(min_length=1, max_length=5000), LINES]

# The validation context under which the event types below apply the policy: where an
# event is decoded. A service reads its own stored copies of the same models without it.
ON_DECODE = "text_policy"


def _on_decode(check: Any) -> Any:
    def validate(value: str, info: ValidationInfo) -> str:
        if not (info.context and info.context.get(ON_DECODE)):
            return value
        try:
            return check(value)  # type: ignore[no-any-return]
        except TextRejected as exc:
            raise PydanticCustomError(f"text_{exc.rule}", exc.detail) from exc

    return AfterValidator(validate)


# Event text (``services.contracts``): a line, text over several lines, a piece cut out
# of a checked text, a link.
SentText = Annotated[str, _on_decode(as_sent)]
SentLines = Annotated[str, _on_decode(lambda value: as_sent(value, multiline=True))]
SentFragment = Annotated[str, _on_decode(fragment)]
SentUrl = Annotated[str, _on_decode(web_url)]


def xml_safe(text: str) -> str:
    """``text`` with every character XML 1.0 cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


# --- shortening -------------------------------------------------------------------------
# Characters that belong to the grapheme cluster before them (UAX #29's Extend and
# SpacingMark, as far as a cut needs): combining marks (Arabic harakat, Indic vowel signs),
# ZWJ, variation selectors, emoji skin tones, Hangul medial and final jamo.
_EXTENDS = re.compile(
    "[\u200d\ufe00-\ufe0f\U000e0100-\U000e01ef\U0001f3fb-\U0001f3ff\u1160-\u11ff\ud7b0-\ud7ff]"
)
_REGIONAL = re.compile("[\U0001f1e6-\U0001f1ff]")
# What a cut must not leave at the end of the shortened text: white space, and the
# direction marks and joiners the policy allows (LRM, RLM, ALM, ZWNJ, ZWJ), which mean
# something only between two characters.
_DANGLING = " \t\n\r\u00a0\u200c\u200d\u200e\u200f\u061c"


def _extends(char: str) -> bool:
    return unicodedata.category(char)[0] == "M" or _EXTENDS.match(char) is not None


def cluster_boundary(text: str, at: int) -> int:
    """The last grapheme-cluster boundary of ``text`` at or before ``at``: a cut there
    leaves no mark without its letter, no half of an emoji sequence or of a flag."""
    at = max(0, min(at, len(text)))
    while 0 < at < len(text):
        char, before = text[at], text[at - 1]
        if _extends(char) or before == "\u200d" or (before == "\r" and char == "\n"):
            at -= 1
            continue
        if _REGIONAL.match(char) and _REGIONAL.match(before):
            run = at
            while run > 0 and _REGIONAL.match(text[run - 1]):
                run -= 1
            if (at - run) % 2:  # the second of a pair: the flag starts one before
                at -= 1
                continue
        break
    return at


def shorten(text: str, limit: int, end: str = "…", *, words: bool = False) -> str:
    """``text`` if it has at most ``limit`` characters, else cut to fit with ``end``
    after it: at a grapheme-cluster boundary, with no white space, direction mark or
    joiner left dangling before ``end``; with ``words``, at the last space if there is
    one (as Jinja's ``truncate``)."""
    if len(text) <= limit:
        return text
    cut = cluster_boundary(text, max(0, limit - len(end)))
    kept = text[:cut]
    if words and " " in kept:
        kept = kept.rsplit(" ", 1)[0]
    return kept.rstrip(_DANGLING) + end


# --- comparing ------------------------------------------------------------------------
# One Arabic-script text written two ways that a reader takes for one: the direction marks
# and joiners (LRM, RLM, ALM, ZWNJ, ZWJ) and the tatweel (U+0640, a stretched joining
# line) change no word, and Arabic and Persian keyboards type kaf and yeh as different
# letters (U+0643/06A9, U+064A/0649/06CC): a Dari text typed on each is one text.
_SAME_READING = str.maketrans(
    {
        "\u200c": None,
        "\u200d": None,
        "\u200e": None,
        "\u200f": None,
        "\u061c": None,
        "\u0640": None,
        "\u0643": "\u06a9",
        "\u064a": "\u06cc",
        "\u0649": "\u06cc",
    }
)


def same_reading(text: str) -> str:
    """``text`` in the form two texts are compared in for sameness (claim memory, a claim
    carried to a new revision): NFKC (Arabic presentation forms become the letters, full
    width Latin plain), then the orthographic variants above made one. Not for storing
    or showing: ZWNJ and the marks mean something to a reader."""
    return unicodedata.normalize("NFKC", text).translate(_SAME_READING)
