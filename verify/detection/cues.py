"""Contest cues: phrases of news English that mark a claim as disputed or only hedged.

Each entry is (kind, pattern, why). Patterns are matched case-insensitively inside one
sentence; the matched words become the Signal's cue. Longer matches win over the words
they contain ("would neither confirm nor deny" is a hedge, not a denial).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .anchors import necessary_literals

_CLAIM_NOUNS = (
    r"(?:claims?|allegations?|accusations?|reports?|suggestions?|account|charges?|criticism|"
    r"assertions?|characteri[sz]ations?|findings|version|idea|notion|story|stories|rumou?rs?|"
    r"figures?|numbers?|estimates?|conclusions?|assessment|description|portrayal|premise|"
    r"interpretation)"
)
_DISMISSIVE = (
    r"(?:lies?|propaganda|baseless|false|fabricat\w*|nonsense|untrue|fake|inaccurate|"
    r"misleading|speculation|groundless|unfounded|smear|ridiculous|absurd|not\s+credible|"
    r"wrong|incorrect|fiction(?:al)?|exaggerat\w*|overstat\w*|overblown|distort\w*)"
)
# "has never disputed it", "did not deny that": a denial verb under a negation says the
# party does NOT dispute it (fixed-width look-behinds, one per negation).
_NOT_NEGATED = r"(?<!not )(?<!never )(?<!n't )(?<!n’t )(?<!no longer )"
# What a rebuttal points back to as its subject: "the figure", "the mayor's claim",
# "that", "this", "it" ("... said the figure was false", "'That is simply wrong'").
_POINTED = (
    r"(?:(?:(?:the|this|that|these|those|such|his|her|their|its|our|[\w-]+['’]s)\s+"
    r"(?:[\w'’-]+\s+)?(?:" + _CLAIM_NOUNS + r"|statistics?|data|tally|count|totals?|toll|"
    r"projections?|calculations?|forecasts?))|that|this|it)"
)
# Adverbs that only strengthen a flat rebuttal: "is simply wrong", "was completely false".
_FLATLY = (
    r"(?:(?:simply|just|plainly|completely|totally|entirely|utterly|clearly|wildly|grossly|"
    r"patently|demonstrably|absolutely|also|all|deeply|highly|factually|flatly)\s+)?"
)
# Verbs that answer a claim whose noun stands before them (", a figure the authority
# disputes", ", which the company rejected"); "dismiss" is left out: courts dismiss cases.
_ANSWERING_VERBS = (
    r"(?:disput(?:es?|ed)|reject(?:s|ed)?|den(?:y|ies|ied)|refut(?:es?|ed)|contest(?:s|ed)?|"
    r"rubbish(?:es|ed))"
)
_SOME_WHO = (
    r"(?:reports?|media|officials?|sources?|leaders?|residents?|fans|critics|observers|"
    r"analysts|experts|people|users|accounts|witnesses|relatives|members|posts|outlets)"
)


@dataclass(frozen=True)
class Cue:
    kind: str
    pattern: re.Pattern[str]  # case-insensitive, for any text
    lower: re.Pattern[str]  # the same for lower-cased text: about twice as fast
    why: str
    # Every match holds one of these (lower case): a text holding none is not scanned,
    # so most of the forty patterns cost one substring test per story.
    anchors: tuple[str, ...] = ()


def _cue(kind: str, pattern: str, why: str) -> Cue:
    needed = necessary_literals(pattern)
    return Cue(
        kind, re.compile(pattern, re.IGNORECASE), re.compile(pattern), why, tuple(sorted(needed))
    )


CUES: tuple[Cue, ...] = (
    # --- conditional: the text itself doubts that the event happened
    _cue(
        "conditional",
        r"\bif\s+(?:true|confirmed|proven|accurate|verified|correct)\b",
        "an 'if true' aside says the writer has not established it",
    ),
    _cue(
        "conditional",
        r"\bif\s+(?:it|they|this|that|these|those|the\s+\w+)\s*(?:really\s+|indeed\s+)?"
        r"(?:happened|occurred|took\s+place|(?:is|are|was|were|proves?|['’]s)\s*"
        r"(?:true|accurate|correct))\b",
        "'if they happened' makes the event itself uncertain",
    ),
    _cue(
        "conditional",
        r"\bwere\s+it\s+(?:true|confirmed)\b|\bassuming\s+(?:that\s+)?the\s+"
        r"(?:reports?|claims?)\b",
        "the text reasons from an unproven premise",
    ),
    # --- hedges: the writer does not vouch for the statement
    _cue(
        "hedge",
        r"\b(?:reportedly|allegedly|purportedly|supposedly|apparently|ostensibly)\b",
        "an adverb that passes the claim on without vouching for it",
    ),
    _cue(
        "hedge",
        r"\b(?:is|are|was|were|being)\s+(?:widely\s+|also\s+)?(?:believed|thought|said|"
        r"rumou?red|suspected)\s+to\b"
        # "is understood" before "to": its span leaves "understood to" to the unnamed
        # source below, so the claim carries both signals
        r"|\b(?:is|are|was|were|being)\s+(?:widely\s+|also\s+)?understood(?=\s+to\b)",
        "'is said/believed to': nobody named stands behind it",
    ),
    _cue(
        "hedge",
        r"\bit\s+is\s+(?:widely\s+)?(?:believed|thought|understood|rumou?red)\b",
        "impersonal 'it is believed': no source",
    ),
    _cue(
        "anonymous_source",
        # "X is understood to ...", "It is understood that ...": what the paper was told
        # by somebody it does not name, as "it is learnt"; the hedge above stays beside
        # it (its span, "is understood", does not hold this one's, so both are kept)
        r"(?:(?<=\bis\s)|(?<=\bare\s)|(?<=\bwas\s)|(?<=\bwere\s)|(?<=\bbeen\s)|"
        r"(?<=\bwidely\s)|(?<=\balso\s))understood\s+(?:to|that)\b|"
        r"(?<=\bit\sis\s)understood\s+(?:the|a|an|his|her|their|its)\b",
        "'is understood to': what an unnamed source told the paper",
    ),
    _cue(
        "anonymous_source",
        r"\bit\s+(?:is|was|has\s+been)\s+(?:also\s+)?(?:learnt|learned|gathered)\b",
        "'it is learnt': what an unnamed source told the paper",
    ),
    _cue(
        "hedge", r"\b(?:appears?|appeared|seems?|seemed)\s+to\b", "appearance is not confirmation"
    ),
    _cue(
        "hedge",
        # "seemed nervous", "appears unsound"; not "appeared in court" or "appeared on TV"
        r"\b(?:seems?|seemed|appears?|appeared)\s+(?!(?:to|in|at|on|before|for|with|as|by|"
        r"from|after|during|alongside|together|outside|inside|via|and|or|the|a|an|his|her|"
        r"their|its|this|that|there|here|twice|once|again|only|briefly)\b)[a-z]+",
        "appearance is not confirmation",
    ),
    _cue(
        "hedge",
        r"\b(?:perhaps|seemingly|maybe|presumably|apparent)\b",
        "a word that gives the claim as likely, not as established",
    ),
    _cue(
        "hedge",
        r"\bit\s+(?:is|was|has\s+been|had\s+been)\s+(?:widely\s+|also\s+)?(?:reported|alleged|"
        r"claimed|feared|rumou?red|suggested|said|suspected)(?:\s+that\b|(?=\s*[.,;]))",
        "impersonal 'it was reported that': nobody named stands behind it",
    ),
    _cue(
        "hedge",
        r"\b(?:unconfirmed|unverified|uncorroborated)\b",
        "the text says it is not confirmed",
    ),
    _cue(
        "hedge",
        r"\b(?:could|can|were|was)\s+not\s+(?:be\s+)?(?:independently\s+)?"
        r"(?:verif\w*|confirm\w*)|\bnot\s+(?:been\s+)?independently\s+(?:verified|confirmed)"
        r"|\bunable\s+to\s+(?:independently\s+)?(?:verify|confirm)\b",
        "the newsroom says it could not check it",
    ),
    _cue(
        "hedge",
        r"\b(?:has|have|had)\s+not\s+(?:yet\s+)?(?:been\s+)?(?:confirmed|verified)\b",
        "nobody has confirmed it yet",
    ),
    _cue(
        "hedge",
        r"\bneither\s+confirm(?:ed)?\s+nor\s+den(?:y|ied)\b|\b(?:would|did|could)\s+"
        r"not\s+confirm\b|\bdeclined\s+to\s+confirm\b",
        "an authority that will not confirm leaves the claim open",
    ),
    _cue("hedge", r"\bsuggest(?:s|ed|ing)?\b", "'suggested' reports an inference, not a fact"),
    _cue("hedge", r"\b(?:must|may|might|could)\s+have\b", "a guess about what happened"),
    _cue(
        "hedge",
        r"\b(?:may|might)\s+(?:also\s+|well\s+|partly\s+|simply\s+)?(?:be|reflect|explain|"
        r"mean|indicate|point|account|stem|result|come|owe|lie|depend|help|have\s+been)\b",
        "'may be', 'might reflect': a possibility, not a finding",
    ),
    _cue(
        "hedge",
        r"\b(?:possibly|probably|rumou?r(?:s|ed)?|speculat\w*)\b",
        "speculation is not confirmation",
    ),
    # --- anonymous sources: a reader cannot weigh who said it
    _cue(
        "anonymous_source",
        r"\bsources?\s+(?:said|say|says|told|close\s+to|familiar|"
        r"with\s+knowledge|in\s+the)\b|\baccording\s+to\s+(?:\w+\s+){0,2}sources\b",
        "unnamed sources",
    ),
    _cue("anonymous_source", r"\b(?:unnamed|anonymous|anonymity)\b", "the source is not named"),
    _cue(
        "anonymous_source",
        r"\b(?:asked|declined|requested)\s+not\s+to\s+be\s+(?:named|identified)\b|"
        r"\bdeclined\s+to\s+be\s+(?:named|identified)\b|\brequested\s+anonymity\b|"
        r"\bnot\s+authori[sz]ed\s+to\s+(?:speak|talk|comment|discuss)\b",
        "the source asked not to be named",
    ),
    _cue(
        "anonymous_source",
        r"\b(?:people|person|sources?|officials?|someone)\s+(?:familiar\s+with|with\s+"
        r"(?:direct\s+)?knowledge\s+of|close\s+to|briefed\s+on)\b|\binsiders?\b",
        "'people familiar with the matter': unnamed",
    ),
    # --- vague sources: reports nobody can trace
    _cue(
        "vague_source",
        r"\bsome\s+(?:[\w'’-]+\s+){0,2}?" + _SOME_WHO + r"\b",
        "'some reports/officials': an unspecified few",
    ),
    _cue(
        "vague_source",
        r"\baccording\s+to\s+(?:(?:local|media|news|unconfirmed|press|early)\s+)*reports\b",
        "'according to reports' with no outlet named",
    ),
    _cue(
        "vague_source",
        r"(?<!multiple )(?<!several )(?<!many )(?<!numerous )(?<!various )(?<!media )"
        r"\breports\s+(?:also\s+)?(?:said|say|says|suggest\w*|indicat\w*|claim\w*|came|"
        r"emerged|surfaced|circulat\w*)\b",
        "bare 'reports say': no outlet named",
    ),
    _cue(
        "vague_source",
        r"\blocal\s+(?:media|news|outlets|press)\s+(?:reports?\s+)?(?:said|"
        r"say|says|reported|suggest\w*|claim\w*|citing)\b",
        "unnamed local outlets",
    ),
    _cue(
        "vague_source",
        r"\bthere\s+(?:are|were|have\s+been)\s+(?:\w+\s+)?reports\b",
        "'there were reports': nobody named",
    ),
    _cue(
        "vague_source",
        # a live blog relays what reaches it: "we are hearing reports that ..."
        r"\b(?:we\s+are|we['’]re|we\s+have\s+been|we\s+had\s+been)\s+(?:hearing|receiving|"
        r"getting|seeing)\s+(?:\w+\s+)?reports\b",
        "'we are hearing reports': nobody named",
    ),
    _cue(
        "vague_source",
        r"\b(?:circulat\w*|shared|posted)\s+(?:widely\s+)?on\s+social\s+"
        r"media\b|\bsocial\s+media\s+(?:posts|users|accounts|reports)\b",
        "unattributed social media posts",
    ),
    # --- allegations: the statement is framed as somebody's claim
    _cue(
        "allegation",
        r"\b(?<!insurance )(?<!jobless )(?<!unemployment )(?<!tax )"
        r"(?<!damages )(?<!benefit )(?<!compensation )(?<!expense )(?<!injury )(?<!pay )"
        # "claims brought to tribunals": cases counted, not a claim made
        r"claim(?:s|ed|ing)?\b(?!\s+(?:the\s+)?li(?:fe|ves)\b)(?!\s+(?:brought|filed|lodged)\b)",
        "framed as a claim",
    ),
    _cue("allegation", r"\balleg(?:e|es|ed|ing|ation|ations)\b", "framed as an allegation"),
    _cue(
        "allegation",
        # "growers blame imported seed", "blamed the crash on": a cause one side puts on
        # another; not "took the blame" or "no one is to blame"
        r"\b(?<!the )(?<!to )blam(?:e|es|ed|ing)\s+(?!for\s+(?:the\s+)?nothing\b)"
        r"(?:the\s+|a\s+|an\s+|it\s+|them\s+|him\s+|her\s+|[a-z]+\s+)",
        "a cause one side puts on another",
    ),
    _cue(
        "allegation",
        r"\b(?:were|was|been|being|felt|feel)\s+(?:misled|deceived|duped|cheated|"
        r"lied\s+to)\b",
        "says it was misled: an accusation",
    ),
    _cue("allegation", r"\baccus(?:e|es|ed|ing|ation|ations)\b", "framed as an accusation"),
    _cue(
        "allegation",
        # court reporting: what "a jury has heard" or "jurors were told" is one side's
        # evidence, not yet tested by the verdict; the headline form is ", jury told" or
        # "court hears"
        # (not the hearing itself: "the jury heard evidence from six witnesses")
        r"\b(?:(?:a|the)\s+jury|jurors)\s+(?:has\s+|have\s+|had\s+|was\s+|were\s+)?"
        r"(?:heard|been\s+told|told)\b(?!\s+(?:evidence|from|of|closing|opening|"
        r"submissions|testimony|statements)\b)|"
        r"(?:^|,\s*|[-:—–]\s*)(?:jury|court)\s+(?:told|hears)\s*$",
        "evidence put to a jury, not yet tested by its verdict",
    ),
    _cue(
        "allegation",
        r"\bcharges\s+that\b|\bcontend(?:s|ed)?\b",
        "the charge or contention of one side",
    ),
    _cue(
        "hedge",
        r"\burg(?:e|es|ed|ing)\s+caution\b|\bcaution(?:s|ed)?\s+against\s+reading\b",
        "experts warn the finding may not hold",
    ),
    # --- two sides at odds, said in so many words
    _cue(
        "conflicting_sources",
        r"\bat\s+odds\b|\btrad(?:e|es|ed|ing)\s+(?:blame|accusations|charges|barbs|insults|"
        r"figures)\b|\bspark(?:s|ed|ing)?\s+(?:a\s+)?(?:dispute|row|controversy)\b|"
        r"\b(?:dispute|row)\s+over\b",
        "the text says the sides disagree",
    ),
    # --- denials: somebody says it is not so
    _cue(
        "denial",
        r"\b(?<!was )(?<!were )(?<!been )(?<!be )(?<!being )(?<!is )(?<!are )"
        + _NOT_NEGATED
        + r"den(?:y|ies|ied|ying|ials?)\b"
        # "denied bail/entry/the request" is a refusal, not a denial of a statement
        r"(?!\s+(?:(?:him|her|them|the|a|an|his|their|its)\s+)?(?:bail|entry|access|"
        r"permission|visas?|requests?|appeals?|applications?|motions?|parole|licen[cs]es?|"
        r"permits?|funding|treatment|asylum|a\s+request)\b)",
        "a denial",
    ),
    _cue(
        "denial",
        r"\b" + _NOT_NEGATED + r"reject(?:s|ed|ing)?\s+(?:the\s+|that\s+|this\s+|these\s+|those\s+|"
        r"such\s+|any\s+|all\s+|his\s+|her\s+|their\s+|its\s+)?(?:[\w'’-]+\s+){0,2}?"
        + _CLAIM_NOUNS
        + r"\b",
        "rejects the claim",
    ),
    _cue(
        "denial",
        r"\b(?:reject|dismiss|denounc|rubbish)(?:es|ed|ing|e|s)?\b[^.;]{0,60}?\bas\b",
        "dismissed as something it is not",
    ),
    _cue(
        "conflicting_sources",
        # "questioned the savings estimate", "challenged the findings", "cast doubt on the
        # account": a side disputes the claim, though it need not say it is false; its own
        # sentence only (no denial to carry to the claims before it)
        r"\b" + _NOT_NEGATED + r"(?:question(?:s|ed|ing)?|challeng(?:e|es|ed|ing)|cast(?:s|ing)?\s+"
        r"(?:fresh\s+|new\s+|further\s+)?doubts?\s+on)\s+(?:the|that|this|these|those|his|"
        r"her|their|its|[\w-]+['’]s)\s+(?:[\w'’-]+\s+){0,2}?" + _CLAIM_NOUNS + r"\b",
        "questions or challenges the claim",
    ),
    _cue(
        "denial",
        r"\b"
        + _NOT_NEGATED
        + r"(?:dismiss|rubbish)(?:es|ed|ing)?\s+(?:the\s+|that\s+|these\s+|such\s+)?"
        r"(?:[\w'’-]+\s+){0,2}?" + _CLAIM_NOUNS + r"\b",
        "dismisses the claim",
    ),
    _cue(
        "denial",
        r"\b" + _NOT_NEGATED + r"(?:refut(?:e|es|ed|ing)\b|disput(?:ed|ing)\b|disputes\s+(?:the|"
        r"that|this|claims?|reports?)\b|contradict(?:s|ed|ing)?\b|rebuff(?:s|ed)?\b"
        # "Family disputes police account": a headline drops the article
        r"|disputes\s+(?:[\w'’-]+\s+){1,2}?" + _CLAIM_NOUNS + r"\b)",
        "refutes or disputes it",
    ),
    _cue(
        "denial",
        # the base form after a plural or pronoun subject, with a "that" clause:
        # "Shop owners dispute that the wall was finished", "Unions reject that it saves
        # money"; not the noun ("a pay dispute that dragged on": no plural subject before
        # it), not "reject that offer" (no clause after "that")
        r"(?:(?<=s\s)|(?<=\bthey\s)|(?<=\bwe\s)|(?<=\bi\s)|(?<=\byou\s)|(?<=\bstill\s)|"
        r"(?<=\bstrongly\s)|(?<=\bflatly\s)|(?<=\bfirmly\s)|(?<=\balso\s)|(?<=\bnow\s))"
        r"(?<!\bits\s)(?<!\bhis\s)(?<!\bthis\s)(?<!\bwas\s)(?<!\bis\s)(?<!\bhas\s)"
        r"(?<!\bas\s)(?<!\bus\s)(?<!['’]s\s)(?<!\bthus\s)(?<!\bunless\s)"
        r"\b(?:dispute|reject)\s+that\s+(?:(?:the|a|an|it|he|she|they|we|there|this|these|"
        r"those|his|her|their|its|our|any|no)\b|\d)",
        "disputes or rejects what the clause states",
    ),
    _cue(
        "denial",
        # the object before its verb: ", a figure the authority disputes" (or after a
        # dash), ", which the company rejected" (not ", which the court rejected" after an
        # appeal or a bid)
        r"(?:[,—–]\s*(?:a|an|the)\s+(?:[\w'’-]+\s+)?"
        + _CLAIM_NOUNS
        # the comma first, then the look-behinds: they would run at every position
        + r"|,(?<!appeal,)(?<!request,)(?<!offer,)(?<!proposal,)(?<!bid,)(?<!motion,)"
        r"(?<!application,)(?<!plan,)\s*which)"
        r"\s+(?:[\w'’.-]+\s+){1,4}?" + _NOT_NEGATED + _ANSWERING_VERBS + r"\b",
        "the claim, named first, is what the party disputes",
    ),
    _cue(
        "denial",
        # a flat rebuttal: "said the figure was false", "'That is simply wrong,'"; not "it
        # is wrong for the council to ...", a judgement on a deed
        r"\b" + _POINTED + r"(?:\s+(?:is|was|are|were)|['’]s)\s+" + _FLATLY + r"(?:(?:a|an)\s+"
        r"(?:complete\s+|total\s+|utter\s+|pure\s+|outright\s+)?)?[\"“'‘]?"
        + _DISMISSIVE
        + r"\b(?!\s+for\b)(?!\s+to\s+(?!(?:say|suggest|claim|imply|assert)\b))",
        "says the claim it points back to is false",
    ),
    _cue(
        "denial",
        r"\b(?:term(?:ed|s)?|call(?:ed|s|ing)?|describ(?:ed|es|ing)|branded|"
        r"labell?ed)\b[^.;]{0,80}?\b" + _DISMISSIVE + r"\b",
        "calls it a lie or baseless",
    ),
    _cue(
        "denial",
        r"\b(?:no\s+evidence|not\s+true|untrue|baseless|unfounded|groundless|"
        r"not\s+credible|nothing\s+to\s+do\s+with|no\s+bearing|never\s+happened|"
        r"no\s+[\"“']?(?:record|knowledge)[\"”']?\s+of|(?:not|never\s+been)\s+aware\s+of|unaware\s+of|"
        r"categorically|pushed\s+back\s+(?:on|against)|(?:a\s+)?(?:complete\s+|total\s+|pure\s+)?"
        r"fabrication)\b",
        "says it is not so",
    ),
    _cue(
        "denial",
        r"\b(?:exaggerat(?:ed|es|ing|ion)|overstat(?:ed|es|ing|ement)|overblown)\b|"
        # "a figure residents say is far too low"
        r"\b(?:figure|number|estimate|count|toll|total)s?\b[^.;]{0,60}?\b(?:far\s+|much\s+)?"
        r"too\s+(?:low|high|small|large)\b|"
        r"\b(?:go|goes|went|gone|going)\s+(?:well\s+|far\s+|much\s+)?beyond\s+(?:what|the\s+"
        r"(?:evidence|data|findings|facts|science))\b",
        "says it overstates what is known",
    ),
    _cue(
        "denial",
        r"\b(?:is|are|was|were|been)\s+lying\b|\blied\s+(?:about|to)\b",
        "says the other side is lying",
    ),
    _cue(
        "denial",
        r"\bplead(?:s|ed)?\s+not\s+guilty\b|\bpleaded\s+innocent\b",
        "a not-guilty plea denies the charge",
    ),
)

# What a source says it will do: "it would hold another march on Saturday". A plan is
# reported, not disputed, unless something else in the sentence disputes it. What
# "would" be the case ("would not lead to job cuts", "would cost jobs") is no plan.
_NOT_ACTS = (
    r"be|not|never|have|lead|cause|mean|affect|cost|result|remain|need|require|allow|"
    r"prevent|harm|hurt|damage|fail|become|stay|seem|look|likely|probably|depend|help|"
    r"change|increase|reduce|rise|fall|lose|win|make|put|leave|see|face"
)
_PLAN = re.compile(
    r"(?:^|\bthat\s+)(?:the\s+)?[\w'’-]+\s+(?:would|will|planned\s+to|"
    r"plans?\s+to|intends?\s+to|(?:is|are|was|were)\s+(?:due|going)\s+to)\s+"
    r"(?:[\w-]+ly\s+|also\s+|then\s+|soon\s+)?(?!(?:" + _NOT_ACTS + r")\b)[a-z]+\b",
    re.IGNORECASE,
)


def plan_clause(text: str) -> bool:
    """Does the reported clause that text opens with (what follows the cue) state a plan?"""
    head = " ".join(text.split()[:14])
    m = _PLAN.search(head)
    if m is None:
        return False
    before = head[: m.start()].strip(" ,\"“”'")
    return not before or len(before.split()) <= 4  # "on its channel that it would ..."


DETAIL_PREFIX: dict[str, str] = {
    "denial": "denial",
    "hedge": "hedged with",
    "allegation": "framed as a claim",
    "anonymous_source": "unnamed source",
    "vague_source": "vague source",
    "conflicting_sources": "disputed",
    "conditional": "conditional framing",
}
