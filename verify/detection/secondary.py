"""Sources beside the subject of a reporting verb: the body a spokesman speaks for, the
outlet that examined a document, a document a sentence opens with, the subject of a
coordinated clause, and the social-media channel a statement was made on."""

from __future__ import annotations

from dataclasses import replace

from . import lexicon as lx
from .lexicon import word_set
from .phrases import head_of, is_punct, np_left, np_right
from .raw import RawAttribution, make_raw
from .segment import Token, indices_of

HOLDER_VERBS = word_set("reviewed saw obtained examined verified viewed analysed analyzed")
_OPENING_PREPOSITIONS = word_set("in on at after before during since following under amid")
_PLURAL_PEOPLE = word_set("people police staff relatives family families men women")


def singular_role(head: str) -> bool:
    """'governor', 'spokesman': a role that can stand in apposition to one name."""
    return head in lx.PERSON_HEADS and head not in _PLURAL_PEOPLE and not head.endswith("s")


def after_opening(tokens: list[Token], end: int) -> int:
    """Index after an opening prepositional phrase ('In a post on X, ...'), else 0."""
    if tokens and tokens[0].lower in _OPENING_PREPOSITIONS:
        comma = next((m for m in range(min(end, 12)) if tokens[m].text == ","), None)
        return comma + 1 if comma is not None else end
    return 0


def clause_subject(tokens: list[Token], end: int) -> tuple[int, int]:
    """Subject of the clause that ends at index end: the phrase the sentence opens with,
    after an opening prepositional phrase ("In a statement, the firm ...")."""
    k = after_opening(tokens, end)
    while k < end and (tokens[k].lower in lx.LEADING_FILLERS or is_punct(tokens[k])):
        k += 1
    if k >= end:
        return 0, 0
    i, j = np_right(tokens, k)
    # "The firm's chief, Ann Ode, called ... and said": the name in apposition speaks
    if i < j < end - 2 and tokens[j].text == "," and tokens[j + 1].is_cap:
        m = j + 1
        while m < end and tokens[m].is_cap:
            m += 1
        if m < end and tokens[m].text == "," and singular_role(tokens[head_of(tokens, i, j)].lower):
            return j + 1, m
    return (i, min(j, end)) if i < j else (0, 0)


def holders(tokens: list[Token], surnames: frozenset[str]) -> list[RawAttribution]:
    """', which the Courier examined,': the outlet that examined the material."""
    out: list[RawAttribution] = []
    for v, t in enumerate(tokens):
        if t.lower not in HOLDER_VERBS or v < 2:
            continue
        i, j = np_left(tokens, v)
        if i < j and tokens[i].lower in {"which", "that"}:
            i += 1
        elif not (i > 0 and tokens[i - 1].lower in {"which", "that"}):
            continue
        if i < j:
            raw = make_raw(tokens, i, j, t, surnames)
            if raw is not None and raw.kind != "anonymous":
                out.append(raw)
    return out


def opening_document(tokens: list[Token], surnames: frozenset[str]) -> RawAttribution | None:
    """'In a filing, lawyers for X asked ...': the document is the source."""
    if len(tokens) < 4 or tokens[0].lower != "in" or tokens[1].lower not in lx.DETERMINERS:
        return None
    i, j = np_right(tokens, 1)
    if i >= j or j >= len(tokens):
        return None
    # "In a statement on Monday", "In a lawsuit filed on Tuesday"
    if tokens[j].lower not in {",", "on", "last", "this"} | lx.PARTICIPLES:
        return None
    if tokens[head_of(tokens, i, j)].lower not in lx.DOCUMENT_HEADS | lx.SOCIAL_HEADS:
        return None
    return make_raw(tokens, i, j, tokens[0], surnames)


def drop_agent(tokens: list[Token], i: int, j: int) -> int:
    """'farmers interviewed by the Courier': the speaker ends before the participle;
    the outlet after 'by' is found by its own cue. A document's issuer stays ('figures
    released by the agency show': the agency, raw.make_raw)."""
    for k in range(i + 1, j - 1):
        if tokens[k].lower in lx.PARTICIPLES and tokens[k + 1].lower == "by":
            if tokens[k].lower in lx.ISSUED and tokens[k - 1].lower in lx.DOCUMENT_HEADS:
                break
            return k
    while j > i + 1 and tokens[j - 1].lower in {"from", "of", "for", "at", "in", "on"}:
        j -= 1
    return j


_POST_WORDS = word_set("post tweet video message livestream")
_CHANNEL_VERBS = word_set("wrote posted tweeted shared said announced claimed published")
_CHANNEL_NOUNS = word_set("account channel page feed blog profile accounts channels")
_AFTER_PLATFORM = word_set("that , . on late early this last")
_IN = frozenset({"in"})
_TWEETED_OR_CHANNEL_VERBS = _CHANNEL_VERBS | {"tweeted"}


