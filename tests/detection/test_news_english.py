"""Phenomena of news English that detection once missed, one table per kind of miss.

Every sentence here was written for this test; none comes from a fixture story. Each
row names the rule that makes it pass (the module it lives in), so breaking that rule
fails the row.
"""

from __future__ import annotations

import pytest

from verify.detection import DetectedClaim, detect_claims


def _claim(body: str) -> DetectedClaim:
    claims = [c for c in detect_claims(body) if not c.headline]
    assert len(claims) == 1, [c.text for c in claims]
    return claims[0]


def _sources(body: str) -> list[str]:
    return [a.source for a in _claim(body).detected_attributions]


# --- attribution where the speech verb is not right after the name -------------------


@pytest.mark.parametrize(
    ("body", "source"),
    [
        # phrases.skip_between: a bracketed party or state tag
        (
            "Sen. Maria Delgado (D-Mo.) said the bill would cut costs by 12 percent.",
            "Sen. Maria Delgado",
        ),
        ("Rep. Tom Ruiz (R-Texas) told reporters that 40 staff had quit.", "Rep. Tom Ruiz"),
        ("Gov. Ana Reyes (R) said 300 troops were sent to the border.", "Gov. Ana Reyes"),
        ("Rep. Jo Park (D-Calif.) has said the program cost $8 million.", "Rep. Jo Park"),
        # phrases.skip_between / lexicon.BETWEEN_SUBJECT_AND_VERB: adverbs and auxiliaries
        ("The mayor has long said that the bridge is safe for traffic.", "The mayor"),
        ("The minister often says the port handles 40 percent of exports.", "The minister"),
        ("The regulator consistently said the bank held $2 billion in reserves.", "The regulator"),
        ("The council has repeatedly said that the bridge is safe for traffic.", "The council"),
        # phrases.adverb: any adverb in -ly, not only the listed ones
        ("The firm belatedly admitted that 2,000 accounts were hacked.", "The firm"),
        ("The regulator bluntly warned that 12 lenders were short of capital.", "The regulator"),
        # clauses.participle_clauses: ", calling for ...", ", saying ..."
        ("The union walked out on Monday, calling for a 9 percent pay rise.", "The union"),
        ("The union rejected the offer, saying it fell 5 percent short of inflation.", "The union"),
        (
            "The agency published its figures on Friday, warning that 300 jobs were at risk.",
            "The agency",
        ),
        # attribution._subject: relative clauses
        ("Farmers, who said the river had turned red in May, demanded compensation.", "Farmers"),
        ("The plant released chemicals which the inspector said were toxic.", "the inspector"),
        ("Fans who said they had waited 6 hours were turned away.", "Fans"),
        (
            "The drug, which the researchers said was safe, cut deaths by a third.",
            "the researchers",
        ),
        # attribution.find_attributions: the progressive
        ("The governor is promising that the road will reopen by June.", "The governor"),
        ("Officials were insisting on Monday that 40 people had died.", "Officials"),
        ("The coach is claiming that 3 players were injured on purpose.", "The coach"),
        # phrases.np_right: a modifier inside "according to the top ... journal"
        (
            "According to the top medical journal in the country, the drug cut deaths by a third.",
            "the top medical journal",
        ),
        (
            "According to the leading science journal in Europe, the trial failed in 2 groups.",
            "the leading science journal in Europe",
        ),
        # clauses.framed_report: verbs that report in one frame only
        ("The senator pointed to a 2019 audit that found $4 million missing.", "The senator"),
        ("The mayor pointed out that 300 homes still had no power.", "The mayor"),
        ("The minister characterized the strike as illegal on Tuesday.", "The minister"),
        ("The union characterised the 2 percent offer as an insult.", "The union"),
        ("The coach referred to the referee as biased after the 2-1 defeat.", "The coach"),
        ("Critics referred to the 40-page plan as a wish list.", "Critics"),
        ("The prosecutor asked why the company had destroyed 300 files.", "The prosecutor"),
        ("The judge asked how $4 million had gone missing from the fund.", "The judge"),
        ("The report names three officials who approved the contract in 2020.", "The report"),
        ("The lawsuit names four executives who signed off on the 2019 accounts.", "The lawsuit"),
    ],
)
def test_the_speaker_is_found_where_the_verb_is_not_next_to_the_name(
    body: str, source: str
) -> None:
    assert source in _sources(body)


