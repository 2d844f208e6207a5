"""Attribution: who a sentence says its statement comes from, with offsets.

Covers reporting verbs in both orders ("X said", "said X"), "X told Y", "according to X",
"citing X", evidence verbs of documents ("records show"), report arrivals ("reports came
of"), appositives and parentheticals ("X, speaking anonymously, said"),
possessive documents ("X's tweet") and pronoun subjects, which the detector resolves.
"""

from __future__ import annotations

from dataclasses import replace

from . import lexicon as lx
from .clauses import (
    ACCEPT,
    ASK,
    FRAMED,
    ING_REPORTS,
    NAME,
    POINT,
    REFER,
    REFLEXIVES,
    cited_as_saying,
    framed_report,
    modified_head,
    participle_clauses,
)
from .lexicon import word_set
from .phrases import (
    ANON_MARK,
    head_of,
    is_parenthetical,
    is_punct,
    np_left,
    np_right,
    skip_between,
    verbish,
)
from .raw import RawAttribution, make_raw
from .secondary import (
    CALL_VERBS,
    HOLDER_VERBS,
    answers_claim,
    apposed,
    clause_subject,
    drop_agent,
    holders,
    negated_denial,
    opening_document,
    reported_inside,
    role_before,
    singular_role,
    social_channel,
    vouched_by_agent,
)
from .segment import LOWER, Token, indices_of, make_token

_QUOTES = frozenset("\"'“”‘’")
_PREP_FIRST = frozenset(p[0] for p in lx.SOURCE_PREPOSITIONS)
_SAY = frozenset({"say", "says", "said", "told", "tell", "tells"})
_MODALS = frozenset({"would", "could", "might", "may", "should", "will", "can", "must"})
# "The family named him ... and said": the clause subject speaks
_COORDINATORS = frozenset({"and", "but"})


def _noun_use(tokens: list[Token], v: int) -> bool:
    """'the claim', 'the group's claim': a noun, not a reporting verb."""
    if tokens[v].lower not in lx.NOUN_OR_VERB or v == 0:
        return False
    w = tokens[v].lower
    prev = tokens[v - 1].lower
    nxt = tokens[v + 1].lower if v + 1 < len(tokens) else ""
    if prev == "to" and v >= 2 and tokens[v - 2].lower in _SEEM:
        return False  # "appeared to show": a verb
    return (
        prev in lx.NOUN_MAKERS
        or prev.endswith(("'s", "’s", "s'"))
        # "media reports"; not after a name's last word ("the X Association estimates")
        or (w in lx.SOURCE_HEADS and prev in lx.SOURCE_HEADS and not tokens[v - 1].is_cap)
        or nxt in lx.REPORTING_VERBS  # "reports say"
        or nxt in lx.AUXILIARIES
        or nxt in lx.ADVERB_STOPS
    )


def _passive(tokens: list[Token], v: int) -> bool:
    """'is said to', 'was found dead', 'were told': no source in subject position."""
    k = v - 1
    while k >= 0 and tokens[k].lower in {"also", "widely", "not", "already", "previously"}:
        k -= 1
    return k >= 0 and tokens[k].lower in {"is", "are", "was", "were", "be", "been", "being"}


_SEEM = word_set("appear appears appeared seem seems seemed")


def _age(tokens: list[Token], a: int, b: int) -> bool:
    """', 46,' after a name: an age in apposition, not the subject."""
    return b == a + 1 and tokens[a].text.isdigit() and len(tokens[a].text) <= 3


_HOME = frozenset({"of", "from"})  # ", of Leeds,": where a person in the news lives


def _relative_verb(t: Token) -> bool:
    """The verb of a short relative clause: 'that represents', 'that runs'."""
    w = t.lower
    return (
        t.is_word
        and not t.is_cap
        and w not in lx.STOPWORDS
        and (w.endswith(("s", "ed")) or w in lx.PARTICIPLES)
        and not w.endswith(("ss", "'s", "’s"))
    )


