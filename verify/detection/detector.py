"""Claim detection over a story body: segment, attribute, find signals, link the story."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from itertools import compress, count

from . import collector, hedges, signals
from . import lexicon as lx
from .anchors import AnchorSet
from .attribution import find_attributions
from .backrefs import refer_back
from .casing import read_case
from .checkable import checkable_reasons
from .conflicts import link_story
from .elaborations import denial_elaborations
from .facts import Facts
from .headlines import (
    acts,
    analysable,
    bare_subjects,
    edge_sources,
    has_verb,
    headline_signals,
    plain_tokens,
    title_case,
)
from .hedges import states_possibility, uncertainty
from .model import DetectedAttribution, DetectedClaim, Signal
from .phrases import capitalised_runs, classify, np_right
from .raw import RawAttribution
from .secondary import after_opening
from .segment import IS_CAP, Sentence, Token, is_heading, plain_punctuation, segment, tokenize
from .signals import cue_signals, source_signals

_PRONOUN_KINDS: dict[str, frozenset[str]] = {
    "person": frozenset({"person", "unknown", "anonymous", "social_post"}),
    "org": frozenset({"organisation", "media", "document", "unknown", "social_post"}),
    "any": frozenset({"person", "organisation", "media", "anonymous", "unknown", "social_post"}),
}

_OPENERS = lx.DETERMINERS | lx.LEADING_FILLERS
# The words that contest cues and uncertainty markers need before their patterns run.
_ANCHORS = AnchorSet(signals.ANCHORS + hedges.ANCHORS)


def _is_named(source: str, *, strict: bool = False) -> bool:
    """A proper name, not a description ('The minister'); strict: more than a capital
    that only opens the sentence ('Rebels')."""
    words = [w for w in source.split() if w.lower() not in lx.DETERMINERS]
    caps = [w for w in words if w[:1].isupper()]
    if strict:
        return len(caps) >= 2 or (len(caps) == 1 and source.split()[0].lower() == "the")
    return bool(caps)


# Bodies of a kind: "the union" stands only for a named union, "the company" or "the
# airline" for any named body but a union, party or the like; "the group" for any.
_ANY_BODY = lx.word_set("group organisation organization outfit")
_NOT_COMPANIES = lx.word_set(
    "union unions party movement coalition alliance militia club team agency federation"
)


def _same_kind(head: str, name: str) -> bool:
    words = {w.lower() for w in name.split()}
    if head in _ANY_BODY:
        return True
    if head in _NOT_COMPANIES:
        return bool(words & {head, head + "s"})
    return not (words & _NOT_COMPANIES)  # the company, the airline, the bank


def _mid_sentence_names(tokens: list[list[Token]]) -> frozenset[str]:
    """Capitalised words the story writes mid-sentence: names, not sentence openers."""
    return frozenset(
        toks[k].lower.removesuffix("'s").removesuffix("’s")
        for toks in tokens
        for k in compress(count(), map(IS_CAP, toks))  # most words are not capitalised
        if k > 0 and toks[k - 1].is_word
    )


def _surnames(tokens: list[list[Token]], headings: list[bool]) -> frozenset[str]:
    """Last words of multi-word names: a later bare 'Okoro' is then a person.
    Headlines are left out: their title case makes every run look like a name."""
    out: set[str] = set()
    for toks, heading in zip(tokens, headings, strict=True):
        if heading:
            continue
        caps = list(compress(count(), map(IS_CAP, toks)))  # most words are not capitalised
        a = 0
        while a < len(caps):
            if toks[caps[a]].lower in _OPENERS:
                a += 1
                continue
            b = a  # the run of capitalised words that follow one another
            while b + 1 < len(caps) and caps[b + 1] == caps[b] + 1:
                b += 1
            if b > a:
                out.add(toks[caps[b]].lower.removesuffix("'s").removesuffix("’s"))
            a = b + 1
    return frozenset(out)


# A subject that names nobody ("Nobody at the ministry would comment.", "No one", "Few
# at the union", "None of the airlines", "No spokesman"): it says who did not speak, so
# no later pronoun stands for it. "No" only before a word ("No. 10 said" is a source).
_NOBODY = lx.word_set("nobody none few neither")


def _names_nobody(toks: list[Token], k: int) -> bool:
    w = toks[k].lower
    return w in _NOBODY or (w == "no" and k + 1 < len(toks) and toks[k + 1].text.isalpha())


def _sentence_subject(
    body: str, toks: list[Token], surnames: frozenset[str]
) -> tuple[int, int, str] | None:
    """The phrase a sentence opens with, if it can be a source (for 'it said', 'its website')."""
    k = after_opening(toks, len(toks))
    while k < len(toks) and toks[k].lower in lx.LEADING_FILLERS | {","}:
        k += 1
    if k >= len(toks) or not toks[k].is_word or toks[k].lower in lx.PRONOUNS:
        return None
    if _names_nobody(toks, k):
        return None
    i, j = np_right(toks, k)
    if i >= j:
        return None
    head = toks[j - 1]
    if not (head.is_cap or head.lower in lx.SOURCE_HEADS):
        return None
    # "The club's lawyer, Ana Ruiz, ...": a role and the name in apposition are one
    # source, the name (as attribution.py gives them)
    if not head.is_cap and j + 2 < len(toks) and toks[j].text == ",":
        m = j + 1
        while m < len(toks) and toks[m].is_cap and toks[m].is_word:
            m += 1
        if m - (j + 1) >= 2 and m < len(toks) and toks[m].text == ",":
            return toks[j + 1].start, toks[m - 1].end, classify(toks, j + 1, m, surnames)
    return toks[i].start, toks[j - 1].end, classify(toks, i, j, surnames)


def _antecedent(
    body: str,
    raw: RawAttribution,
    k: int,
    sentences: list[Sentence],
    tokens: list[list[Token]],
    resolved: list[list[DetectedAttribution]],
    surnames: frozenset[str],
) -> tuple[int, int, str] | None:
    """Resolve a pronoun source to a named one: its own sentence's subject, else before."""
    toks = tokens[k]
    want = _PRONOUN_KINDS[lx.PRONOUNS.get(raw.pronoun or "", "any")]
    mid = bool(toks) and raw.start > toks[0].start
    if mid or raw.pronoun in {"its", "their"}:
        subj = _sentence_subject(body, toks, surnames)
        if subj is not None and subj[0] < raw.start:
            return subj
    for back in range(k - 1, max(-1, k - 4), -1):
        if is_heading(body, sentences[back]):
            continue
        named = [a for a in resolved[back] if a.source_kind in want and _is_named(a.source)]
        pool = named or [a for a in resolved[back] if a.source_kind in want]
        if pool:
            a = pool[-1]
            return a.start, a.end, a.source_kind
        if raw.pronoun in {"he", "she"}:
            for s, e in capitalised_runs(tokens[back]):
                # a full name, or a surname the story gave in full before ("Okoro")
                if len(body[s:e].split()) >= 2 or body[s:e].lower() in surnames:
                    return s, e, "person"
        if resolved[back]:
            break  # a sentence with other sources ends the search; a bare one is passed over
    return None