@pytest.mark.parametrize(
    ("body", "source"),
    [
        # attribution._plain_subject: a clause between commas is stepped over to the subject
        (
            "The chief executive, who joined the firm in 2015 after a decade at a rival bank, "
            "said losses had doubled.",
            "The chief executive",
        ),
        (
            "The governor, speaking to farmers in the north of the state, said the drought "
            "would end by 2026.",
            "The governor",
        ),
        (
            "The club, which was founded in 1901 and sold to investors last year, said debts "
            "had reached $50 million.",
            "The club",
        ),
    ],
)
def test_a_subject_parted_from_its_verb_still_speaks(body: str, source: str) -> None:
    assert _sources(body) == [source]


@pytest.mark.parametrize(
    ("body", "source"),
    [
        # detector._antecedent: a pronoun in a second clause is the sentence's own subject
        (
            "Ann Ode chaired the meeting on Monday, but she said the budget was cut by 3 percent.",
            "Ann Ode",
        ),
        (
            "The council approved the plan in March, but it said on Friday that 40 homes "
            "would be demolished.",
            "The council",
        ),
        (
            "Police arrested two men on Sunday, and they said a third suspect was still at large.",
            "Police",
        ),
    ],
)
def test_a_second_reporting_clause_speaks_for_the_sentence_subject(body: str, source: str) -> None:
    assert _sources(body) == [source]


def test_whose_names_the_owner_that_speaks() -> None:
    # attribution._subject: "whose office" is not a source's name
    body = (
        "The mayor, whose office said on Monday that 20 roads were shut, said crews were working."
    )
    assert _sources(body) == ["The mayor"]


@pytest.mark.parametrize(
    ("body", "sources"),
    [
        (
            "The club confirmed the fee was 40 million pounds, "
            "but the player's agent said it was lower.",
            ["The club", "the player's agent"],
        ),
        (
            "The ministry said the fee was 40 million pounds, "
            "while the club's lawyer said it was lower.",
            ["The ministry", "the club's lawyer"],
        ),
    ],
)
def test_a_second_reporting_clause_gives_a_second_source(body: str, sources: list[str]) -> None:
    assert _sources(body) == sources


# --- wrong sources -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "sources"),
    [
        # attribution find_attributions: whoever was told is not the source, a person
        ("The mayor told Kowalski that 14 buildings had collapsed on Monday.", ["The mayor"]),
        # ... nor an outlet: it is how the claim was obtained
        (
            "The minister told the Daily Courier that 14 buildings had collapsed.",
            ["The minister"],
        ),
        (
            'The firm\'s chief executive, Ann Ode, told Reuters: "We will cut 300 jobs in 2025."',
            ["Ann Ode"],
        ),
        (
            'The mayor, speaking on Monday, told Channel 4: "The bridge will reopen in June."',
            ["The mayor"],
        ),
        # attribution find_attributions: the object of "cited" is evidence, not a speaker
        ("The lawyer cited a 2018 study showing the pipe had leaked for years.", ["The lawyer"]),
        ("The report cited figures from the health ministry showing 300 deaths.", ["The report"]),
        ("The coach cited injuries to 4 players as the reason for the defeat.", ["The coach"]),
        # ... unless it is cited "as saying"
        (
            "The newspaper cited two officials as saying the plant would close in 2026.",
            ["two officials"],
        ),
        # attribution: "charged with" is an indictment, not a statement
        ("The man appeared in court on Tuesday charged with murder.", []),
        # lexicon.NOUN_OR_VERB: the noun "remarks" is no reporting verb
        ("Her remarks on Tuesday came after 14 buildings collapsed.", []),
        ("The remarks drew criticism from 3 unions on Friday.", []),
        (
            "In remarks to reporters, the minister said 14 buildings had collapsed.",
            ["the minister"],
        ),
    ],
)
def test_only_speakers_are_sources(body: str, sources: list[str]) -> None:
    assert _sources(body) == sources


@pytest.mark.parametrize(
    "byline", ["By Anna Kowalski and Tom Reed", "By Tom Reed, Health Correspondent"]
)
def test_a_byline_is_neither_a_claim_nor_a_source(byline: str) -> None:
    # headlines.is_byline: "By Name" alone on a line
    body = byline + "\n\nHe said the plant would close in 2026."
    claims = detect_claims(body)
    assert [c.headline for c in claims] == [False]
    assert not any(a.source in byline for a in claims[0].detected_attributions)


# --- hedges --------------------------------------------------------------------------