_REL = frozenset({"who", "which", "that"})


def _subject(tokens: list[Token], v: int) -> tuple[int, int, bool]:
    """Subject phrase of the verb at v, through relative clauses: in 'chemicals which the
    inspector said were toxic' the inspector speaks; in 'Farmers, who said ...' the
    farmers do. The flag says a parenthetical was jumped over."""
    i, j, anon = _plain_subject(tokens, v)
    if i < j and tokens[i].lower == "whose" and i > 0:
        # "The mayor, whose office said ...": the office is the mayor's; the mayor speaks
        end = i - 1 if tokens[i - 1].text == "," else i
        a, b = np_left(tokens, end) if end > 0 else (0, 0)
        if a < b:
            return a, b, anon
    rel = next((k for k in range(i, j) if tokens[k].lower in _REL), None)
    if rel is None:
        return i, j, anon
    if rel + 1 < j:
        if verbish(tokens[rel + 1]) or not (
            tokens[rel + 1].is_cap
            or tokens[rel + 1].lower in lx.DETERMINERS
            or tokens[rel + 1].lower in lx.PRONOUNS
        ):
            return i, j, anon  # "nurses who worked there said": the relative is inside
        return rel + 1, j, anon  # an object relative: its own subject speaks
    if rel == j - 1 and rel > 0:
        # a subject relative: the phrase it follows ("X, who said" / "people who said")
        end = rel - 1 if tokens[rel - 1].text == "," else rel
        if end > 0 and not is_punct(tokens[end - 1]):
            a, b = np_left(tokens, end)
            if a < b:
                return a, b, anon
    return i, j, anon


def _plain_subject(tokens: list[Token], v: int) -> tuple[int, int, bool]:
    if v >= 2 and tokens[v - 1].lower == "to" and tokens[v - 2].lower in _SEEM:
        v -= 2  # "Videos ... appeared to show": the subject of the appearance
    e = skip_between(tokens, v)
    jumped_anon = stepped = False
    for _ in range(3):
        if e == 0:
            return 0, 0, jumped_anon
        # the comma before the verb, or (after a parenthetical was stepped over) the one
        # that closes the next: "X, 54, of Leeds, denies" has two in a row
        chained = stepped and tokens[e].text == ","
        if tokens[e - 1].text == "," or chained:
            close = e if chained else e - 1
            c = close - 1
            while c >= 0 and tokens[c].text != ",":
                c -= 1
            # a second one in a row is only an age or a home town (", 54, of Leeds,"),
            # never what a quotation or a name before it holds
            home = c + 1 < close and tokens[c + 1].lower in _HOME
            aside = home or _age(tokens, c + 1, close)
            if not chained:
                aside = aside or is_parenthetical(tokens, c + 1, close)
            if c >= 0 and aside:
                chunk = " ".join(t.lower for t in tokens[c + 1 : close])
                # ", citing people familiar with it,": the citing clause has its own source
                cites = chunk.startswith(("citing", "quoting"))
                jumped_anon = jumped_anon or (bool(ANON_MARK.search(chunk)) and not cites)
                e = skip_between(tokens, c)
                stepped = True
                continue
            if not chained:
                i, j = np_left(tokens, e - 1)
                return i, j, jumped_anon
        if e > 0 and tokens[e - 1].lower in _COORDINATORS:
            return (*clause_subject(tokens, e - 1), jumped_anon)
        i, j = np_left(tokens, e)
        # not after a word that is also a noun ("a candidate seeking a fourth term,"):
        # there the phrase before it is more likely the noun's own
        plain_verb = tokens[v].lower not in lx.NOUN_OR_VERB
        held = modified_head(tokens, i) if i < j and plain_verb else None
        if held is not None:
            # "A union representing workers said": the union speaks, not the workers; "a
            # group calling itself X" names it, so the phrase keeps the name
            k, p = held
            if tokens[p + 1].lower in REFLEXIVES:
                p = j
            chunk = " ".join(t.lower for t in tokens[p:j])
            return k, p, jumped_anon or bool(ANON_MARK.search(chunk))
        if i >= 3 and tokens[i - 2].lower == "that" and _relative_verb(tokens[i - 1]):
            # "a union that represents the tenants said": the union speaks
            k, _ = np_left(tokens, i - 2)
            if k < i - 2 and tokens[i - 3].is_word and tokens[i - 3].lower not in _SAY:
                return k, j, jumped_anon
        # "Name, governor of Province told": the bare role is an appositive of the name
        if (
            i < j
            and not tokens[i].is_cap
            and tokens[i].lower not in lx.DETERMINERS
            and i >= 2
            and tokens[i - 1].text == ","
            and tokens[i - 2].is_cap
            and tokens[i - 2].lower not in lx.TIME_WORDS
            and singular_role(tokens[head_of(tokens, i, j)].lower)
        ):
            return (*np_left(tokens, i - 1), jumped_anon)
        return i, j, jumped_anon
    return 0, 0, jumped_anon


