"""Noun phrases around a cue: where a source phrase starts and ends, its head word,
and what kind of source it names. POS-free: lexicons, capitals and punctuation."""

from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon as lx
from .segment import Token

_YEAR_OLD = re.compile(r"^\d+-year-old$")


ANON_MARK = re.compile(
    r"anonymity|not to be (?:named|identified)|unnamed|anonymous|familiar with|"
    r"not authori[sz]ed to|knowledge of",
    re.IGNORECASE,
)


_PERSONISH = (
    "man",
    "men",
    "woman",
    "women",
    "er",
    "ers",
    "ist",
    "ists",
    "or",
    "ors",
    "ian",
    "ians",
    "ent",
    "ents",
)


_LEFT_STOPS = frozenset({"to", "by", "with", "into", "than", "about", "against", "over"})


_RELATIVES = frozenset({"who", "whose", "which"})


_NP_PREPOSITIONS = frozenset({"of", "for", "at", "from", "with", "close", "to", "in", "on"})


_HEAD_BREAK = frozenset(
    {"of", "for", "at", "from", "with", "on", "in", "who", "whose", "which", "that", "familiar"}
    | {"close"}
    | {"by"}
)


_ARTICLES = frozenset({"a", "an", "the"})

# Documents written by someone: "a report by", "a study by", "an analysis by"
_AUTHORED = lx.DOCUMENT_HEADS | lx.word_set("report reports article investigation")


# "news agency", "wire service": the words that make an agency or a service an outlet
_OUTLET_MARKS = frozenset({"news", "press", "wire"})

_LINKS = _NP_PREPOSITIONS | {"and", "&", "by"}

_FILED_HEADS = lx.DOCUMENT_HEADS | _AUTHORED


def personish(word: str) -> bool:
    """Nouns of people by their ending: fisherman, dispatcher, scientist, resident."""
    return word.endswith(_PERSONISH)


def is_punct(t: Token) -> bool:
    return not t.is_word and t.text not in {"&"}


def verbish(t: Token) -> bool:
    return not t.is_cap and _verbish_word(t.lower)


@lru_cache(maxsize=16384)
def _verbish_word(w: str) -> bool:
    """A lower-case word that reads as a verb (cached by word: the phrase walkers ask it
    of every word they pass)."""
    if w in lx.SOURCE_HEADS:
        return False  # "reports", "post": a source noun at a phrase edge is a noun
    return (
        w in lx.AUXILIARIES
        or w in lx.PRESENT_FINITE
        or w in lx.IRREGULAR_FINITE
        or w in lx.REPORTING_VERBS
        or w in lx.PARTICIPLES
        or (w.endswith("ed") and len(w) > 4)
        or (w.endswith("ing") and len(w) > 5)
    )


def and_in_name(tokens: list[Token], k: int) -> bool:
    """'and'/'of' inside a proper name: 'Institute for Peace and Justice'."""
    return (
        0 < k < len(tokens) - 1
        and tokens[k].lower in {"and", "of", "for", "&"}
        and tokens[k - 1].is_cap
        and tokens[k + 1].is_cap
    )


# Words in -ly that are nouns or adjectives, not adverbs between a subject and its verb.
_NOT_ADVERBS = lx.word_set(
    "family assembly supply rally ally daily weekly monthly quarterly yearly monopoly "
    "anomaly july italy belly bully holly early only lonely elderly friendly"
)


def adverb(t: Token) -> bool:
    """An adverb by its form: 'repeatedly', 'publicly', 'long' ('has long said')."""
    w = t.lower
    return not t.is_cap and len(w) > 4 and w.endswith("ly") and w not in _NOT_ADVERBS


def _tag_start(tokens: list[Token], e: int) -> int | None:
    """'Sen. X (D-Mo.) said': a short bracketed tag after a name ends at e; where it opens."""
    if e == 0 or tokens[e - 1].text != ")":
        return None
    for k in range(e - 2, max(-1, e - 8), -1):
        if tokens[k].text == "(":
            return k if k > 0 and tokens[k - 1].is_word else None
    return None


