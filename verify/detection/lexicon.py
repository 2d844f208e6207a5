"""Word lists for attribution and checkability: how news English names sources and events.

Every list is general English of news writing, never a story's own names. Each has a
one-line why. Cue patterns for contest signals live in cues.py.
"""

from __future__ import annotations

from .story_words import CONTRAST_OPENERS as CONTRAST_OPENERS
from .story_words import EVENT_SYNONYMS as EVENT_SYNONYMS
from .story_words import OPPOSITES as OPPOSITES
from .story_words import STOPWORDS as STOPWORDS
from .story_words import word_set as word_set


def _forms(bases: str) -> frozenset[str]:
    """Regular inflections of verb bases: state -> states, stated, stating; deny -> denied."""
    out: set[str] = set()
    for b in bases.split():
        out.add(b)
        if b.endswith("e"):
            out.update({b + "s", b + "d", b[:-1] + "ing"})
        elif b.endswith("y") and b[-2:-1] not in "aeiou":
            out.update({b[:-1] + "ies", b[:-1] + "ied", b + "ing"})
        elif b.endswith(("s", "sh", "ch", "x", "z")):
            out.update({b + "es", b + "ed", b + "ing"})
        else:
            out.update({b + "s", b + "ed", b + "ing"})
    return frozenset(out)


# Verbs that introduce what a source said, in every tense; "X said", "said X", "X told Y".
REPORTING_VERBS: frozenset[str] = _forms(
    "state add confirm deny claim allege insist announce reveal warn tweet post "
    "report note explain argue assert contend maintain acknowledge suggest indicate "
    "estimate conclude accuse reject dismiss dispute refute counter respond term "
    "convey stress emphasise emphasize disclose complain concede declare promise vow "
    "pledge predict describe inform assure repeat recount mention agree hint "
    "speculate boast threaten reiterate affirm clarify allege testify reply caution "
    "recall remark observe advise urge charge blame insinuate contradict signal"
) | word_set(
    "say says said saying tell tells told telling write writes wrote writing "
    "admit admits admitted admitting find finds found show shows showed "
    "testified testifies rated ranked "
    # news English of several countries: "the ministry rubbished the charge"
    "rubbishes rubbished rubbishing "
    # who "expects" a figure or an outcome stands behind it as whoever "predicts" it
    "expects"
)

# Verbs that only attribute when their subject is a document or a judging body
# ("records show", "the panel found"); "police found a body" is an action.
EVIDENCE_VERBS: frozenset[str] = word_set(
    "find finds found show shows showed shown indicate indicates indicated conclude "
    "concludes concluded rated rates ranked ranks"
)

# "Reports came of ...", "reports emerged": only a report can arrive, so only then a cue.
ARRIVAL_VERBS: frozenset[str] = frozenset(
    {"came", "come", "emerged", "emerge", "surfaced", "circulated", "circulating"}
)

# Prepositions that introduce the source after them.
SOURCE_PREPOSITIONS: tuple[tuple[str, ...], ...] = (
    ("according", "to"),
    ("citing",),
    ("quoting",),
    ("cited",),
    ("quoted", "by"),
    # "documents seen by X", "emails obtained by X": the outlet holding them is a source too
    ("obtained", "by"),
    ("seen", "by"),
    ("reviewed", "by"),
    ("viewed", "by"),
    # "footage verified by X", "farmers interviewed by X": X examined or gathered it
    ("verified", "by"),
    ("interviewed", "by"),
    ("analysed", "by"),
    ("analyzed", "by"),
    ("examined", "by"),
)

