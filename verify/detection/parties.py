"""Parties of a story: which side each claim's speaker belongs to, and what it is about.

A speaker's identity is a small set of words: the names in its source phrase, the body
it speaks for ("a hospital spokeswoman", "the commission's chairwoman, X", "Union
leader X", "X's lawyer"), its family ("his daughter, X" speaks for the family), and, for
a bare "the company" or "the group", the organisation the story named before. Two
claims come from the same party when their identities share a word.

A claim's topic is its content words outside the words that attribute it, normalised a
little harder than facts.stem so "nurse" meets "nurses" and "pays" meets "pay".
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import compress, count

from . import lexicon as lx
from .facts import Facts, content_stem, stem
from .lexicon import word_set
from .model import DetectedAttribution
from .phrases import personish
from .segment import END, IS_CAP, IS_WORD, START, TEXT, Token, tokenize

# Relatives: people who speak for a family.
_KIN = word_set(
    "family families mother father son daughter wife husband brother sister parents "
    "relatives widow widower uncle aunt cousin grandmother grandfather niece nephew"
)
# Bodies a person or a plural can speak for, beside the organisation heads.
_BODIES = (lx.ORG_HEADS - lx.PERSON_HEADS) | word_set(
    "police organisers organizers campaign prosecutors family"
)
# A bare head that stands for the organisation named before ("the company said", "the
# chain said"), unless it names a body of its own kind that the story sets apart.
_STAND_INS = (lx.GENERIC_ORG_HEADS | word_set("chain brand manufacturer maker")) - word_set(
    "union party movement coalition alliance"
)
# People who speak as a group and can be a side of a dispute ("Students said").
_GROUPS = word_set(
    "students workers residents protesters demonstrators villagers farmers fishermen "
    "nurses doctors teachers passengers parents patients employees staff witnesses tenants "
    "survivors fans supporters"
)
_GROUP_STEMS = frozenset(stem(w) for w in _GROUPS)
# "Residents of the valley", "workers at the plant": the group with where it is
_GROUP_PLACES = word_set("of at in from near")
# Roles whose holder speaks for a body of another name: a minister for the ministry.
_ROLE_BODY = {"minister": "ministry", "ministers": "ministry"} | dict.fromkeys(
    ("inspector", "constable", "sergeant", "superintendent", "detective", "sgt", "sgt."),
    "police",
)
_STATE_BODIES = word_set("ministry ministries government cabinet presidency")
# Words that end the part of a source phrase that says who it is.
_CUT = word_set("who whose which that at in on with from near outside inside , ( ;")
# Channels: the outlet that carried a statement is not a party to it.
_CHANNELS = frozenset({"media"})
# Documents that are a party's own voice; other documents are evidence, not a party.
_OWN_DOCUMENTS = word_set(
    "statement statements lawsuit suit complaint filing letter post tweet video message "
    "submission affidavit petition"
)
_FILINGS = word_set("lawsuit suit complaint filing affidavit petition")
# Identity words that name a body, not a person: "the hospital", "police", "family".
BODY_WORDS: frozenset[str] = frozenset(stem(w) for w in _BODIES) | {"family", "lawsuit"}


@lru_cache(maxsize=16384)
def norm(word: str) -> str:
    """A word for topic comparison: stem, one more regular ending off, no final e."""
    raw = word.lower().strip("'’\"“”").removesuffix("'s").removesuffix("’s")
    w = stem(word)
    if w == raw:
        for suf in ("es", "s", "ed", "ing"):
            if w.endswith(suf) and len(w) - len(suf) >= 3 and not w.endswith(("ss", "us", "is")):
                w = w[: -len(suf)]
                break
    return w[:-1] if len(w) >= 4 and w.endswith("e") else w


def _phrase_words(tokens: list[Token], names: frozenset[str]) -> set[str]:
    """Identity words of one source phrase: names, the body, possessive owners, kin."""
    words = [t for t in tokens if t.text not in {"'", "’"}]
    cut = next((k for k, t in enumerate(words) if t.lower in _CUT and k > 0), len(words))
    words = words[:cut]
    out: set[str] = set()
    for k, t in enumerate(words):
        w = t.lower.removesuffix("'s").removesuffix("’s").rstrip("'’")
        if not t.is_word or w in lx.DETERMINERS or w in lx.STOPWORDS:
            continue
        if w in _KIN:
            out.add("family")
        elif w in _ROLE_BODY:
            body = _ROLE_BODY[w]
            out |= {body, "government"} if body == "ministry" else {body}
        elif w in _STATE_BODIES and (k == len(words) - 1 or words[k + 1].lower in lx.PERSON_HEADS):
            out |= {w, "government"}  # a ministry speaks for the government
        elif (
            t.is_cap
            and w not in lx.PERSON_HEADS
            and (k > 0 or w in names or (k + 1 < len(words) and words[k + 1].is_cap))
        ):
            out.add(w)
        elif w in _GROUPS and (k == len(words) - 1 or words[k + 1].lower in _GROUP_PLACES):
            out.add(w)  # "Students at X said", "residents said": a collective party
        elif w in _BODIES and (k == len(words) - 1 or t.lower.endswith(("'s", "’s"))):
            out.add(w)  # the head, or an owner: "the commission's chairwoman"
            if k > 0 and stem(words[k - 1].lower) in _GROUP_STEMS:
                out.add(words[k - 1].lower)  # "the student union" speaks for students
        elif w in _BODIES and k + 1 < len(words) and words[k + 1].lower in lx.PERSON_HEADS:
            out.add(w)  # "a hospital spokeswoman", "union official"
        elif w in _FILINGS:
            out.add("lawsuit")
    return {stem(w) for w in out}


def _region(body: str, f: Facts, a: DetectedAttribution) -> list[list[Token]]:
    """The source phrase with the apposition around it ('X's lawyer, Y,' / 'Y, the
    head of the council,'), as separate parts."""
    toks = f.tokens
    # the tokens inside the source: a run of them, found by halving (tokens are in order)
    lo = bisect_left(toks, a.start, key=START)
    hi = bisect_right(toks, a.end, key=END)
    if lo >= hi:
        return [tokenize(body, a.start, a.end)]  # a pronoun resolved to a source before
    parts = [toks[lo:hi]]
    if lo >= 2 and toks[lo - 1].text == "," and a.end <= a.cue_start:
        m = lo - 2
        while m > 0 and lo - m < 7 and toks[m - 1].text != "," and toks[m - 1].is_word:
            m -= 1
        role = toks[lo - 2].lower
        person = role in lx.PERSON_HEADS or role in _KIN or personish(role)
        if (m == 0 or toks[m - 1].text in {",", '"', "”"}) and person:
            parts.append(toks[m : lo - 1])  # "The commission's chairwoman, X," / "his son, X,"
    if hi + 1 < len(toks) and toks[hi].text == "," and toks[hi + 1].lower in {"a", "an", "the"}:
        end = next((m for m in range(hi + 1, len(toks)) if toks[m].text == ","), len(toks))
        parts.append(toks[hi + 1 : end])
    return parts


def own_attributions(f: Facts) -> list[DetectedAttribution]:
    """The attributions a sentence makes itself (or carries on from a quote before)."""
    s = f.sentence
    own = [a for a in f.attributions if s.start <= a.cue_start < s.end]
    return own or list(f.attributions)


def identities(
    body: str, facts: list[Facts], claims: list[int], names: frozenset[str]
) -> dict[int, set[str]]:
    """Identity words of each attributed claim's speakers."""
    out: dict[int, set[str]] = {}
    named_orgs: list[set[str]] = []  # identities of organisations the story named, in order
    prev: set[str] = set()
    people: dict[str, set[str]] = {}  # a name word -> the identity it was first seen with
    subjects: list[set[str]] = []  # names that open the sentences so far ("Acme Air cancelled")
    runs: list[set[str]] = []  # every name of two or more words so far ("St Ann's Hospital")
    read = 0  # the sentences before this one whose names are in subjects and runs

    def read_names_before(i: int) -> None:
        """Fill subjects and runs from the sentences before i, only when a bare "the
        company" asks (most claims name their speaker: the names are seldom needed)."""
        nonlocal read
        for g in facts[read:i]:
            subjects.extend(_opening_name(g))
            runs.extend(_names_in(g))
        read = max(read, i)

    claimed = set(claims)
    for i, f in enumerate(facts):
        if i not in claimed:
            continue
        attrs = own_attributions(f)
        speakers = [a for a in attrs if a.source_kind not in _CHANNELS] or attrs
        words: set[str] = set()
        for a in speakers:
            src = a.source.split()
            head = src[-1].lower() if src else ""
            if a.source_kind == "document" and head not in _OWN_DOCUMENTS:
                continue
            mine: set[str] = set()
            for part in _region(body, f, a):
                mine |= _phrase_words(part, names)
            if src and src[0].lower() in {"his", "her", "its", "their"}:
                mine |= prev  # "His campaign said": the speaker before
            # "the company", "a spokesman for the chain"; not "a state agency"
            low = [w.lower() for w in src]
            if len(low) >= 2 and low[-2] == "the" and (mine - {stem(low[-1])}) <= _BODIES:
                read_names_before(i)
                mine |= _stand_in(low[-1], runs, named_orgs, subjects, out)
            elif (
                a.source_kind == "organisation"
                and any(w[:1].isupper() and w.lower() not in lx.DETERMINERS for w in src)
                and mine - _STAND_INS
            ):
                named_orgs.append(mine)
            words |= mine
        for w in list(words - BODY_WORDS):
            words |= people.get(w, set())  # "Ode said": the "Acme chief Ann Ode" of before
        for w in words - BODY_WORDS:
            people[w] = people.get(w, set()) | words
        if words:
            out[i] = words
            prev = words
    return out


def _stand_in(
    head: str,
    runs: list[set[str]],
    named_orgs: list[set[str]],
    subjects: list[set[str]],
    speakers: dict[int, set[str]],
) -> set[str]:
    """What a bare "the hospital" or "the company" stands for: the name before that has
    the word ("St Ann's Hospital"), else the last speaker with that head ("the provincial
    environmental agency said ... the agency"); for a general head, else the
    organisation named before, else the name a sentence before opened with ("Acme Air
    cancelled ...")."""
    w = stem(head)
    for run in reversed(runs):
        if w in run:
            return run
    for words in reversed(speakers.values()):
        if w in words:
            return words
    if head in _STAND_INS and (named_orgs or subjects):
        return (named_orgs or subjects)[-1]
    return set()


def _names_in(f: Facts) -> list[set[str]]:
    """Stems of each run of two or more capitalised words (no determiner) in a body
    sentence. Only the capitalised tokens are visited: most words are not."""
    out: list[set[str]] = []
    if f.heading:
        return out
    toks = f.tokens
    run: list[str] = []
    after = -1  # the index just after the run's last word: a gap ends the run
    for k in compress(count(), map(IS_CAP, toks)):
        t = toks[k]
        if k != after and run:
            if len(run) >= 2:
                out.append(set(run))
            run = []
        if t.is_word and t.lower not in lx.DETERMINERS:
            run.append(stem(t.text))
            after = k + 1
    if len(run) >= 2:
        out.append(set(run))
    return out


def _opening_name(f: Facts) -> list[set[str]]:
    """The name of two or more capitalised words a body sentence opens with."""
    toks = f.tokens
    k = 0
    while k < len(toks) and toks[k].is_cap and toks[k].is_word:
        k += 1
    if f.heading or k < 2 or toks[0].lower in lx.DETERMINERS | lx.LEADING_FILLERS:
        return []
    if any(t.lower in lx.PERSON_HEADS for t in toks[:k]):
        return []  # "Finance Minister Ann Ode said": a person, not a body to stand in for
    return [{stem(t.text) for t in toks[:k] if t.lower not in lx.PERSON_HEADS}]


def topic(f: Facts) -> frozenset[str]:
    """Content words of a claim outside its attributions and their cues (computed once:
    the attributions are settled before the story-level passes ask)."""
    if f.topic_words is None:
        f.topic_words = _topic(f)
    return f.topic_words


def _topic(f: Facts) -> frozenset[str]:
    toks = f.tokens
    words: list[str | None] = list(map(_topic_word, map(TEXT, toks)))
    for a in f.attributions:
        for s, e in ((a.start, a.end), (a.cue_start, a.cue_end)):
            # the words inside a source or its cue are no topic: a run of tokens
            lo, hi = bisect_left(toks, s, key=START), bisect_right(toks, e, key=END)
            words[lo:hi] = [None] * max(0, hi - lo)
    out = set(words)
    out.discard(None)
    return frozenset(out)  # type: ignore[arg-type]  # None is discarded


@lru_cache(maxsize=16384)
def _topic_word(text: str) -> str | None:
    """A content word (content_stem's test) for topic comparison; cached by word."""
    return None if content_stem(text) is None else norm(text)


def mentions(f: Facts) -> set[str]:
    """Every word of the sentence as an identity word, to see whom a claim names."""
    return set(map(stem, map(TEXT, filter(IS_WORD, f.tokens))))  # mapped in C


def named(f: Facts) -> set[str]:
    """The parties a claim mentions: capitalised words past the sentence's first, and
    bodies or groups by their common noun ("police beat protesters")."""
    return {
        stem(t.text)
        for k, t in enumerate(f.tokens)
        if t.is_word and ((k > 0 and t.is_cap) or t.lower in _BODIES or t.lower in _GROUPS)
    }


def story_names(facts: list[Facts]) -> frozenset[str]:
    """Capitalised words the story writes mid-sentence: names, not sentence openers."""
    return frozenset(
        f.tokens[k].lower.removesuffix("'s").removesuffix("’s")
        for f in facts
        if not f.heading
        for k in compress(count(), map(IS_CAP, f.tokens))  # most words are not capitalised
        if k > 0 and f.tokens[k - 1].is_word
    )


def phrase_identity(tokens: list[Token], names: frozenset[str]) -> set[str]:
    """Identity words of a phrase that names a party ('the separatist X Forces')."""
    return _phrase_words(tokens, names)
