"""Speakers beside a sentence's reporting verb: the phrase a reduced relative clause
modifies ("A union representing workers said"), the speaker of a participle clause
(", warning that ...") after a dateline, and verbs that report in one frame only
("pointed to", "asked why"). Split from attribution.py, which calls them."""

from __future__ import annotations

from itertools import pairwise

from . import lexicon as lx
from .lexicon import word_set
from .phrases import head_of, is_punct, np_left, np_right, personish
from .raw import RawAttribution, make_raw
from .secondary import CALL_VERBS, calls_it_false, clause_subject
from .segment import Token

_NAMERS = lx.DOCUMENT_HEADS | lx.MEDIA_HEADS

_MODIFIER_LINKS = word_set(
    "by with at in on from for near above below across outside inside around"
)
_COUNTED = lx.DETERMINERS | lx.NUMBER_WORDS
REFLEXIVES = word_set("itself themselves himself herself")


def _participle(t: Token) -> bool:
    w = t.lower
    return (
        not t.is_cap
        and w not in lx.REPORTING_VERBS
        and (w in lx.PARTICIPLES or (len(w) > 4 and w.endswith(("ing", "ed"))))
    )


def modified_head(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """'A union representing workers at the plant', 'Three witnesses reached by phone':
    np_left stops at the participle of a reduced relative clause (or at the preposition
    after it); the phrase before it, opened by a determiner or a number, is the subject
    the clause modifies. Returns (start, end) of that phrase."""
    p = i - 1
    linked = p >= 1 and tokens[p].lower in _MODIFIER_LINKS
    if linked:
        p -= 1  # "reached by", "living near"
    if p < 1 or not _participle(tokens[p]):
        return None
    if not linked:
        if not tokens[p].lower.endswith("ing"):
            return None  # "questioned the estimate": a verb and its object
        after = tokens[p + 1].lower
        if (after in lx.SOURCE_HEADS or personish(after)) and not after.endswith("s"):
            return None  # "chief operating officer", "monitoring group": a compound
    k, end = np_left(tokens, p)
    if k >= end:
        return None
    head = tokens[end - 1].lower
    counted = tokens[k].lower in _COUNTED or tokens[k].text[:1].isdigit()
    if not (counted or head in lx.SOURCE_HEADS or personish(head)):
        return None  # the phrase before must be one that can speak
    return k, end


# ", alleging that ...", ", saying ...": the clause subject is the source
ING_REPORTS = word_set(
    "saying alleging claiming insisting arguing contending asserting adding accusing "
    "calling urging warning noting describing demanding vowing predicting stressing "
    "explaining complaining acknowledging conceding denying blaming questioning "
    "threatening pledging declaring announcing suggesting estimating dismissing "
    "rejecting pointing characterizing characterising"
)


# Verbs that report only in one frame: "pointed to/out", "referred to X as", "asked",
# "characterized X as", and "names" with a document or outlet for subject.
POINT = word_set("point points pointed pointing")
REFER = word_set("refer refers referred")
FRAMED = word_set(
    "characterize characterizes characterized characterise characterises characterised cite cites"
)
ASK = word_set("ask asks asked")
# "asked why ...", "asked: ...": a question put; "asked a judge to order" is a request
_QUESTION_OPENERS = word_set('why whether how what when where who if : " “ ,')
NAME = word_set("name names named")
# "The newspaper accepts that its report was wrong": accepting a statement reports it;
# "accepted the offer", "accepted that offer" accept a thing, and report nothing
ACCEPT = word_set(
    "accept accepts accepted recognise recognises recognised recognize recognizes recognized"
)
# What opens the clause after "accepts that" (not "that offer")
_CLAUSE_SUBJECTS = word_set(
    "the a an it he she they we i you there this these those his her their its our no any "
    "some all most many"
)
_CLAUSE_VERBS = word_set("is are was were has have had will would could can may might")


def cited_as_saying(tokens: list[Token], v: int) -> bool:
    """'The paper cited officials as saying': the officials are the source."""
    ahead = [t.lower for t in tokens[v + 1 : v + 12]]
    return any(a == "as" and b in {"saying", "telling"} for a, b in pairwise(ahead))


def framed_report(tokens: list[Token], v: int) -> bool:
    w = tokens[v].lower
    nxt = tokens[v + 1].lower if v + 1 < len(tokens) else ""
    if w in POINT:
        return nxt in {"to", "out"}
    if w in REFER:
        return nxt == "to" and any(t.lower == "as" for t in tokens[v + 2 : v + 10])
    if w == "cited":
        return not cited_as_saying(tokens, v) and nxt != "by"
    if w in FRAMED:
        return True
    if w in CALL_VERBS:
        return calls_it_false(tokens, v)  # "called the claim untrue"
    if w in ASK:
        return nxt in _QUESTION_OPENERS
    if w in NAME:
        return v > 0 and tokens[v - 1].lower in _NAMERS
    if w in ACCEPT:
        return nxt == "that" and _clause_after(tokens, v + 2)
    return False


def _clause_after(tokens: list[Token], k: int) -> bool:
    """A clause opens at k: a pronoun, a determiner or a number ("that the report was
    wrong", "that 40 staff"), or a bare plural before its verb ("that mistakes were made")."""
    if k >= len(tokens):
        return False
    t = tokens[k]
    if t.lower in _CLAUSE_SUBJECTS or t.text[:1].isdigit():
        return True
    return k + 1 < len(tokens) and t.lower.endswith("s") and tokens[k + 1].lower in _CLAUSE_VERBS


_DASHES = frozenset({"—", "–", "-", "--"})


def dateline_end(tokens: list[Token]) -> int:
    """'GENEVA (Reuters) —', 'KHARTOUM, Sudan (AP) —': where the story's text starts after
    a dateline (a place in capitals, a region, an agency, then a dash), else 0. A dateline
    says where the story was filed, never who speaks."""
    if not tokens or not (tokens[0].text.isupper() and len(tokens[0].text) > 1):
        return 0
    for k in range(1, min(len(tokens), 12)):
        t = tokens[k]
        if t.text in _DASHES:
            return k + 1
        if t.is_word and not t.is_cap:
            return 0
    return 0


_SUBORDINATORS = word_set("after as when because while since before once")


def _clause_start(tokens: list[Token], c: int, start: int) -> int:
    """Index after the punctuation that opens the clause ending at the comma at c."""
    k = c - 1
    while k > start and not (is_punct(tokens[k - 1]) and tokens[k - 1].text not in "'’"):
        k -= 1
    return k


def _subordinate_speaker(tokens: list[Token], a: int, c: int) -> tuple[int, int] | None:
    """'... after the snack maker cut its forecast, blaming ...': the subject of the
    subordinate clause just before the participle, when it can speak."""
    for b in range(c - 2, a - 1, -1):
        if tokens[b].lower not in _SUBORDINATORS:
            continue
        i, j = np_right(tokens, b + 1)
        if i >= j or j >= c:
            return None
        head = tokens[head_of(tokens, i, j)]
        if tokens[i].lower in lx.DETERMINERS and head.lower in lx.SOURCE_HEADS:
            return i, j
        return None
    return None


def _speaks(tokens: list[Token], i: int, j: int, start: int, surnames: frozenset[str]) -> bool:
    """Can the sentence's subject speak? 'Shares of X', whose head is capitalised only as
    the sentence's first word, cannot; a source noun, a name or a pronoun can."""
    h = head_of(tokens, i, j)
    w = tokens[h].lower
    return not (
        h == start
        and w not in lx.SOURCE_HEADS
        and w not in lx.PRONOUNS
        and w not in surnames
        and not (h + 1 < len(tokens) and tokens[h + 1].is_cap)
    )


def participle_clauses(
    tokens: list[Token], surnames: frozenset[str], found: list[RawAttribution]
) -> list[RawAttribution]:
    """'X sued the company, alleging that ...': the subject of the clause speaks; after
    ', the agency said,' the speaker of that report does (it is found already), and after
    a clause whose subject cannot speak ('Shares fell after the maker cut its forecast,
    blaming'), the subject of the subordinate clause before it."""
    out: list[RawAttribution] = []
    start = dateline_end(tokens)
    for v, t in enumerate(tokens):
        if t.lower not in ING_REPORTS or v < start + 2 or tokens[v - 1].text != ",":
            continue
        a = _clause_start(tokens, v - 1, start)
        if any(tokens[a].start <= f.cue_start < t.start for f in found):
            break  # "..., a medical group said, blaming ...": the reporting clause's speaker
        i, j = clause_subject(tokens[start:], v - 1 - start)
        i, j = i + start, j + start
        raw = make_raw(tokens, i, j, t, surnames) if i < j else None
        if raw is None or not _speaks(tokens, i, j, start, surnames):
            sub = _subordinate_speaker(tokens, a, v - 1)
            raw = make_raw(tokens, sub[0], sub[1], t, surnames) if sub else raw
        if raw is not None and raw.kind != "document":
            out.append(raw)
        break
    return out