# Heads of noun phrases that can speak or be cited, by kind of source.
_PERSON_HEADS = (
    "spokesman spokeswoman spokesperson official minister secretary president chairman "
    "chairwoman chair chief executive officer director manager coach player captain striker "
    "lawyer attorney prosecutor judge magistrate detective investigator witness resident "
    "doctor physician nurse surgeon researcher scientist expert specialist analyst economist "
    "strategist trader investor aide adviser advisor diplomat ambassador envoy leader "
    "commander general governor mayor senator lawmaker legislator politician journalist "
    "reporter correspondent editor columnist author founder owner agent worker employee "
    "member person man woman relative parent mother father wife husband son daughter "
    "brother sister friend neighbour neighbor victim survivor patient fan supporter critic "
    "opponent activist campaigner protester teacher student farmer landlord tenant driver "
    "pilot passenger engineer auditor inspector candidate voter referee umpire teammate "
    "defendant plaintiff claimant suspect accuser officer deputy representative insider "
    "negotiator mediator administrator superintendent sheriff chancellor premier "
    "shareholder executive partner consultant veteran medic paramedic firefighter ceo cfo "
    "soldier commander cleric imam priest bishop mp mep councillor councilor "
    # officials of courts, inquests, audits and public offices, who speak in news copy
    # as the roles above do ("the county coroner, X, said", "the state comptroller found")
    "coroner ombudsman ombudswoman ombudsperson registrar examiner pathologist "
    "comptroller controller commissioner solicitor barrister counsel clerk bailiff "
    "constable marshal warden trustee liquidator receiver assessor arbitrator notary "
    "justice treasurer epidemiologist toxicologist virologist"
)
_PERSON_IRREGULAR = "people men women spokespeople staff police relatives family families"
_ORG_HEADS = (
    "company firm group organisation organization union board government administration "
    "council committee commission ministry department agency authority authorities army "
    "military forces troops militia rebels militants insurgents fighters party court tribunal "
    "panel jury inquiry hospital clinic university school college club team league "
    "federation association institute foundation charity bank fund lender insurer "
    "manufacturer maker chipmaker carmaker automaker drugmaker retailer airline carrier "
    "operator utility regulator watchdog office embassy campaign coalition alliance "
    "movement front service services centre center laboratory lab prosecutors state city "
    "county district parliament congress senate cabinet presidency regime junta firm "
    "consortium syndicate startup conglomerate body network guerrillas separatists mission "
    # the sides of a criminal trial ("the prosecution alleges", "the defence contends",
    # "the Crown says") and a person's entourage ("her camp said")
    "prosecution defence defense crown camp"
)
_MEDIA_HEADS = (
    "media newspaper paper outlet outlets broadcaster channel station magazine tabloid "
    "press news television tv radio daily agency agencies reports report wire journal "
    "website broadcast"
)
_DOCUMENT_HEADS = (
    "statement filing filings documents document records record indictment lawsuit "
    "complaint suit affidavit transcript ruling judgment judgement decision verdict memo "
    "letter email study survey poll data figures statistics audit review minutes contract "
    "website release assessment notice order motion submission testimony charge sheet "
    "findings papers registry database analysis disclosure trial experiment research "
    "footage recording photograph image screenshot imagery log dataset spreadsheet tally "
    "census estimate projection result"
)
_SOCIAL_HEADS = "tweet tweets post posts video videos livestream message messages"
_ANON_HEADS = "source sources insider insiders"


def _with_plurals(words: str) -> frozenset[str]:
    out: set[str] = set()
    for w in words.split():
        out.add(w)
        out.add(w + ("es" if w.endswith(("s", "sh", "ch", "x")) else "s"))
    return frozenset(out)


PERSON_HEADS: frozenset[str] = _with_plurals(_PERSON_HEADS) | word_set(_PERSON_IRREGULAR)
ORG_HEADS: frozenset[str] = _with_plurals(_ORG_HEADS)
MEDIA_HEADS: frozenset[str] = word_set(_MEDIA_HEADS)
DOCUMENT_HEADS: frozenset[str] = _with_plurals(_DOCUMENT_HEADS)
SOCIAL_HEADS: frozenset[str] = word_set(_SOCIAL_HEADS)
ANON_HEADS: frozenset[str] = word_set(_ANON_HEADS)
SOURCE_HEADS: frozenset[str] = (
    PERSON_HEADS | ORG_HEADS | MEDIA_HEADS | DOCUMENT_HEADS | SOCIAL_HEADS | ANON_HEADS
)

# "the group said": heads general enough to stand for an organisation named just before.
GENERIC_ORG_HEADS: frozenset[str] = word_set(
    "group company firm organisation organization movement party club team agency outfit "
    "coalition alliance militia bank carrier airline insurer lender retailer union"
)

# Capitalised words that mark a name as a news outlet or an organisation.
MEDIA_NAME_WORDS: frozenset[str] = word_set(
    "news tv television times post journal herald tribune gazette telegraph radio press "
    "daily channel network broadcasting chronicle observer magazine media wire "
    "bulletin courier ledger mirror express mail globe guardian examiner dispatch inquirer "
    "sentinel"
)
ORG_NAME_WORDS: frozenset[str] = word_set(
    "ministry department inc corp corporation ltd llc plc group council court university "
    "police army force forces agency bank association federation union party front "
    "committee commission authority board club fc league institute foundation office "
    "hospital centre center service services organisation organization company "
    "administration government movement alliance coalition capital holdings "
    "partners fund trust industries systems technologies labs laboratories pharma "
    "pharmaceuticals chemicals motors airlines airways logistics mining healthcare "
    "solutions networks foods steel utilities telecom securities brigade brigades battalion "
    "regiment therapeutics biotech biosciences"
)