def _role_kind(tokens: list[Token], i: int) -> str | None:
    """'The paving firm, Acme Paving, said': the role before the name tells its kind."""
    if i < 2 or tokens[i - 1].text != ",":
        return None
    role = tokens[i - 2].lower
    if role in lx.ORG_HEADS and role not in lx.PERSON_HEADS:
        return "organisation"
    if role in lx.PERSON_HEADS:
        return "person"
    return None


# Verbs that take what is rejected as their object: ", rejected the allegations," is
# no inverted "said X"; its subject stands before it.
_TRANSITIVE = word_set(
    "reject rejects rejected dismiss dismisses dismissed deny denies denied accuse accuses "
    "accused blame blames blamed dispute disputes disputed refute refutes refuted "
    "contradict contradicts contradicted criticise criticised criticize criticized urge "
    "urges urged told tell tells"
)


def _titled_name(tokens: list[Token], k: int) -> int | None:
    """'said spokesman X', 'said lead author X': a lower-case title of one to three
    words ending in a role noun, right before a capitalised name; where the name starts.
    News English writes a title before a name in lower case unless it opens a sentence;
    a plural one before names ('said residents X and Y') names each of them."""
    for m in range(k, min(k + 3, len(tokens) - 1)):
        t = tokens[m]
        if not t.is_word or t.is_cap or t.lower in lx.STOPWORDS or not t.text.isalpha():
            return None
        role = singular_role(t.lower) or _group_of_people(t.lower)
        if role and tokens[m + 1].is_cap and tokens[m + 1].is_word:
            return m + 1
    return None


def _group_of_people(word: str) -> bool:
    """'residents', 'witnesses': the plural of a role noun, which names may follow."""
    if not word.endswith("s") or word not in lx.PERSON_HEADS:
        return False
    return word[:-1] in lx.PERSON_HEADS or (word.endswith("es") and word[:-2] in lx.PERSON_HEADS)


def _inverted_start(tokens: list[Token], v: int) -> int | None:
    """'..., said X' / '"...," said X': index where X starts, else None.

    The phrase after the verb is its subject only when nothing verbal follows it;
    in ', said the administration had ...' it opens the reported clause instead.
    """
    if v == 0 or v + 1 >= len(tokens) or tokens[v].lower in _TRANSITIVE:
        return None
    prev = tokens[v - 1].text
    if prev != "," and prev not in _QUOTES:
        return None
    k = v + 1
    t = tokens[k]
    if t.lower in lx.PRONOUNS or t.lower in {"that", "it", "in", "on"}:
        return None
    named = None if t.is_cap else _titled_name(tokens, k)
    if named is not None:
        k = named  # '"...," said press secretary X': the name after the title speaks
    elif not (t.is_cap or t.lower in lx.DETERMINERS):
        return None
    i, j = np_right(tokens, k)
    if i >= j:
        return None
    if j < len(tokens):
        after = tokens[j]
        if not (
            is_punct(after) or after.lower in {"in", "on", "at", "during", "last", "this", "who"}
        ):
            return None
    return k