def _nearest_source(
    body: str,
    k: int,
    sentences: list[Sentence],
    tokens: list[list[Token]],
    resolved: list[list[DetectedAttribution]],
    surnames: frozenset[str],
) -> tuple[int, int, str] | None:
    """A pronoun whose kind fits no source nearby ('It said', after a body the rules took
    for a person) speaks for the sentence just before: its last named source, else its
    last source, else the name it opens with ('Acme gave a different account. It said')."""
    back = next((b for b in range(k - 1, -1, -1) if not is_heading(body, sentences[b])), None)
    if back is None:
        return None
    pool = [a for a in resolved[back] if _is_named(a.source)] or resolved[back]
    if pool:
        return pool[-1].start, pool[-1].end, pool[-1].source_kind
    subj = _sentence_subject(body, tokens[back], surnames)
    return subj if subj is not None and _is_named(body[subj[0] : subj[1]]) else None


def _resolve(
    body: str,
    raws: list[RawAttribution],
    k: int,
    sentences: list[Sentence],
    tokens: list[list[Token]],
    resolved: list[list[DetectedAttribution]],
    surnames: frozenset[str],
) -> list[DetectedAttribution]:
    out: list[DetectedAttribution] = []
    for raw in raws:
        start, end, kind = raw.start, raw.end, raw.kind
        if raw.pronoun is not None:
            found = _antecedent(body, raw, k, sentences, tokens, resolved, surnames)
            if found is None:
                found = _nearest_source(body, k, sentences, tokens, resolved, surnames)
            if found is None:
                continue  # a pronoun is never a source by itself: none to resolve it to
            start, end, ante_kind = found
            kind = raw.kind if raw.pronoun in {"its", "their"} else ante_kind
        role = body[raw.role[0] : raw.role[1]] if raw.role else ""
        out.append(
            DetectedAttribution(
                body[start:end], kind, raw.cue, start, end, raw.cue_start, raw.cue_end, role
            )
        )
        if raw.definite and k > 0:
            # "the group said": also name the organisation the sentence before named,
            # if it is that kind of body ("the union" is not the company named before)
            head = body[start:end].split()[-1].lower()
            named = [
                a
                for a in resolved[k - 1]
                if a.source_kind == "organisation"
                and _is_named(a.source, strict=True)
                and _same_kind(head, a.source)
            ]
            if named:
                a = named[-1]
                out.append(
                    DetectedAttribution(
                        a.source, a.source_kind, raw.cue, a.start, a.end, raw.cue_start, raw.cue_end
                    )
                )
    seen: set[tuple[int, int]] = set()
    unique: list[DetectedAttribution] = []
    for a in out:
        if (a.start, a.end) not in seen:
            seen.add((a.start, a.end))
            unique.append(a)
    return unique