def social_channel(tokens: list[Token]) -> tuple[int, int] | None:
    """Span of the words that say a statement was made on social media: 'wrote on X
    that', 'posted on its official channel', 'posted online', 'in a post on'."""
    n = len(tokens)
    for k in indices_of(tokens, _IN):
        t = tokens[k]
        if k < n - 2 and tokens[k + 1].lower in {"a", "an"}:
            for m in range(k + 2, min(len(tokens), k + 4)):
                # "in a post on its website" is the body's own official page, not social media
                own_site = any(x.lower == "website" for x in tokens[m + 1 : m + 5])
                if tokens[m].lower in _POST_WORDS and not own_site:
                    return t.start, tokens[m].end
    for k in indices_of(tokens, _TWEETED_OR_CHANNEL_VERBS):
        t = tokens[k]
        if t.lower == "tweeted":
            return t.start, t.end
        if k + 2 >= n:
            continue
        on, nxt = tokens[k + 1], tokens[k + 2]
        if t.lower == "posted" and on.lower in {"online", "to"}:
            return t.start, on.end
        if on.lower != "on":
            continue
        if nxt.lower == "social" and k + 3 < n and tokens[k + 3].lower == "media":
            return t.start, tokens[k + 3].end
        if nxt.lower in lx.POSSESSIVE_PRONOUNS:
            for m2 in range(k + 3, min(n, k + 6)):
                if tokens[m2].lower in _CHANNEL_NOUNS:
                    return t.start, tokens[m2].end
        # "wrote on X that": a platform name, not a day ("said on Monday")
        after = tokens[k + 3].lower if k + 3 < n else "."
        platform = nxt.is_cap and nxt.lower not in lx.TIME_WORDS and after in _AFTER_PLATFORM
        if platform and (t.lower != "said" or after in {"that", ","}):
            return t.start, nxt.end
    return None


_REL = word_set("who whose which that")


def _body_role(tokens: list[Token], ri: int, rj: int) -> bool:
    """A role that says whom it speaks for: 'an army spokesman', 'the firm's lawyer',
    'a spokesman for the council'."""
    if ri >= rj:
        return False
    h = head_of(tokens, ri, rj)
    if not singular_role(tokens[h].lower):
        return False
    return (
        any(t.lower in {"for", "of"} for t in tokens[h:rj])
        or any(t.lower.endswith(("'s", "’s")) for t in tokens[ri:h])
        or any(t.lower in lx.ORG_HEADS for t in tokens[ri:h])
    )


def role_before(tokens: list[Token], i: int) -> tuple[int, int] | None:
    """'The firm's chief, X, said' / 'Its spokesman, X, said': the role in apposition
    before the name at i, as offsets. It is the name's affiliation, not a source."""
    if i < 2 or tokens[i - 1].text != "," or not tokens[i].is_cap:
        return None
    ri, rj = np_left(tokens, i - 1)
    if ri >= rj or not singular_role(tokens[head_of(tokens, ri, rj)].lower):
        return None
    if ri > 0 and not is_punct(tokens[ri - 1]):
        return None  # "shot by a police officer, police said": no role opening a clause
    return tokens[ri].start, tokens[rj - 1].end


_WHERE = frozenset({"of", "at", "from"})


def apposition(tokens: list[Token], i: int, j: int, end: int) -> tuple[bool, int, int] | None:
    """The other half of a name-role apposition after tokens[i:j]: (True, k, m) for a name
    after a role ("according to the hospital's director, Dr X"), (False, k, m) for a role
    after a name ("X, an army spokesman, told"). end: where the apposition must stop (the
    verb, or the sentence's end)."""
    if j >= end - 1 or tokens[j].text != ",":
        return None
    k = j + 1
    m = k
    while m < end and tokens[m].text not in {",", ".", ";"} and tokens[m].lower not in _REL:
        m += 1
    if m == k:
        return None
    if tokens[k].is_cap and all(t.is_cap for t in tokens[k:m]):
        if m - k < 2 or not _body_role(tokens, i, j):
            return None
        return True, k, m
    # "the study's lead author, Professor X of the Y Institute": the name, then where
    # the person works
    n = k
    while n < m and tokens[n].is_cap:
        n += 1
    if n - k >= 2 and tokens[n].lower in _WHERE and _body_role(tokens, i, j):
        return True, k, n
    first = tokens[k].lower
    if first not in {"a", "an", "the", "its", "their"} and not first.endswith(("'s", "’s")):
        return None
    return (False, k, m) if _body_role(tokens, k, m) else None


# Nouns that restate a claim so that a clause can answer it: ", a figure the union said
# was exaggerated", ", an account the military rejected".
_RESTATING = word_set(
    "claim figure account allegation projection estimate result charge assertion version "
    "number finding conclusion characterisation characterization description accusation "
    "suggestion forecast tally toll count"
)
_RESTATING_DET = word_set("a an the this that")
_BREAK = frozenset({",", "—", "–", "-", "--"})  # ", a figure ..." or "— a figure ..."


