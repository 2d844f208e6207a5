"""A story's language: a BCP 47 tag (RFC 5646), checked for shape and written in the
case RFC 5646 recommends, and what a page needs to know of it (direction, OG locale).

Well-formed only: the shape of ``language[-extlang][-script][-region][-variant]*
[-extension]*[-x-private]``, letters and digits between hyphens, at most 35 characters
(RFC 5646's practical maximum, section 4.4.1). The subtags are not looked up in IANA's
registry: a newsroom may write a language the registry learnt after this code. A tag
that begins with a private-use or grandfathered ``i-`` subtag is refused: a page's
``lang`` must name a language. Case (section 2.1.1): the language and everything else
lower case, a script title case (``Hant``), a region upper case (``BR``), by position,
so ``x-latn`` after the private-use singleton stays as it is written, lower.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

MAX_TAG_CHARS = 35
# What a story without a stated language is, where nothing else says (a newsroom's
# NEWSROOM_DEFAULT_LANGUAGE does): what every output said before stories had one.
DEFAULT_LANGUAGE = "en"

_ALNUM = r"[A-Za-z0-9]"
_TAG = re.compile(
    rf"""
    (?P<language>[A-Za-z]{{2,3}}(?:-[A-Za-z]{{3}}){{0,3}}|[A-Za-z]{{4,8}})
    (?:-(?P<script>[A-Za-z]{{4}}))?
    (?:-(?P<region>[A-Za-z]{{2}}|[0-9]{{3}}))?
    (?P<variants>(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*)
    (?P<extensions>(?:-[A-WYZa-wyz0-9](?:-{_ALNUM}{{2,8}})+)*)
    (?P<private>-[Xx](?:-{_ALNUM}{{1,8}})+)?
    """,
    re.VERBOSE | re.ASCII,
)
# Written right to left: these languages in their usual script, and any language written
# in a right-to-left script (``ku-Arab``, ``pa-Arab``); an explicit other script
# (``uz-Latn``, ``sd-Deva``) is left to right.
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"})
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Thaa", "Syrc", "Nkoo", "Adlm", "Rohg"})


class LanguageRejected(ValueError):
    """Not a well-formed tag; ``detail`` says why, for the one who wrote it."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def normalise_tag(value: str) -> str:
    """``value`` as a well-formed BCP 47 tag in RFC 5646's case (``PT-br`` -> ``pt-BR``)."""
    if not 1 <= len(value) <= MAX_TAG_CHARS:
        raise LanguageRejected(f"a language tag is 1 to {MAX_TAG_CHARS} characters")
    found = _TAG.fullmatch(value)
    if found is None:
        raise LanguageRejected(
            "not a BCP 47 language tag: a language subtag (en, fr, ar), then optional "
            "script (Hant), region (BR, 419) and other subtags, joined by hyphens"
        )
    parts = [found["language"].lower()]
    if found["script"]:
        parts.append(found["script"].title())
    if found["region"]:
        parts.append(found["region"].upper())
    rest = found["variants"] + found["extensions"] + (found["private"] or "")
    return "-".join(parts) + rest.lower()


def primary(tag: str) -> str:
    """The language subtag: ``pt`` of ``pt-BR``."""
    return tag.split("-", 1)[0]


def _subtag(tag: str, length: int, test: str) -> str | None:
    """The script (4 letters) or 2-letter region of a normalised tag, if it has one:
    the first subtag after the language and its extlangs, before any singleton."""
    for part in tag.split("-")[1:]:
        if len(part) == 1:
            return None  # an extension or private use: no script or region after it
        if len(part) == length and getattr(part, test)():
            return part
    return None


def is_rtl(tag: str) -> bool:
    """Whether text in ``tag`` reads right to left (a page's ``dir="rtl"``)."""
    script = _subtag(tag, 4, "istitle")
    if script is not None:
        return script in RTL_SCRIPTS
    return primary(tag) in RTL_LANGUAGES


def og_locale(tag: str) -> str | None:
    """Open Graph's ``language_TERRITORY`` (``pt_BR``), or None when the tag names no
    country: OG has no form for a bare language, and guessing one (``ar`` is spoken in
    twenty) would tell a reader's client the wrong thing."""
    region = _subtag(tag, 2, "isupper")
    return f"{primary(tag)}_{region}" if region is not None else None


def _pydantic_check(value: str) -> str:
    try:
        return normalise_tag(value)
    except LanguageRejected as exc:
        raise PydanticCustomError("language_tag", exc.detail) from exc


# A field holding a tag: its length first (a string's own message), then its shape.
LanguageTag = Annotated[
    str, StringConstraints(max_length=MAX_TAG_CHARS), AfterValidator(_pydantic_check)
]