_PUT_VERBS = word_set("put puts putting placed places valued values pegged")
_ESTIMATE_NOUNS = word_set("toll number figure total tally count cost estimate losses damage")
# "put the loss nearer £6m", "valued it at about $1.4bn": a figure right after says the
# subject gives its own estimate of whatever the object is
_ESTIMATE_PREPS = word_set("at nearer closer near")
_APPROX = word_set("about around roughly some nearly almost just over under to least")


def _figure_after(ahead: list[Token]) -> bool:
    for k, x in enumerate(ahead):
        if x.lower in _ESTIMATE_PREPS and k > 0:
            rest = [t.text[:1] for t in ahead[k + 1 :] if t.lower not in _APPROX]
            return bool(rest) and (rest[0].isdigit() or rest[0] in "$£€")
    return False


def _estimate_frames(tokens: list[Token], surnames: frozenset[str]) -> list[RawAttribution]:
    """'The authority put the death toll at 22': the subject gives its own figure."""
    out: list[RawAttribution] = []
    for v, t in enumerate(tokens):
        if t.lower not in _PUT_VERBS or v == 0:
            continue
        ahead = [x.lower for x in tokens[v + 1 : v + 9]]
        noun = next((k for k, w in enumerate(ahead) if w in _ESTIMATE_NOUNS), None)
        if (noun is None or "at" not in ahead[noun + 1 :]) and not _figure_after(
            tokens[v + 1 : v + 12]
        ):
            continue
        i, j, _ = _subject(tokens, v)
        raw = make_raw(tokens, i, j, t, surnames, loose=True)
        role = role_before(tokens, i) if raw is not None else None
        if raw is not None:
            out.append(replace(raw, role=role) if role else raw)
    return out


def _verb_fits(tokens: list[Token], v: int, h: int) -> bool:
    """Arrival verbs need a report for subject ("reports came"); evidence verbs a document
    or a body ("records show", "the panel found"), unless a "that" clause follows."""
    w = tokens[v].lower
    head = tokens[h].lower
    if w in lx.ARRIVAL_VERBS:
        return head in {"reports", "report", "word", "news", "rumours", "rumors"}
    if w in lx.EVIDENCE_VERBS:
        return (
            head in lx.DOCUMENT_HEADS
            or head in lx.SOCIAL_HEADS
            or head in lx.ORG_HEADS
            or head in lx.MEDIA_HEADS
            or head in lx.PRONOUNS
            or (v + 1 < len(tokens) and tokens[v + 1].lower == "that")
        )
    return True


# An article or possessive before a verb form makes it a modifier ("an estimated").
_MODIFIED = word_set("a an the its their his her")
_BE_OR_NOT = word_set("is are was were be been being not never")
_BE_FINITE = word_set("is are was were am")
# "In a lawsuit filed on Tuesday, X said": the filing is a source beside its author
_FILINGS = word_set("lawsuit lawsuits suit complaint filing indictment affidavit petition claim")


# Every word that can open an attribution in find_attributions' loop.
_ANY_CUE = (
    lx.REPORTING_VERBS
    | lx.ARRIVAL_VERBS
    | _PREP_FIRST
    | POINT
    | REFER
    | FRAMED
    | ASK
    | NAME
    | ACCEPT
    | CALL_VERBS
    | {"cited"}
)


# Words that open the reported clause after "told X" ("told the BBC he wanted to stay"):
# once one is passed, a later "to" is inside what was said, not an order.
_CLAUSE_OPENERS = lx.PRONOUNS.keys() | lx.AUXILIARIES | lx.CLAUSE_BREAKERS | lx.IRREGULAR_FINITE