def answers_claim(tokens: list[Token], i: int) -> bool:
    """Is the subject at i the speaker of a clause that answers the sentence's claim (",
    a figure the union said was ...", ", an account both the council and the club rejected")?
    That speaker replies to the claim; it is not its source."""
    if _which_answers(tokens, i):
        return True
    for k in range(i - 1, max(-1, i - 9), -1):
        t = tokens[k]
        if t.lower in _RESTATING or (t.lower.endswith("s") and t.lower[:-1] in _RESTATING):
            return k >= 2 and tokens[k - 1].lower in _RESTATING_DET and tokens[k - 2].text in _BREAK
        if is_punct(t):
            return False
    return False


# Verbs by which a ", which X ..." clause answers the claim before it: ", which the
# company rejected", ", which the authority disputes" (not ", which police said ...":
# a relative clause with a plain report can still be a source of its own).
_ANSWERING = word_set(
    "dispute disputes disputed deny denies denied reject rejects rejected refute refutes "
    "refuted contest contests contested rubbishes rubbished"
)


def _which_answers(tokens: list[Token], i: int) -> bool:
    """Is the subject at i that of ', which X disputes/rejected', right after the comma?"""
    if i < 2 or tokens[i - 1].lower != "which" or tokens[i - 2].text != ",":
        return False
    return any(t.lower in _ANSWERING for t in tokens[i : i + 6])


_NEGATORS = word_set("not never")
_BETWEEN_NEGATION = word_set("ever yet publicly formally explicitly once specifically")


def negated_denial(tokens: list[Token], v: int) -> bool:
    """'has never disputed it', 'did not deny that', 'no longer denies': a denial verb
    under a negation says the party does not dispute it; its subject is no source."""
    if tokens[v].lower not in _ANSWERING:
        return False
    k = v - 1
    while k >= 0 and tokens[k].lower in _BETWEEN_NEGATION:
        k -= 1
    if k < 0:
        return False
    w = tokens[k].lower
    if w in _NEGATORS or w.endswith(("n't", "n’t")):
        return True
    return w == "longer" and k > 0 and tokens[k - 1].lower == "no"


CALL_VERBS = word_set(
    "call calls called calling brand brands branded label labels labelled labeled"
)
# Words by which "called the claim X" says the claim is false (as cues._DISMISSIVE).
_FALSE_WORDS = word_set(
    "lie lies propaganda baseless false fabricated fabrication nonsense untrue fake inaccurate "
    "misleading groundless unfounded smear ridiculous absurd wrong incorrect fiction "
    "exaggerated overstated distorted"
)


def calls_it_false(tokens: list[Token], v: int) -> bool:
    """'X called the claim untrue', 'branded the report a lie': the subject says what
    another said is false; it speaks, so it is a source (not 'called for', 'called off'
    or 'called the meeting')."""
    if tokens[v].lower not in CALL_VERBS:
        return False
    ahead = tokens[v + 1 : v + 9]
    if not ahead or ahead[0].lower not in lx.DETERMINERS | {"his", "her", "their", "its"}:
        return False
    for t in ahead[1:]:
        if t.lower in _FALSE_WORDS:
            return True
        if is_punct(t) and t.text not in {'"', "“", "”", "'", "‘", "’"}:
            return False
    return False


_SPEECH = word_set("say says said saying told tell tells telling")
_CLAUSE_BREAKS = frozenset({",", ";", ":", "(", ")", "—", "–", "-", '"', "“", "”"})


def reported_inside(tokens: list[Token], i: int) -> bool:
    """Is the subject at i inside what an earlier speech verb reports, with no break
    between ("X said drivers had complained", "saying timing data showed", "He said the
    panel had found")? Then it is part of the account, and the speaker is the source."""
    for k in range(i - 1, -1, -1):
        t = tokens[k]
        if t.text in _CLAUSE_BREAKS:
            return False
        if t.lower in _SPEECH:
            return True
    return False


_VOUCHED = frozenset({"verified", "analysed", "analyzed", "examined"})


def vouched_by_agent(tokens: list[Token], k: int) -> bool:
    """'verified by X', 'analysed by X' at k: X checked the evidence and vouches for what
    it shows (its own cue finds it). Documents 'obtained by' or 'seen by' an outlet stay
    sources of their own: the outlet holds them, it does not vouch for them."""
    return tokens[k].lower in _VOUCHED and k + 1 < len(tokens) and tokens[k + 1].lower == "by"


def apposed(
    raw: RawAttribution,
    tokens: list[Token],
    i: int,
    j: int,
    end: int,
    cue: Token,
    surnames: frozenset[str],
) -> RawAttribution:
    """A name and a role in apposition are one source, the name, with the role as its
    affiliation (DESIGN's Attribution): "X, an army spokesman, told", "according to the
    clinic's director, Dr X"."""
    found = apposition(tokens, i, j, end)
    if found is None:
        return raw
    name_follows, k, m = found
    other = make_raw(tokens, k, m, cue, surnames)
    if other is None:
        return raw
    if not name_follows:
        if other.kind == "anonymous":
            return raw  # "X, a source close to the talks,": no role of X's
        return replace(raw, role=(other.start, other.end))
    # a person role keeps the name a person, a body's role a body
    kind = raw.kind if raw.kind in {"person", "organisation"} else other.kind
    return replace(other, kind=kind, role=(raw.start, raw.end))