def skip_between(tokens: list[Token], v: int) -> int:
    """Index just after the subject: step left over auxiliaries, adverbs, time phrases and
    a bracketed party or place tag."""
    e = v
    while e > 0:
        t = tokens[e - 1]
        if e >= 2 and tokens[e - 2].lower == "that" and t.lower in lx.TIME_WORDS:
            break  # "the nurses on duty that night said": the time belongs to the subject
        if t.lower in lx.BETWEEN_SUBJECT_AND_VERB or adverb(t):
            e -= 1
            continue
        tag = _tag_start(tokens, e)
        if tag is not None:
            e = tag
            continue
        break
    return e


def relative_before(tokens: list[Token], k: int) -> bool:
    """Is there a who/which between a clause edge and token k (a verb in a relative clause)?"""
    for j in range(k - 1, max(-1, k - 10), -1):
        t = tokens[j]
        if t.lower in _RELATIVES:
            return True
        if is_punct(t) or t.lower in lx.CLAUSE_BREAKERS:
            return False
    return False


def np_left(tokens: list[Token], e: int) -> tuple[int, int]:
    """The noun phrase that ends just before index e."""
    i = e
    while i > 0 and e - i < 14:
        t = tokens[i - 1]
        if is_punct(t):
            break
        # "that night", "this week": a determiner of time, not a clause edge
        timed = t.lower in {"that", "this"} and i < e and tokens[i].lower in lx.TIME_WORDS
        if t.lower in lx.CLAUSE_BREAKERS and not and_in_name(tokens, i - 1) and not timed:
            break
        if t.lower in _RELATIVES:
            i -= 1
            continue
        # "farmers interviewed by the Courier said": the agent phrase belongs to the subject
        if t.lower == "by" and i >= 3 and tokens[i - 2].lower in lx.PARTICIPLES:
            i -= 2
            continue
        # "a report by the inspectorate rated": the author belongs to the document
        if t.lower == "by" and i >= 2 and tokens[i - 2].lower in _AUTHORED:
            i -= 1
            continue
        # Whether t is inside a relative clause is asked last in each test below, so the
        # walk back (relative_before) is made only at a step that would stop there.
        # "a new study" / "the figures": an article opens the phrase; a word before it
        # belongs to something else ("a result the authors say") unless it links ("of the")
        if (
            i < e
            and tokens[i].lower in _ARTICLES
            and t.is_word
            and t.lower not in _LINKS
            and not relative_before(tokens, i - 1)
        ):
            break
        # "a report filed with the court found": a participle of a source noun before it
        filed = (
            t.lower in {"with", "to"}
            and i >= 3
            and tokens[i - 2].lower in lx.PARTICIPLES
            and tokens[i - 3].lower.removesuffix("s") in _FILED_HEADS
        )
        if (
            t.lower in _LEFT_STOPS
            and not filed
            and not (i >= 2 and tokens[i - 2].lower in {"close", "familiar"})
            and not relative_before(tokens, i - 1)
        ):
            break  # "according to X said" never; "people close to X" and "familiar with" do
        # "a study published in", "documents obtained by": a participle inside the phrase
        inner_participle = (
            i < e
            and i >= 2
            and tokens[i].lower in {"in", "by", "on", "at", "from", "under", "with", "to"}
            and tokens[i - 2].lower in lx.SOURCE_HEADS
        )
        # "figures released early on Monday showed": a participle after a source noun
        reduced = t.lower in lx.PARTICIPLES and i >= 2 and tokens[i - 2].lower in lx.SOURCE_HEADS
        # "a monitoring mission", "the ruling party": an -ing word after an article
        modifier = t.lower.endswith("ing") and i >= 2 and tokens[i - 2].lower in _ARTICLES
        if (
            verbish(t)
            and not inner_participle
            and not reduced
            and not modifier
            and not relative_before(tokens, i - 1)
        ):
            break
        i -= 1
    # drop openers that are not part of the subject: "However", "On Monday", "Last week"
    while i < e - 1 and (
        tokens[i].lower in lx.LEADING_FILLERS
        or tokens[i].lower in lx.TIME_WORDS
        or tokens[i].text[:1].isdigit()
    ):
        i += 1
    return i, e


