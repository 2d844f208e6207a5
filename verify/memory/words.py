"""The words claim memory reads an assertion by: what must agree between two statements
(numbers, dates, negation, direction) and the common paraphrases that must not keep two
wordings of one assertion apart. Detection's lexicon gives the function words and verbs."""

from __future__ import annotations

from verify.detection import lexicon as lx

# Negation: an odd count of these negates the statement ("did not", "no one", "never").
NEGATIONS = lx.word_set("not no never none nobody nothing neither nor without n't cannot")
# A stripped attribution whose verb is one of these negates what it attributes:
# "X denied that she met him" asserts that she did not.
DENIAL_CUES = lx.word_set(
    "deny denies denied denying reject rejects rejected rejecting refute refutes refuted "
    "dispute disputes disputed dismiss dismisses dismissed"
)

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}  # fmt: skip
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}  # fmt: skip
NUMBER_WORDS: dict[str, int] = {**_UNITS, **_ORDINALS}
SCALES = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
DATE_WORDS = lx.WEEKDAYS | lx.MONTHS
# "last year", "this week": a date said relative to the story's own day.
RELATIVE_DATES = lx.word_set("last next this")
DATE_UNITS = lx.word_set("week month year weekend")
RELATIVE_DAYS = lx.word_set("yesterday today tonight tomorrow overnight")

# Phrases read as one term before anything else ("per cent" is "percent").
PHRASES: tuple[tuple[str, str], ...] = (
    ("per cent", "percent"),
    ("jobless rate", "unemployment"),
    ("went on strike", "strike"),
    ("walked out", "strike"),
    ("found guilty", "convicted"),
    ("struck down", "ruled unconstitutional"),
    ("took control of", "captured"),
)

# Words that say one thing many ways, each mapped to one term (after lower-casing).
_SYNONYMS = {
    "strike": "hit struck strikes striking hits hitting",
    "rise": "rose risen rises rising climbed climb climbs increase increased increases "
    "raise raised raises grew grow growth",
    "fall": "fell fallen falls falling dropped drop drops declined decline declines "
    "decrease decreased cut cuts cutting reduce reduced reduces lower lowered",
    "kill": "killed killing kills",
    "die": "died dead dies",
    "capture": "captured seized seize captures seizes",
    "convict": "convicted convicts jailed sentenced",
    "percent": "%",
    "steal": "stole stolen steals stealing",
    "take": "took taken takes taking",
    "give": "gave given gives giving",
    "meet": "met meets meeting",
    "win": "won wins winning",
    "lose": "lost loses losing",
    "break": "broke broken breaks breaking",
    "write": "wrote written writes writing",
    "hold": "held holds holding",
    "children": "child kids",
}
SYNONYMS: dict[str, str] = {
    word: canon for canon, words in _SYNONYMS.items() for word in words.split()
}
VERB_SYNONYMS = lx.word_set(
    "strike rise fall kill die capture convict steal take give meet win lose break write hold"
)

# Opposite directions of one axis: a statement on one side is not one on the other.
POLARITY: dict[str, tuple[int, int]] = {}
for _axis, (_up, _down) in enumerate(
    (
        ("rise add added hire hired", "fall"),
        ("win beat", "lose"),
        ("approve accept accepted approved", "reject rejected refuse refused"),
        ("confirm confirmed admit admitted acknowledged", "deny denied"),
        ("open opened order ordered launch launched", "close closed cancel cancelled canceled"),
        ("guilty convict", "acquit acquitted innocent"),
        ("improve improved", "worsen worsened"),
        ("capture", "repel repelled retook recaptured"),
        ("end ended", "extend extended"),
        ("die", "survive survived alive unharmed"),
        ("accuse accused", "defend defended"),
    )
):
    for _sign, _words in ((1, _up), (-1, _down)):
        for _w in _words.split():
            POLARITY[_w] = (_axis, _sign)

# Not content: what two wordings of one assertion add or drop freely. Detection's
# stopwords, less the words this module reads as numbers, dates or negation.
FUNCTION_WORDS = (
    lx.STOPWORDS
    | lx.DETERMINERS
    | lx.AUXILIARIES
    | lx.word_set("some about around nearly almost approximately roughly")
) - (NEGATIONS | DATE_WORDS | frozenset(NUMBER_WORDS) | lx.word_set("new last next percent"))
# Words whose form says they are verbs in this use: a different verb is rewording;
# a different noun or adjective ("nurses" for "doctors") is a different assertion.
VERB_FORMS = lx.EVENT_VERBS | lx.IRREGULAR_FINITE | lx.PARTICIPLES | lx.REPORTING_VERBS
# Passive or "by" phrases: the actor may stand after the verb without a swap of roles.
PASSIVE_MARKERS = lx.word_set("by")