UNCERTAIN = [
    # hedges.py: modals of possibility and prediction
    "The new rules may cut emissions by 20 percent by 2030.",
    "The merger could cost 2,000 jobs, the union said.",
    "Higher rates would push 300 firms into default, the bank said.",
    "The drug might reduce deaths by a third, the study found.",
    # hedges.py: expectation and estimate verbs
    "The company expects revenue of $8 billion this year.",
    "Sales are expected to fall by 4 percent in 2025.",
    "The agency estimates that 3,000 homes were damaged.",
    "The bank forecasts growth of 2 percent next year.",
    "The ministry foresees 5,000 new jobs by 2027.",
    # cues.py and hedges.py: epistemic adverbs and adjectives
    "Perhaps 200 people were trapped in the building on Monday.",
    "The fire was seemingly started by a faulty heater in the kitchen on Sunday.",
    "A possible leak at the plant forced 500 workers to leave on Friday.",
    "The apparent victory gave the party 52 seats in parliament.",
    "Perhaps the fire was started deliberately.",
    # hedges.states_possibility: "perhaps" beside a modal keeps the sentence a claim
    "The talks would perhaps resume after the holiday.",
    "Turnout is likely to top 60 percent in the capital, officials said.",
    # cues.py: "seemed" and "appears" without "to"
    "The suspect seemed nervous when police stopped him on Tuesday.",
    "The building appears unsound after the quake, engineers said.",
    "The crowd seemed calm as the result was read out in the hall.",
    "The result appears final after 3 recounts.",
    # cues.py and hedges.py: conditionals, contractions included
    "If that's true, the company owes workers $3 million.",
    "The club will be fined $2 million if the charges are upheld.",
    "If they're right, the firm owes $3 million.",
    "The plant will close in 2026 unless a buyer is found.",
    # hedges.py: embedded questions
    "Officials are investigating whether the dam was inspected in 2021.",
    "Investigators are examining whether the fire was set deliberately.",
]
CERTAIN = [
    "Unemployment rose to 6.1 per cent in May.",
    "Profits were better than expected at 40 million pounds in 2024.",
    "The man appeared in court on Tuesday charged with murder.",
    "The council approved a budget of $4 million on Monday.",
    "The bank cut its main rate to 4 percent on Thursday.",
    "Police arrested 12 people after the match on Saturday.",
    "The minister said the bridge had reopened on Friday.",
    "Floodwater reached the second floor of 40 homes, the fire service said.",
]


@pytest.mark.parametrize("body", UNCERTAIN)
def test_a_hedged_sentence_is_uncertain(body: str) -> None:
    assert _claim(body).uncertain


@pytest.mark.parametrize("body", CERTAIN)
def test_a_plain_report_is_not_uncertain(body: str) -> None:
    assert not _claim(body).uncertain


@pytest.mark.parametrize(
    "body",
    [
        # cues.py: "if that's true", the contraction in either apostrophe
        "If that's true, the company owes workers $3 million.",
        "The company owes workers $3 million, if that’s true.",
        "If it is true, the club broke the rules 4 times.",
    ],
)
def test_if_true_doubts_the_claim_itself(body: str) -> None:
    c = _claim(body)
    assert c.contested
    assert any(s.kind == "conditional" and "true" in s.cue for s in c.contest_signals)


def test_a_forecast_is_uncertain_and_so_contested() -> None:
    # DESIGN: a claim that the text only hedges is contested; the hedge is the signal
    c = _claim("The company expects revenue of $8 billion this year.")
    assert c.contested
    assert c.uncertain
    assert [h.cue for h in c.hedges] == ["expects"]
    assert [(s.kind, s.cue) for s in c.contest_signals] == [("hedge", "expects")]
    assert "hedged" in c.checkable_reasons
    cond = _claim("The plant will close in 2026 if the 3 contracts are not renewed.")
    assert cond.contested
    assert [s.kind for s in cond.contest_signals] == ["conditional"]
    plain = _claim("The company reported revenue of $8 billion last year.")
    assert not plain.contested
    assert not plain.uncertain


# --- whole claims once missed --------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        # checkable._IMPERSONAL with cues.py's impersonal hedge
        "It is believed that the minister resigned.",
        "It was reported that the minister resigned on Tuesday.",
        "It is feared that the dam will burst.",
        "The minister resigned, it was reported.",
        "It is understood that the club rejected the offer.",
        "It has been alleged that the mayor hid the cost of the bridge.",
        # "X is said to" opens the sentence with its hedge too
        "The minister is said to have resigned on Tuesday.",
        "The two companies are said to be in talks.",
        "The ship was thought to be carrying fuel.",
    ],
)
def test_an_impersonal_hedge_gives_a_contested_claim(body: str) -> None:
    c = _claim(body)
    assert c.contested
    assert any(s.kind == "hedge" for s in c.contest_signals)