_OPEN_QUOTES = frozenset('"“')
_QUOTE_MARKS = ('"', "“", "”")


def _ends_in_quote(body: str, sentences: list[Sentence], k: int) -> bool:
    """Whether sentence k's paragraph ends inside a quotation: an odd number of quote
    marks, straight or curly (an apostrophe is none), from its start to its line's end."""
    a = k
    while a > 0 and sentences[a - 1].paragraph == sentences[k].paragraph:
        a -= 1
    end = body.find("\n", sentences[k].end)
    text = body[sentences[a].start : end if end >= 0 else len(body)]
    return sum(map(text.count, _QUOTE_MARKS)) % 2 == 1


def _continued_quote(
    body: str, sentences: list[Sentence], k: int, resolved: list[list[DetectedAttribution]]
) -> list[DetectedAttribution]:
    """The speaker a quote with no source of its own continues, if any.

    '"X," she said. "Y."': a quote that follows an attributed quote in its paragraph is
    the same speaker's. A quotation run on into the next paragraph leaves the first
    paragraph's closing quote off and opens the next with a quote mark (news style):
    the last speaker named in the paragraph left open speaks it too; a paragraph whose
    quotes all close hands its speaker to nobody."""
    if k == 0 or body[sentences[k].start] not in _OPEN_QUOTES:
        return []
    s, before = sentences[k], sentences[k - 1]
    if s.paragraph == before.paragraph:
        quoted = any(c in _OPEN_QUOTES or c == "”" for c in body[before.start : before.end])
        return list(resolved[k - 1]) if quoted else []
    if is_heading(body, before) or not _ends_in_quote(body, sentences, k - 1):
        return []
    for b in range(k - 1, -1, -1):
        if sentences[b].paragraph != before.paragraph:
            break
        if resolved[b]:
            return list(resolved[b])
    return []


def _headline_facts(
    body: str, s: Sentence, toks: list[Token], surnames: frozenset[str]
) -> tuple[list[RawAttribution], list[Signal], tuple[str, ...]]:
    """A heading line read as a headline: its sources, what makes it only report a claim,
    and whether it states one (a verb in headline grammar, or a source)."""
    text = body[s.start : s.end]
    if not analysable(text):
        return [], [], ()
    plain = plain_tokens(toks) if title_case(toks) else toks
    raws = find_attributions(plain, surnames)
    dropped = acts(plain, raws)
    raws = [a for a in raws if a not in dropped]
    taken: set[tuple[int, int]] = {(a.start, a.end) for a in raws}
    for a in edge_sources(plain) + bare_subjects(plain):
        if not any(a.start < e and s0 < a.end for s0, e in taken):
            raws.append(a)
            taken.add((a.start, a.end))
    signals = headline_signals(text, s.start, plain, raws)
    if not (raws or has_verb(plain)):
        return raws, signals, ()
    reasons = ("headline", "reported_speech") if raws else ("headline",)
    return raws, signals, reasons


