"""Does an attribution record hold up, and does the story text itself name its source?

Pure functions over plain strings and the event contract: no I/O. The gate uses them to
decide rule 3 of the publish rule (DESIGN.md): a contested or unverifiable claim needs a
record naming a real source, and readers must see that source in the claim's sentence or
the one before (``body[context_start:context_end]``).

Matching is on word tokens (case-folded, punctuation and possessives ignored), so
"Arianjad's" and "ARIANJAD" both refer to "Zia Arianjad", and an acronym only counts
when the text writes it in capitals ("ISI", not "isi").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from services.contracts import Attribution, SourceKind

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)

# Words that make a source name a placeholder when nothing else is in it: "sources",
# "local media reports", "some officials". Kept to words that never name anybody.
_VAGUE_WORDS = frozenset(
    (
        "a",
        "an",
        "the",
        "some",
        "several",
        "many",
        "multiple",
        "various",
        "other",
        "others",
        "certain",
        "few",
        "local",
        "source",
        "sources",
        "official",
        "officials",
        "people",
        "person",
        "persons",
        "someone",
        "somebody",
        "report",
        "reports",
        "reported",
        "media",
        "press",
        "news",
        "outlet",
        "outlets",
        "experts",
        "expert",
        "witness",
        "witnesses",
        "observer",
        "observers",
        "analyst",
        "analysts",
        "insider",
        "insiders",
        "critic",
        "critics",
        "resident",
        "residents",
        "user",
        "users",
        "account",
        "accounts",
        "social",
        "online",
        "internet",
        "web",
        "unknown",
        "unnamed",
        "anonymous",
        "undisclosed",
        "na",
        "n",
        "a",
        "none",
        "tbd",
        "tbc",
        "unspecified",
        "they",
        "them",
        "he",
        "she",
        "it",
        "we",
        "us",
        "everyone",
        "anyone",
        "nobody",
    )
)
_PLACEHOLDER_MARKS = frozenset({"?", "-", "--", "…", "...", "n/a", "tbd", "xxx", "todo"})

# Leading titles and trailing suffixes that are not a person's surname.
_TITLES = frozenset(
    (
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "professor",
        "sir",
        "dame",
        "lord",
        "lady",
        "gen",
        "general",
        "lt",
        "col",
        "colonel",
        "maj",
        "major",
        "capt",
        "captain",
        "sgt",
        "cmdr",
        "admiral",
        "gov",
        "governor",
        "sen",
        "senator",
        "rep",
        "president",
        "minister",
        "mayor",
        "judge",
        "justice",
        "rev",
        "father",
        "sheikh",
        "mullah",
    )
)
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"})
# Small words skipped when building an organisation's acronym ("Ministry of Health" ->
# MOH and MH are both written; we accept either).
_ACRONYM_SKIP = frozenset({"of", "the", "for", "and", "on", "in", "de", "du", "la", "le", "&"})

# "a spokesperson for X", "X spokesman", "an official at X": the reference is X.
_ROLE_OF = re.compile(
    r"\b(?:spokes(?:person|man|woman)|representative|official|officer|aide|adviser|"
    r"advisor|member|lawyer|attorney|director|head|chief|leader|minister|secretary)"
    r"\s+(?:for|of|at|with|from)\s+(?P<org>.+)$",
    re.IGNORECASE,
)

# How a text refers to a source it does not name.
_ANONYMOUS_REFERENCE = re.compile(
    r"\bsources?\b|\banonymity\b|\banonymous(?:ly)?\b|\bunnamed\b|\bunidentified\b|"
    r"\bnot\s+(?:to\s+be\s+|being\s+)?(?:named|identified)\b|"
    r"\bdeclined\s+to\s+be\s+(?:named|identified)\b|\bwithout\s+being\s+named\b|"
    r"\b(?:people|persons?|officials?|someone|an?\s+\w+)\s+(?:\w+\s+)?(?:familiar|close)\s+"
    r"(?:with|to)\b|\binsiders?\b|\bwho\s+(?:asked|requested|spoke)\b",
    re.IGNORECASE,
)


def words(text: str) -> list[str]:
    """Case-folded word tokens; a trailing possessive ("Khan's") is dropped."""
    text = unicodedata.normalize("NFKC", text)
    out: list[str] = []
    for match in _WORD.finditer(text):
        token = match.group(0).casefold().replace("’", "'")
        if token.endswith("'s"):
            token = token[:-2]
        out.extend(part for part in token.split("'") if part)
    return out


def _contains(haystack: list[str], needle: list[str]) -> bool:
    if not needle or len(needle) > len(haystack):
        return False
    first = needle[0]
    width = len(needle)
    for i, token in enumerate(haystack[: len(haystack) - width + 1]):
        if token == first and haystack[i : i + width] == needle:
            return True
    return False


def is_vague(name: str) -> bool:
    """True when ``name`` names nobody: empty, a mark such as "?", or only placeholder
    words ("sources", "local media reports", "some officials")."""
    stripped = name.strip().casefold()
    if not stripped or stripped in _PLACEHOLDER_MARKS:
        return True
    tokens = words(stripped)
    if not tokens or not any(any(c.isalpha() for c in t) for t in tokens):
        return True
    return all(t in _VAGUE_WORDS for t in tokens)


def record_is_complete(record: Attribution) -> bool:
    """A named source (or, for an anonymous one, a description of who), a kind, and how
    it was obtained. Kind and channel are required by the contract; checked anyway so a
    looser producer cannot slip an empty one through."""
    if not record.source_kind or not record.obtained_via:
        return False
    if record.source_kind == SourceKind.ANONYMOUS:
        return bool(record.source_name.strip())
    return not is_vague(record.source_name)


def anonymous_is_approved(record: Attribution) -> bool:
    approval = record.approval
    return (
        approval is not None
        and bool(approval.approved_by.strip())
        and bool(approval.reason.strip())
    )


def _significant(tokens: list[str]) -> list[str]:
    while tokens and tokens[0] in _TITLES | {"the", "a", "an"}:
        tokens = tokens[1:]
    while tokens and tokens[-1] in _SUFFIXES:
        tokens = tokens[:-1]
    return tokens


def _acronyms(name: str) -> set[str]:
    """Capitalised forms an organisation goes by: "(ISI)" in its name, an all-capitals
    name, and the initials of its words ("National Resistance Front" -> "NRF")."""
    found = {m.group(1) for m in re.finditer(r"\(([A-Z][A-Z0-9&.-]{1,11})\)", name)}
    bare = re.sub(r"\([^)]*\)", " ", name)
    parts = [p for p in re.split(r"[\s\-/]+", bare) if p]
    if len(parts) == 1 and parts[0].isupper() and len(parts[0]) >= 2:
        found.add(parts[0])
    letters = [p[0].upper() for p in parts if p.casefold() not in _ACRONYM_SKIP and p[0].isalpha()]
    if len(letters) >= 2:
        found.add("".join(letters))
    every = [p[0].upper() for p in parts if p[0].isalpha()]
    if len(every) >= 2:
        found.add("".join(every))
    return {a.replace(".", "") for a in found if len(a.replace(".", "")) >= 2}


def _has_acronym(window: str, acronyms: Iterable[str]) -> bool:
    for acronym in acronyms:
        if re.search(rf"(?<![A-Za-z0-9]){re.escape(acronym)}(?![A-Za-z0-9])", window):
            return True
    return False


def _references(record: Attribution) -> tuple[list[list[str]], set[str]]:
    """Token sequences and acronyms by which the text may refer to ``record``'s source."""
    sequences: list[list[str]] = []
    acronyms: set[str] = set()
    names = [record.source_name]
    role = _ROLE_OF.search(record.source_name.strip())
    if role:
        names.append(role.group("org"))
    if record.affiliation:
        names.append(record.affiliation)
    personal = record.source_kind in (SourceKind.PERSON, SourceKind.SOCIAL_POST)
    for index, name in enumerate(names):
        full = _significant(words(re.sub(r"\([^)]*\)", " ", name)))
        if not full or is_vague(" ".join(full)):
            continue
        sequences.append(full)
        is_own_name = index == 0
        if is_own_name and personal and len(full) >= 2 and len(full[-1]) >= 2:
            # "Zia Arianjad" is "Arianjad" on second mention.
            sequences.append([full[-1]])
        if not (is_own_name and personal):
            acronyms |= _acronyms(name)
        handle = name.strip()
        if handle.startswith("@") and len(handle) > 1:
            sequences.append(words(handle[1:]))
    return sequences, acronyms


def text_attributes(record: Attribution, body: str, window_start: int, window_end: int) -> bool:
    """Does ``body[window_start:window_end]`` show readers who says the claim, per ``record``?

    Accepted: the record's own span lying inside the window; the source's name, a
    person's surname, an organisation's acronym, or the X of "a spokesperson for X" (or
    the source's affiliation); for an anonymous source, the text's own anonymous
    reference ("sources said", "an official who asked not to be named").
    """
    start, end = max(0, window_start), min(len(body), window_end)
    if start >= end:
        return False
    if (
        record.start is not None
        and record.end is not None
        and start <= record.start < record.end <= end
        and body[record.start : record.end].strip()
    ):
        return True
    window = body[start:end]
    tokens = words(window)
    sequences, acronyms = _references(record)
    if any(_contains(tokens, sequence) for sequence in sequences):
        return True
    if _has_acronym(window, acronyms):
        return True
    return record.source_kind == SourceKind.ANONYMOUS and bool(_ANONYMOUS_REFERENCE.search(window))
