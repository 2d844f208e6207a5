"""Word lists for the story-level passes: what two sentences share, which words name the
same event, which states are opposite. Plain news English, never a story's own names.
"""

from __future__ import annotations


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of a string: how every list here is written."""
    return frozenset(text.split())


# Contrast openers: a sentence starting so and attributed to a second source answers the first.
CONTRAST_OPENERS: frozenset[str] = frozenset({"but", "however", "yet"})

# Function words left out when comparing what two sentences are about.
STOPWORDS: frozenset[str] = word_set(
    "a an the and or but if of to in on at by for with from as into onto over under about "
    "after before during since than that this these those there here it its they them "
    "their he him his she her we our you your i me my be is are was were been being has "
    "have had having do does did will would can could may might must shall should not no "
    "nor so also too very just only even still yet however some any all each every other "
    "such more most less least much many few own same which who whom whose what when "
    "where why how then thus while although though because until up down out off again "
    "further once said say says told tell according reports report reported reportedly "
    "allegedly claimed claim claims alleged denied deny denies statement new last next "
    "week month year day monday tuesday wednesday thursday friday saturday sunday mr ms "
    "mrs dr one two three per cent percent within across among around near ago hour hours "
    "days weeks months years minutes early late including least"
)

# Words that mean the same event, so a denial can meet the claim it answers.
EVENT_SYNONYMS: dict[str, str] = dict(
    pair.split(":")
    for pair in word_set(
        "conquer:capture conquered:capture capture:capture captured:capture "
        "seize:capture seized:capture overran:capture overrun:capture fall:capture "
        "fell:capture control:capture kill:kill killed:kill killing:kill dead:kill "
        "died:kill death:kill deaths:kill strike:attack strikes:attack struck:attack "
        "bomb:attack bombs:attack bombed:attack bombing:attack attack:attack "
        "attacked:attack attacks:attack shelled:attack shelling:attack drone:drone "
        "drones:drone delay:delay delayed:delay postponed:delay pushed:delay "
        "toll:kill fatalities:kill wounded:injure injured:injure injuries:injure "
        "arrested:arrest arrests:arrest detained:arrest evacuated:evacuate "
        "displaced:evacuate gun:weapon guns:weapon pistol:weapon pistols:weapon "
        "handgun:weapon handguns:weapon firearm:weapon firearms:weapon rifle:weapon "
        "rifles:weapon weapon:weapon weapons:weapon "
    )
)

# Pairs of opposite states: one source saying one side and another the other conflict.
OPPOSITES: tuple[tuple[frozenset[str], frozenset[str]], ...] = (
    (
        frozenset(
            {"on track", "on schedule", "on time", "as planned", "as scheduled", "proceeding"}
            | {"went ahead", "gone ahead", "go ahead", "going ahead"}
        ),
        frozenset(
            {"delay", "delayed", "pushed back", "postponed", "behind schedule", "called off"}
            | {"cancelled", "canceled"}
        ),
    ),
    (
        frozenset({"contained", "under control", "no new cases"}),
        frozenset({"tested positive", "new cases", "spreading", "more cases"}),
    ),
    (
        frozenset({"captured", "conquered", "seized", "took control", "fell to"}),
        frozenset({"repelled", "still control", "retook", "recaptured", "remains in control"}),
    ),
    (frozenset({"alive", "survived", "unharmed"}), frozenset({"killed", "dead", "died"})),
)