def _is_headline(body: str, s: Sentence, first_is_headline: bool) -> bool:
    """A heading line, or a first line that asks a question ('Did X do Y?')."""
    if not s.whole_line:
        # a headline of two parts, "Was it arson? Police unsure": each part is headline
        return first_is_headline and "\n" not in body[: s.end]
    if is_heading(body, s) or (first_is_headline and s.index == 0):
        return True
    # a first line above the body with no full stop: 'Did X do Y?', 'X says it was "a lie"'
    above = s.index == 0 and "\n" in body[s.end :].strip()
    return above and body[s.start : s.end].rstrip("\"'”’) ")[-1:] not in {".", "!", "…"}


@lru_cache(maxsize=16)
def analyse_story(body: str, first_is_headline: bool = False) -> tuple[Facts, ...]:
    """Per-sentence facts with story-level links applied; the core of every entry point.

    Cached: the verify service analyses one body once for detection and again for each
    declared, split or merged span. The facts are not changed after this returns.
    Heading lines are read as headlines (headlines.py); they take no part in the
    story-level passes, so a headline never makes a body claim contested.
    """
    collector.pause()  # nothing here makes a reference cycle (collector.py)
    try:
        # other scripts' commas and stops read as Latin ones (segment.plain_punctuation);
        # what the results quote from the text is then taken from the body as written
        read = plain_punctuation(body)
        facts = _analysed(read, first_is_headline)
        if read is not body:
            _quote_body(body, read, facts)
        return facts
    finally:
        collector.resume()


def _quote_body(body: str, read: str, facts: tuple[Facts, ...]) -> None:
    """Sources, cues and roles as the body writes them, where the analysis read a text
    with other marks in it (the same offsets: one character for one)."""
    for f in facts:
        f.attributions = [_as_written(body, read, a) for a in f.attributions]
        f.inherited = [_as_written(body, read, a) for a in f.inherited]
        f.signals = [_signal_as_written(body, s) for s in f.signals]
        f.extra_signals = [_signal_as_written(body, s) for s in f.extra_signals]
        f.hedges = tuple(_signal_as_written(body, s) for s in f.hedges)


def _as_written(body: str, read: str, a: DetectedAttribution) -> DetectedAttribution:
    role = a.role
    if role:
        # the role lies next to its name: the nearest place it is read, before or after
        before = read.rfind(role, 0, a.start)
        after = read.find(role, a.end)
        at = before if after < 0 or (before >= 0 and a.start - before < after - a.end) else after
        role = body[at : at + len(role)] if at >= 0 else role
    return DetectedAttribution(
        body[a.start : a.end],
        a.source_kind,
        body[a.cue_start : a.cue_end],
        a.start,
        a.end,
        a.cue_start,
        a.cue_end,
        role,
    )


def _signal_as_written(body: str, s: Signal) -> Signal:
    return Signal(s.kind, body[s.start : s.end], s.start, s.end, s.detail)


def _analysed(body: str, first_is_headline: bool) -> tuple[Facts, ...]:
    sentences = segment(body)
    headings = [_is_headline(body, s, first_is_headline) for s in sentences]
    # a body sentence's capitals read first (casing.py); a headline's title case is its own
    tokens = [
        tokenize(body, s.start, s.end) if h else read_case(tokenize(body, s.start, s.end))
        for s, h in zip(sentences, headings, strict=True)
    ]
    surnames = _surnames(tokens, headings)
    names = _mid_sentence_names(tokens)
    resolved: list[list[DetectedAttribution]] = []
    facts: list[Facts] = []
    spans = [(s.start, s.end) for s in sentences]
    holding = _ANCHORS.find(body, spans)  # one pass over the story's words for both
    all_cues = cue_signals(body, spans, holding)
    all_hedges = uncertainty(body, spans, holding)
    for k, s in enumerate(sentences):
        heading = headings[k]
        if heading:
            raws, extra, head_reasons = _headline_facts(body, s, tokens[k], surnames)
        else:
            raws, extra, head_reasons = find_attributions(tokens[k], surnames), [], ()
        attrs = _resolve(body, raws, k, sentences, tokens, resolved, surnames)
        carried = [] if attrs else _continued_quote(body, sentences, k, resolved)
        continued = bool(carried)
        if continued:
            attrs = carried
        resolved.append(attrs)
        cues = all_cues[k]
        signals = cues + source_signals(body, tokens[k], attrs, cues, quoted=continued) + extra
        if heading:
            reasons = head_reasons
            if reasons and signals:
                reasons = (*reasons, "contested_statement")
        else:
            reasons = checkable_reasons(
                body,
                tokens[k],
                heading=heading,
                attributed=bool(attrs),
                contest_cue=bool(signals),
                known_names=names,
                hedged=states_possibility(body, all_hedges[k], cues),
            )
        if reasons and all_hedges[k] and "hedged" not in reasons:
            reasons = (*reasons, "hedged")
        fact = Facts(s, tokens[k], heading, reasons, attrs, signals)
        fact.hedges = all_hedges[k]
        facts.append(fact)
    link_story(body, facts)
    denial_elaborations(facts)
    refer_back(body, facts)
    return tuple(facts)