def np_right(tokens: list[Token], k: int) -> tuple[int, int]:
    """The noun phrase that starts at index k (after 'according to', 'said', 'citing')."""
    j = k
    n = len(tokens)
    while j < n and j - k < 12:
        t = tokens[j]
        prev = tokens[j - 1].lower if j > k else ""
        # "of earlier trials", "the previous report": after a determiner, an adjective
        adjective = prev in lx.DETERMINERS or prev in _NP_PREPOSITIONS
        if is_punct(t) or t.lower in _RELATIVES or (t.lower in lx.ADVERB_STOPS and not adjective):
            break
        comparison = t.lower == "than" and prev in {"more", "less", "fewer"}
        if t.lower in lx.CLAUSE_BREAKERS and not and_in_name(tokens, j) and not comparison:
            break
        if t.lower in {"in", "on", "by"} and j > k:
            nxt = tokens[j + 1] if j + 1 < n else None
            nxt2 = tokens[j + 2] if j + 2 < n else None
            named = nxt is not None and (
                nxt.is_cap or (nxt.lower == "the" and nxt2 is not None and nxt2.is_cap)
            )
            if not named or (nxt is not None and nxt.lower in lx.TIME_WORDS):
                break
        nxt_head = j + 1 < n and tokens[j + 1].lower in lx.SOURCE_HEADS
        # "results published by the commission": the agent belongs to the source
        if (
            j > k
            and t.lower in lx.PARTICIPLES
            and j + 2 < n
            and tokens[j + 1].lower == "by"
            and tokens[j - 1].lower in lx.SOURCE_HEADS
        ):
            j += 2
            continue
        verbal = verbish(t) or (t.lower in lx.REPORTING_VERBS and t.lower not in lx.SOURCE_HEADS)
        modifier = t.lower.endswith("ing") and prev in _ARTICLES  # "a monitoring mission"
        # "The organisers accused police": a subject and its verb, not "its written decision"
        acts = t.lower in lx.REPORTING_VERBS and prev in lx.SOURCE_HEADS
        after_det = prev in lx.DETERMINERS  # "the top medical journal": a modifier
        if j > k and verbal and (not nxt_head or acts) and not modifier and not after_det:
            break  # "the indictment unsealed last month"; but "its written decision" goes on
        j += 1
    while j > k and (
        tokens[j - 1].lower in _NP_PREPOSITIONS or tokens[j - 1].lower in lx.DETERMINERS
    ):
        j -= 1
    return k, j


def head_of(tokens: list[Token], i: int, j: int) -> int:
    """Index of the head word: the last word before the first preposition or relative."""
    h = j - 1
    for k in range(i + 1, j):
        reduced = tokens[k].lower in lx.PARTICIPLES and tokens[k - 1].is_word
        if tokens[k].lower in _HEAD_BREAK or (reduced and tokens[k - 1].lower not in _ARTICLES):
            h = k - 1
            break
    while h > i and verbish(tokens[h]):
        h -= 1  # "a study published in": the study, not the participle
    return h


def valid_head(t: Token) -> bool:
    w = t.lower.rstrip("'’")
    return (
        t.is_cap
        or w in lx.SOURCE_HEADS
        or w in lx.PRONOUNS
        or bool(_YEAR_OLD.match(w))
        or (w.endswith("'s") and w[:-2] in lx.SOURCE_HEADS)
    )