# Participants in armed conflict: their claims of battlefield success are self-serving.
COMBATANT_WORDS: frozenset[str] = word_set(
    "militant militants militia militias rebel rebels insurgent insurgents fighters "
    "army military troops forces guerrillas jihadists separatists paramilitaries "
    "resistance armed"
)
SUCCESS_VERBS: frozenset[str] = word_set(
    "killed captured seized conquered destroyed overran repelled defeated liberated "
    "eliminated neutralised neutralized recaptured retook downed routed "
    "annihilated"
)

# Personal pronouns that can stand for a source named just before.
PRONOUNS: dict[str, str] = {
    "he": "person",
    "she": "person",
    "they": "any",
    "it": "org",
    "we": "any",
}
POSSESSIVE_PRONOUNS: frozenset[str] = frozenset({"its", "their", "his", "her"})

# Words that may sit between a subject and its reporting verb: auxiliaries, adverbs.
BETWEEN_SUBJECT_AND_VERB: frozenset[str] = word_set(
    "has have had will would also further later earlier previously reportedly allegedly "
    "however repeatedly publicly again then initially separately recently already first "
    "flatly strongly vehemently categorically firmly quickly immediately officially now "
    "once still yet never did does do privately openly angrily subsequently himself "
    "herself itself themselves too last this on in week month year today yesterday "
    "morning afternoon evening night monday tuesday wednesday thursday friday saturday "
    "sunday may might could can shall should long often always usually frequently "
    "consistently sometimes since"
)

# Adverbs and auxiliaries that end a source phrase read rightwards ("The company now ...").
ADVERB_STOPS: frozenset[str] = word_set(
    "also further later earlier previously reportedly allegedly however repeatedly publicly "
    "again then initially separately recently already first flatly strongly vehemently "
    "categorically firmly quickly immediately officially now once still yet never"
)

# Words that end a noun phrase when scanning for its edge: clause openers and links.
CLAUSE_BREAKERS: frozenset[str] = word_set(
    "that and but as while because after before when if although though since so or "
    "than where whereas whether until unless nor whom amid despite"
)

# Determiners and quantifiers that can open a source phrase.
DETERMINERS: frozenset[str] = word_set(
    "the a an some several multiple many numerous various two three four five six "
    "seven eight nine ten dozens its their his her our other both senior local top "
    "another one"
)

# Words that open a sentence without being part of its subject.
LEADING_FILLERS: frozenset[str] = word_set(
    "however but and also meanwhile yet still then so moreover furthermore additionally "
    "instead now today yesterday separately earlier later last this on in at by "
    "monday tuesday wednesday thursday friday saturday sunday"
)

WEEKDAYS: frozenset[str] = word_set("monday tuesday wednesday thursday friday saturday sunday")
MONTHS: frozenset[str] = word_set(
    "january february march april may june july august september october november "
    "december jan feb mar apr jun jul aug sep sept oct nov dec"
)
TIME_WORDS: frozenset[str] = (
    WEEKDAYS
    | MONTHS
    | word_set(
        "today yesterday tonight weekend week month year decade morning afternoon evening "
        "night earlier later season quarter"
    )
)

# Cardinal numbers in words ("one" is left out: "one of", "on its own" are not counts).
NUMBER_WORDS: frozenset[str] = word_set(
    "two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "twenty thirty forty fifty sixty seventy eighty ninety hundred hundreds thousand "
    "thousands million millions billion billions trillion dozen dozens half third "
    "quarter percent twice thrice"
)

# --- checkability -------------------------------------------------------------------

# Finite verbs that need no suffix test: auxiliaries, copulas, modals, common irregulars.
AUXILIARIES: frozenset[str] = word_set(
    "is are was were am has have had will would can could may might must shall should "
    "does do did isn't aren't wasn't weren't hasn't haven't hadn't won't wouldn't can't "
    "couldn't doesn't don't didn't"
)
IRREGULAR_FINITE: frozenset[str] = word_set(
    "said told took made won lost fell rose struck went came gave met left held led paid "
    "sold bought brought hit cut set put ran saw began became found got kept spent sent "
    "shot stood wrote flew grew drew threw fought caught taught thought meant built broke "
    "chose drove ate fled hung sought swore tore wore beat bore bit blew dealt dug fed "
    "felt forgot froze heard hid knew laid lay lent lit overran rode rang sank sang sat "
    "shook shut slid spoke spread stole stuck stung swam swept swung understood withdrew "
    "woke quit bet upheld overturned overtook sank shrank sprang spun bled wept strode "
    "slew forbade forgave foresaw mistook outran outbid outgrew "
    # "-ed" forms of four letters the "-ed" test (longer words only) passes over
    "died"
)
# Present-tense verbs common in news leads ("X faces", "Y sit fourth", "records show").
PRESENT_FINITE: frozenset[str] = _forms(
    "say face sit stand remain expect plan lead trail hold want need include cost "
    "employ own run make take rule show allege claim deny estimate insist suggest "
    "accuse admit control operate serve represent mean require account top rank lie "
    "stay seek plead continue intend reach exceed forecast predict anticipate foresee owe"
) - frozenset({"saying"}) | word_set(
    # third-person present of effects and changes: "aspirin raises the risk", "X kills fish"
    "raises lowers increases reduces causes kills affects damages boosts doubles triples "
    "halves grows shrinks threatens prevents harms protects cuts"
)