def _context_start(facts: Sequence[Facts], k: int) -> int:
    s = facts[k].sentence
    if k == 0 or s.first_in_paragraph:
        return s.start
    return facts[k - 1].sentence.start


def _signals(f: Facts) -> list[Signal]:
    out: list[Signal] = []
    seen: set[tuple[str, int, int]] = set()
    for sig in sorted(f.signals + f.extra_signals, key=lambda s: (s.start, s.kind)):
        key = (sig.kind, sig.start, sig.end)
        if key not in seen:
            seen.add(key)
            out.append(sig)
    return out


def _claim(
    body: str, facts: Sequence[Facts], ks: list[int], start: int, end: int, reasons: tuple[str, ...]
) -> DetectedClaim:
    signals: list[Signal] = []
    attrs: list[DetectedAttribution] = []
    hedges = tuple(h for k in ks for h in facts[k].hedges if start <= h.start and h.end <= end)
    for k in ks:
        signals += [s for s in _signals(facts[k]) if s not in signals]
        for a in facts[k].attributions + facts[k].inherited:
            if all((b.start, b.end) != (a.start, a.end) for b in attrs):
                attrs.append(a)
    # DESIGN: a claim the text only hedges is contested; its hedge is the signal the
    # reviewer sees. The story-level passes above worked on disputes alone.
    taken = {(s.kind, s.start, s.end) for s in signals}
    extra = [h for h in hedges if (h.kind, h.start, h.end) not in taken]
    if extra:
        signals = sorted(signals + extra, key=lambda s: (s.start, s.kind))
    return DetectedClaim(
        text=body[start:end],
        start=start,
        end=end,
        contested=bool(signals),
        contest_signals=tuple(signals),
        detected_attributions=tuple(attrs),
        checkable_reasons=reasons,
        context_start=_context_start(facts, ks[0]),
        context_end=facts[ks[-1]].sentence.end,
        hedges=hedges,
        headline=all(facts[k].heading for k in ks),
    )


def detect_claims(body: str) -> list[DetectedClaim]:
    """Every checkable claim in the body, in order: one per sentence that states one."""
    facts = analyse_story(body)
    return [
        _claim(body, facts, [k], f.sentence.start, f.sentence.end, f.reasons)
        for k, f in enumerate(facts)
        if f.is_claim
    ]


def detect_headline(headline: str) -> DetectedClaim | None:
    """The claim a story's headline states, if any, read in headline grammar.

    The headline is a field of its own, not part of the body: the claim's offsets are
    in the headline string, and its ``headline`` flag says so.
    """
    if not headline.strip():
        return None
    facts = analyse_story(headline, first_is_headline=True)
    for k, f in enumerate(facts):
        if f.is_claim:
            return _claim(headline, facts, [k], f.sentence.start, f.sentence.end, f.reasons)
    return None


def analyse_span(body: str, start: int, end: int) -> DetectedClaim:
    """The same analysis for a span a person chose (declared, split or merged claims).

    Attribution, signals and context come from every sentence the span touches.
    """
    if not 0 <= start < end <= len(body):
        raise ValueError(f"span {start}:{end} is not inside a body of {len(body)} characters")
    text = body[start:end]
    start += len(text) - len(text.lstrip())
    end -= len(text) - len(text.rstrip())
    if start >= end:
        raise ValueError("the span holds only whitespace")
    facts = analyse_story(body)
    ks = [k for k, f in enumerate(facts) if f.sentence.start < end and start < f.sentence.end]
    reasons: list[str] = []
    for k in ks:
        reasons += [r for r in facts[k].reasons if r not in reasons]
    return _claim(body, facts, ks, start, end, tuple(reasons) or ("declared",))
