"""A raw attribution: the source phrase a cue points to, before pronouns are resolved."""

from __future__ import annotations

from dataclasses import dataclass

from . import lexicon as lx
from .phrases import classify, head_of, personish, valid_head
from .segment import Token

_NOBODY = frozenset({"nobody", "no-one", "none", "nothing", "everyone", "everybody"})


@dataclass(frozen=True)
class RawAttribution:
    """An attribution before pronouns are resolved; offsets are absolute."""

    start: int
    end: int
    kind: str
    cue: str
    cue_start: int
    cue_end: int
    pronoun: str | None = None  # he/she/it/they/we/its/their: resolve to an antecedent
    definite: bool = False  # a bare "the group": also resolve to the named one before
    role: tuple[int, int] | None = None  # "the firm's lawyer" beside the name: its offsets


_OWNED = lx.DOCUMENT_HEADS | lx.SOCIAL_HEADS | lx.MEDIA_HEADS
_WH = frozenset(str.split("how what whom who which whether when where why"))


def _issuer_at(tokens: list[Token], h: int, j: int) -> int:
    """Where the issuer of a document head at h begins ("figures from X", "a study by
    X", "data published by X"), or 0 when none is named before j."""
    if tokens[h].lower not in lx.DOCUMENT_HEADS or h + 2 >= j:
        return 0
    nxt = tokens[h + 1].lower
    at = 0
    if nxt in {"from", "by"}:
        at = h + 2
    elif nxt in lx.ISSUED and h + 3 < j and tokens[h + 2].lower == "by":
        at = h + 3
    # "weights its results by how they voted": a clause, not an issuer
    return at if at and tokens[at].lower not in _WH else 0


def make_raw(
    tokens: list[Token],
    i: int,
    j: int,
    cue: Token,
    surnames: frozenset[str],
    *,
    loose: bool = False,
) -> RawAttribution | None:
    """Build a raw attribution from a noun phrase, splitting possessive documents.

    loose: the verb is "said"/"told", whose subject is a source whatever its noun
    ("a fisherman said"), as long as it opens with a determiner.
    """
    while i < j and tokens[i].lower in {"which", "who", "that"}:
        i += 1  # ", which it said": the source is "it"
    if i >= j:
        return None
    h = head_of(tokens, i, j)
    head = tokens[h]
    if head.lower in _NOBODY:
        return None  # "Nobody told us": no source
    opens = tokens[i].lower in lx.DETERMINERS or tokens[i].text[:1].isdigit()
    any_noun = (
        (loose or personish(head.lower))
        and opens
        and head.text.isalpha()
        and head.lower not in lx.STOPWORDS
    )
    if not (valid_head(head) or any_noun):
        return None
    kind = classify(tokens, i, j, surnames)
    # "X's tweet", "the panel's written decision", "its website": the owner is the source
    if tokens[h].lower in _OWNED:
        doc_kind = classify(tokens, h, h + 1, surnames)
        for k in range(i, h):
            t = tokens[k]
            if k == i and t.lower in {"its", "their"}:
                return RawAttribution(
                    t.start, t.end, doc_kind, cue.text, cue.start, cue.end, pronoun=t.lower
                )
            if t.lower.endswith(("'s", "’s", "s'", "s’")):
                cut = 2 if t.lower.endswith(("'s", "’s")) else 1
                return RawAttribution(
                    tokens[i].start, t.end - cut, doc_kind, cue.text, cue.start, cue.end
                )
    # "a report in the X": the outlet is the source
    if (
        tokens[h].lower in {"report", "article", "story", "interview", "broadcast"}
        and h + 2 < j
        and tokens[h + 1].lower in {"in", "by", "from", "on"}
    ):
        inner = h + 2
        kind = "media" if tokens[h + 1].lower == "in" else classify(tokens, inner, j, surnames)
        return RawAttribution(
            tokens[inner].start, tokens[j - 1].end, kind, cue.text, cue.start, cue.end
        )
    # "figures from the health agency": who issued the document is the source, as "the
    # agency's figures" would make it; "footage from the corridor" names a place. So is
    # its author or issuer after "by": "a study by X found", "figures released by X
    # show", "data published by X suggest" (not who only held or checked it: "documents
    # obtained by X" keep the document, and X is a source of its own cue)
    inner = _issuer_at(tokens, h, j)
    if inner and valid_head(tokens[head_of(tokens, inner, j)]):
        return RawAttribution(
            tokens[inner].start,
            tokens[j - 1].end,
            classify(tokens, inner, j, surnames),
            cue.text,
            cue.start,
            cue.end,
        )
    w = tokens[h].lower
    pronoun = w if (j - i == 1 and w in lx.PRONOUNS) else None
    definite = j - i == 2 and tokens[i].lower == "the" and w in lx.GENERIC_ORG_HEADS
    return RawAttribution(
        tokens[i].start, tokens[j - 1].end, kind, cue.text, cue.start, cue.end, pronoun, definite
    )