def _an_order(tokens: list[Token], v: int) -> bool:
    """'told 3,000 households to boil water': an order the subject gave, not something it
    said is so; the claim is the order's own act, with no source. 'told the BBC he wanted
    to stay' and 'told reporters that ...' report speech."""
    for k in range(v + 1, min(v + 9, len(tokens) - 1)):
        t = tokens[k]
        if t.lower == "to":
            nxt = tokens[k + 1]
            return k > v + 1 and nxt.is_word and not nxt.is_cap and nxt.lower not in lx.DETERMINERS
        if not t.is_word or t.lower in _CLAUSE_OPENERS or t.lower in lx.REPORTING_VERBS:
            return False
    return False


def _clause_follows(tokens: list[Token], v: int) -> bool:
    """'officials state that', 'the report states: ...'; not 'state schools'."""
    if v + 1 >= len(tokens):
        return True
    nxt = tokens[v + 1]
    return nxt.lower == "that" or not nxt.is_word or nxt.lower in lx.DETERMINERS


def _legal_filing(tokens: list[Token], raw: RawAttribution) -> bool:
    words = [t.lower for t in tokens if raw.start <= t.start and t.end <= raw.end]
    return bool(words) and words[-1] in _FILINGS


def find_attributions(tokens: list[Token], surnames: frozenset[str]) -> list[RawAttribution]:
    """All attributions in one sentence's tokens, in text order, without duplicates."""
    found: list[RawAttribution] = []
    lowers = set(map(LOWER, tokens))
    for v in indices_of(tokens, _ANY_CUE):  # most words are none
        t = tokens[v]
        w = t.lower
        # "according to X", "citing X", "quoted by X"
        for prep in lx.SOURCE_PREPOSITIONS if w in _PREP_FIRST else ():
            if tuple(map(LOWER, tokens[v : v + len(prep)])) == prep:
                if prep[-1] == "by" and v > 0 and tokens[v - 1].lower in _BE_OR_NOT:
                    continue  # "was not seen by a doctor": an action, no source
                if prep == ("cited",) and not cited_as_saying(tokens, v):
                    continue  # "the lawyer cited a study": the lawyer speaks, not the study
                after = v + len(prep)
                # "citing what she described as ...": whoever described it, not "what she"
                if after < len(tokens) and tokens[after].lower == "what":
                    after += 1
                cue_end = tokens[v + len(prep) - 1]
                cue = make_token(
                    " ".join(x.text for x in tokens[v : v + len(prep)]), t.start, cue_end.end
                )
                i, j = np_right(tokens, after)
                raw = make_raw(tokens, i, j, cue, surnames, loose=True)
                if raw is not None:
                    found.append(apposed(raw, tokens, i, j, len(tokens), cue, surnames))
        # "is promising", "was insisting": the progressive reports as the simple tense does
        progressive = w.endswith("ing") and v > 0 and tokens[v - 1].lower in _BE_FINITE
        is_report = (
            w in lx.REPORTING_VERBS and (not w.endswith("ing") or progressive)
        ) or framed_report(tokens, v)
        is_arrival = w in lx.ARRIVAL_VERBS
        if not (is_report or is_arrival) or (t.is_cap and v > 0):
            continue
        if w == "quoted" or _noun_use(tokens, v) or (_passive(tokens, v) and not progressive):
            continue
        if v > 0 and tokens[v - 1].lower in _MODIFIED:
            continue  # "an estimated 4,000", "its reported losses": a modifier, not a verb
        if negated_denial(tokens, v):
            continue  # "has never disputed it": no denial, so no source of one
        if (
            w in {"charged", "charges", "charge"}
            and tokens[v + 1 : v + 2]
            and (tokens[v + 1].lower == "with")
        ):
            continue  # "charged with murder": an indictment, not a statement
        if w in {"told", "tell", "tells"} and _an_order(tokens, v):
            continue  # "told residents to boil water": an order, not a statement
        if w in {"state", "states"} and not _clause_follows(tokens, v):
            continue  # "state schools", "member states": not the verb
        k = _inverted_start(tokens, v) if is_report else None
        if k is not None:
            i, j = np_right(tokens, k)
            raw_i, raw_j = i, j
            raw = make_raw(tokens, i, j, t, surnames, loose=w in _SAY)
            if raw is not None and k > v + 1:
                # the title before the name is its role, and a person's
                title = (tokens[v + 1].start, tokens[k - 1].end)
                raw = replace(raw, kind="person", role=title)
        else:
            i, j, anon = _subject(tokens, v - 1 if progressive else v)
            if i < j and answers_claim(tokens, i):
                continue  # ", a figure the union said was too low": a reply, not a source
            # a modal inside a clause set off by commas ("The minister, who will step
            # down, said") is not the reporting verb's
            last_comma = max((m for m in range(j, v) if tokens[m].text == ","), default=j)
            if any(x.text in _MODALS for x in tokens[last_comma:v]):  # "May" the month
                continue  # "would show", "will say": not something a source said
            if any(x.lower == "what" for x in tokens[max(0, i - 1) : j]):
                continue  # "beyond what the data showed": not a source speaking
            cut = drop_agent(tokens, i, j)
            if cut < j and w in lx.EVIDENCE_VERBS and vouched_by_agent(tokens, cut):
                # "Video verified by an outlet showed ...": the outlet vouches for it (its own
                # cue finds it); the evidence is how the claim is known, not who says it
                continue
            j = cut
            raw_i, raw_j = i, j
            raw = make_raw(tokens, i, j, t, surnames, loose=w in _SAY)
            if (
                raw is not None
                and raw.kind != "document"
                and tokens[head_of(tokens, i, j)].lower not in lx.DOCUMENT_HEADS
                and reported_inside(tokens, i)
            ):
                # "X said drivers had complained": X's account, not the drivers'; a
                # document X says shows it ("said records showed") is a source still,
                # given by its issuer when the text names one ("an audit by the county")
                continue
            hint = _role_kind(tokens, i)
            # a person role does not make a company name a person ("its owner, X Chemicals")
            kinds = {"person", "organisation"} if hint == "organisation" else {"person"}
            if raw is not None and hint is not None and raw.kind in kinds:
                raw = RawAttribution(raw.start, raw.end, hint, raw.cue, raw.cue_start, raw.cue_end)
            if raw is not None and anon:
                raw = RawAttribution(
                    raw.start, raw.end, "anonymous", raw.cue, raw.cue_start, raw.cue_end
                )
            if raw is not None and i < j and not _verb_fits(tokens, v, head_of(tokens, i, j)):
                raw = None
            role = role_before(tokens, i) if raw is not None else None
            if raw is not None and role is not None:
                raw = replace(raw, role=role)  # "The firm's chief, X, said": X's role
        if raw is None:
            continue
        # "said the firm's lawyer, X": the name speaks, the role is its affiliation
        j_end = len(tokens) if k is not None else v
        found.append(apposed(raw, tokens, raw_i, raw_j, j_end, t, surnames))
    # each of these needs one of its words: one set test spares most sentences the scan
    if not lowers.isdisjoint(HOLDER_VERBS):
        found += holders(tokens, surnames)
    if not lowers.isdisjoint(_PUT_VERBS):
        found += _estimate_frames(tokens, surnames)
    if not lowers.isdisjoint(ING_REPORTS):
        found += participle_clauses(tokens, surnames, found)
    opening = opening_document(tokens, surnames)
    if opening is not None and (not found or _legal_filing(tokens, opening)):
        found.append(opening)
    if tokens and social_channel(tokens) is not None:
        found = [
            replace(a, kind="social_post") if a.kind in {"person", "organisation", "unknown"} else a
            for a in found
        ]
    seen: set[tuple[int, int]] = set()
    out: list[RawAttribution] = []
    for a in sorted(found, key=lambda a: (a.cue_start, a.start)):
        if (a.start, a.end) not in seen:
            seen.add((a.start, a.end))
            out.append(a)
    return out