# Verbs of events a desk checks: violence, justice, money, sport, health, politics.
EVENT_VERBS: frozenset[str] = word_set(
    "killed died dead arrested charged convicted sentenced fined jailed acquitted banned "
    "suspended sacked fired resigned appointed elected won lost beat drew scored signed "
    "announced launched attacked struck bombed captured seized invaded crashed collapsed "
    "exploded erupted burned flooded closed opened rose fell jumped slumped dropped "
    "climbed cut raised hired sold bought acquired merged paid approved rejected passed "
    "vetoed recalled sued filed ruled ordered infected tested recorded reported detected "
    "delayed postponed cancelled canceled evacuated rescued injured wounded missed failed "
    "breached leaked hacked stole raided deployed withdrew entered reached arrived met "
    "visited pleaded testified agreed settled overturned upheld dismissed granted denied "
    "confirmed announced used conquered supporting providing "
    "examining cooperating exploring infected taken"
)

# Evaluative words that make an unattributed sentence commentary, not a checkable claim.
OPINION_WORDS: frozenset[str] = word_set(
    "shame shameful disgrace disgraceful outrageous sad fantastic brilliant wonderful "
    "terrible awful appalling deplorable unacceptable ridiculous absurd regrettable "
    "unfortunate ironically ironic clearly undoubtedly surely arguably obviously "
    "hopefully sadly thankfully unforgivable heroic cowardly laudable commendable "
    "admirable"
)
# Normative or speculative modals: "should", "ought to", "would once again show".
OPINION_MODALS: frozenset[str] = word_set("should ought would could might must")
# First person outside quotes is the writer's voice: commentary.
FIRST_PERSON: frozenset[str] = word_set("i we our us my me")

# Words of atmosphere: weather, mood, crowds; scene-setting, not something to verify.
SCENE_WORDS: frozenset[str] = word_set(
    "quiet silent silence hushed packed crowded deserted empty gloomy mood atmosphere rain "
    "drizzle sunshine snow wind lashed echoed smell scent skies sky murmur murmured "
    "queued lined tense festive somber sombre eerie bustling"
)

# "declined to comment": a fact of reporting, not a claim to check.
NO_COMMENT_PHRASES: tuple[str, ...] = (
    "declined to comment",
    "did not respond to a request for comment",
    "did not immediately respond",
    "could not be reached for comment",
    "did not return",
    "declined to say",
    "no comment",
)

# Past participles that end a source phrase: "a memo seen by", "documents released under".
PARTICIPLES: frozenset[str] = word_set(
    "seen obtained reviewed published released filed sent given made issued shared posted "
    "written signed unsealed leaked drafted prepared submitted presented quoted cited "
    "known shown taken held interviewed contacted verified analysed analyzed examined "
    "compiled collected gathered conducted commissioned"
)

# Participles that make the agent after "by" a document's author or issuer ("figures
# released by X", "a survey conducted by X"): X is the source (raw.make_raw). Not
# "obtained", "seen" or "verified by": who holds or checked a document is a source
# beside it, found by its own cue (SOURCE_PREPOSITIONS).
ISSUED: frozenset[str] = word_set(
    "released published compiled issued prepared conducted drafted written collected"
)

# Nouns that can be a verb too: "the claim" vs "X claims"; a determiner before makes a noun.
NOUN_OR_VERB: frozenset[str] = word_set(
    "claim claims report reports post posts tweet tweets charge charges dispute disputes "
    "estimate estimates promise promises counter term terms note notes show shows find "
    "finds record signal signals state states blame order warning statement remark remarks "
    "comment comments reply replies response"
)
# Words before a noun-or-verb that make it a noun.
NOUN_MAKERS: frozenset[str] = (
    DETERMINERS
    | POSSESSIVE_PRONOUNS
    | word_set("of to for in on with by this that these those such no any")
)