def is_parenthetical(tokens: list[Token], a: int, b: int) -> bool:
    """', who spoke on condition of anonymity,' or ', in a statement,' — not the subject."""
    if a >= b:
        return False
    first = tokens[a]
    return not first.is_cap and not first.text[:1].isdigit()


_NON_LETTERS = re.compile(r"[^a-z]+")


def classify(tokens: list[Token], i: int, j: int, surnames: frozenset[str]) -> str:
    """The kind of source a noun phrase names."""
    words = [t.lower.rstrip("'’") for t in tokens[i:j]]
    text = " ".join(words)
    if ANON_MARK.search(text):
        return "anonymous"
    h = head_of(tokens, i, j)
    head = tokens[h]
    w = head.lower.rstrip("'’")
    if w in lx.ANON_HEADS:
        return "anonymous"
    caps = [t for t in tokens[i : h + 1] if t.is_cap and t.lower not in lx.DETERMINERS]
    if not head.is_cap or (h == 0 and w in lx.SOURCE_HEADS):
        if w in lx.SOCIAL_HEADS:
            return "social_post"
        if w in lx.MEDIA_HEADS and (
            w not in {"agency", "agencies", "service"} or set(words) & _OUTLET_MARKS
        ):
            return "media"
        if w in lx.DOCUMENT_HEADS:
            return "document"
        if w in lx.PERSON_HEADS or _YEAR_OLD.match(w):
            return "person"
        if w in lx.ORG_HEADS:
            return "organisation"
        if w.endswith(_PERSONISH):
            return "person"  # fisherman, farmer, economist, investor, resident, historian
        return "unknown"
    titled = any(
        not t.is_cap and t.lower in lx.PERSON_HEADS and t.lower not in lx.ORG_HEADS
        for t in tokens[i:h]
    )
    if titled and head.is_cap and not head.text.isupper():
        return "person"  # "Union leader Ann Wolk", "chief executive Tom Ode"
    bodied = any(
        not t.is_cap and t.lower in lx.ORG_HEADS and t.lower not in lx.PERSON_HEADS
        for t in tokens[i:h]
    )
    if bodied and head.is_cap:
        return "organisation"  # "energy firm Acme", "the property group Bexley Homes"
    # "Bexley Homes, which owns the block,": people take "who", bodies "which"
    which = j + 1 < len(tokens) and tokens[j].text == "," and tokens[j + 1].lower == "which"
    cap_words = {t.lower.rstrip("'’").removesuffix("'s") for t in caps}
    parts = {p for c in cap_words for p in _NON_LETTERS.split(c) if p}
    if parts & lx.MEDIA_NAME_WORDS:
        return "media"
    if cap_words & lx.ORG_NAME_WORDS:
        return "organisation"
    if w in lx.PERSON_HEADS:
        return "person"  # "the CEO", "an MP"
    if head.text.isupper() and len(head.text) > 1:
        return "organisation"  # acronyms name bodies, not people
    if len(caps) >= 2:
        return "organisation" if which else "person"
    if words and words[0] == "the":
        return "organisation"  # "the Xs": a group, not a person
    return "person" if w in surnames else "organisation"


def capitalised_runs(tokens: list[Token]) -> list[tuple[int, int]]:
    """Spans of name-like runs ('Judge A B', 'Institute for X and Y'), fillers dropped."""
    runs: list[tuple[int, int]] = []
    k = 0
    n = len(tokens)
    while k < n:
        if tokens[k].is_cap and tokens[k].lower not in lx.LEADING_FILLERS:
            m = k + 1
            while m < n and (
                tokens[m].is_cap
                or (and_in_name(tokens, m) and tokens[m].lower in {"of", "and", "for", "&"})
            ):
                m += 1
            if tokens[k].lower not in {"the", "a", "an", "it", "this", "that"}:
                runs.append((tokens[k].start, tokens[m - 1].end))
            k = m
        else:
            k += 1
    return runs
