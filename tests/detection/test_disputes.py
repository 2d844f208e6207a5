"""Both sides of a dispute, competing figures of one kind, rejected results, outside
caveats on a finding, and the sources these stories name: invented stories, each rule
with a case it must leave alone."""

from __future__ import annotations

import pytest

from tests.detection.support import claim_holding


def _story(*paragraphs: str) -> str:
    """A body with one paragraph per line, as the newsroom sends it."""
    return "\n\n".join(paragraphs) + "\n"


def _contested(body: str, fragment: str) -> bool:
    return claim_holding(body, fragment).contested


def _sources(body: str, fragment: str) -> list[str]:
    return [a.source for a in claim_holding(body, fragment).detected_attributions]


WHISTLEBLOWER = _story(
    "Bakery chain accused of hiding mould complaints",
    (
        "A former hygiene officer at Crumbwell Bakeries says the chain ignored reports of "
        "mould in bread sold to hospitals."
    ),
    (
        "Nadia Rook said she first logged mould in finished loaves in April 2021 and told her"
        " manager the same week."
    ),
    (
        "She said the practice of relabelling old stock began in 2019, after the chain closed"
        " two of its four depots."
    ),
    "Crumbwell denied the allegations and said Rook had been dismissed for repeated lateness.",
    (
        '"Our own tests on retained loaves from every batch found no mould," the chain said '
        "in a statement."
    ),
    "The city health department said it had received 9 complaints about the chain since 2022.",
    "Crumbwell's shares fell 18 percent on Thursday.",
    (
        "Rook said she raised her concerns with the finance director, Tom Greer, in a letter "
        "in June."
    ),
    "The chain said it would publish the results of an outside audit next month.",
)


@pytest.mark.parametrize(
    "fragment",
    [
        "she first logged mould",  # the accuser's own account, before the denial
        "the practice of relabelling old stock began in 2019",  # her supporting detail
        "Our own tests on retained loaves",  # the accused's account, no denial word in it
        "she raised her concerns with the finance director",  # she goes on later
    ],
)
def test_each_party_of_a_dispute_is_contested_on_the_matter(fragment: str) -> None:
    assert _contested(WHISTLEBLOWER, fragment)


@pytest.mark.parametrize(
    "fragment",
    [
        "had received 9 complaints",  # a third party's count beside the dispute
        "shares fell 18 percent",  # a market move the story reports itself
        "would publish the results of an outside audit",  # a plan, not an account
    ],
)
def test_plain_facts_next_to_a_dispute_stay_uncontested(fragment: str) -> None:
    assert not _contested(WHISTLEBLOWER, fragment)


def test_the_dispute_signal_names_both_parties() -> None:
    c = claim_holding(WHISTLEBLOWER, "Our own tests on retained loaves")
    details = " ".join(s.detail for s in c.contest_signals if s.kind == "conflicting_sources")
    assert "Crumbwell" in details
    assert "Rook" in details


MARCH = _story(
    "Thousands march against water charges",
    "Police put the number of protesters at about 3,000.",
    "The organisers said more than 40,000 people had taken part.",
    "Police said 14 people were detained after a group threw stones at officers.",
    "The organisers said they would hold another march next Saturday.",
)


def test_competing_turnout_figures_whatever_the_noun() -> None:
    assert _contested(MARCH, "about 3,000")
    assert _contested(MARCH, "more than 40,000 people had taken part")


def test_an_arrest_count_is_not_a_turnout_figure() -> None:
    assert not _contested(MARCH, "14 people were detained")
    assert not _contested(MARCH, "would hold another march")


def test_a_turnout_count_against_a_share_is_a_dispute() -> None:
    body = (
        "The union said 28,000 of its members had joined the strike. "
        "The ministry said 31 percent of nurses had taken part."
    )
    assert _contested(body, "28,000")
    assert _contested(body, "31 percent")


ELECTION = _story(
    "Opposition rejects count in governor's race",
    (
        "Governor Ilse Brandt won 53.6 percent of the vote, according to provisional results "
        "published by the electoral board."
    ),
    "Turnout was 61 percent, the board said.",
    (
        "Brandt's party also won 19 of the 30 seats in the assembly, according to the "
        "provisional results."
    ),
    ('"We did not lose this election," Marek Sulla of the Renewal party told state television.'),
    "Sulla said his own observers had counted more votes for him in 12 districts.",
    "A monitoring mission from the Regional Democracy Council said voting had been calm.",
)


def test_a_rejected_result_and_the_rejection_are_contested() -> None:
    assert _contested(ELECTION, "won 53.6 percent of the vote")
    assert _contested(ELECTION, "We did not lose this election")
    assert _contested(ELECTION, "his own observers had counted more votes")


def test_what_the_rejection_does_not_touch_stays_uncontested() -> None:
    assert not _contested(ELECTION, "Turnout was 61 percent")
    assert not _contested(ELECTION, "won 19 of the 30 seats")
    assert not _contested(ELECTION, "voting had been calm")


def test_election_sources() -> None:
    results = _sources(ELECTION, "won 53.6 percent")
    # results published by a body are that body's, as "figures from X" are X's
    assert "the electoral board" in results
    # the outlet told is how the claim was obtained, not its source
    assert _sources(ELECTION, "We did not lose") == ["Marek Sulla of the Renewal party"]
    mission = _sources(ELECTION, "voting had been calm")
    assert "A monitoring mission from the Regional Democracy Council" in mission


PREPRINT = _story(
    "Nasal spray cut colds in small trial, maker says",
    (
        "Ostrel Labs said its nasal spray cut the number of colds by 38 percent in a trial of"
        " 140 office workers."
    ),
    "Workers using the spray missed 1.5 fewer days of work over the winter, the company said.",
    "Ostrel's shares rose 12 percent on the news.",
    "The results were posted online on Monday.",
    (
        "Dr Vera Lind, an immunologist who was not involved, said the trial was too small to "
        "draw firm conclusions and had not been peer reviewed."
    ),
    (
        "Colds cost employers about 2 billion euros a year, according to the national "
        "statistics office."
    ),
)


def test_an_outside_caveat_contests_the_finding_several_sentences_back() -> None:
    assert _contested(PREPRINT, "cut the number of colds by 38 percent")
    assert _contested(PREPRINT, "missed 1.5 fewer days of work")
    assert _contested(PREPRINT, "too small to draw firm conclusions")


def test_a_caveat_leaves_market_moves_and_background_alone() -> None:
    assert not _contested(PREPRINT, "shares rose 12 percent")
    assert not _contested(PREPRINT, "Colds cost employers")


def test_the_authors_own_caution_is_no_outside_caveat() -> None:
    body = (
        "The study found a 20 percent fall in falls among the patients, the authors said. "
        "The authors said the trial was too small to draw firm conclusions."
    )
    assert not _contested(body, "20 percent fall")


DUEL = _story(
    "Convoy attack: both sides trade blame",
    "The army said fighters of the Red Valley Front had fired on the convoy from the hills.",
    "The Red Valley Front said none of its fighters had been near the convoy.",
    "Videos shared on social media appeared to show burning trucks on a mountain road.",
    "Posts shared widely on social media claimed the convoy had carried weapons.",
)


def test_duelling_accounts_contest_each_other() -> None:
    assert _contested(DUEL, "had fired on the convoy")
    assert _contested(DUEL, "none of its fighters had been near the convoy")


def test_social_media_sources() -> None:
    assert _sources(DUEL, "burning trucks") == ["Videos shared on social media"]
    assert _sources(DUEL, "had carried weapons") == ["Posts shared widely on social media"]


def test_a_denial_of_something_else_is_no_counter_account() -> None:
    body = (
        "The league said the Red Valley club had been fined 8,000 euros. "
        "The Red Valley club said its coach had never cheated in his life."
    )
    assert not _contested(body, "had been fined 8,000 euros")


def test_an_accusation_contests_what_the_accused_said() -> None:
    body = (
        "The ministry said the new toll had raised 40 million dollars in its first month.\n\n"
        "The opposition Civic Bloc accused the ministry of hiding the cost of collecting it.\n\n"
        "Bloc leader Ana Ruiz said collection had cost 25 million dollars.\n"
    )
    assert _contested(body, "raised 40 million dollars")
    assert _contested(body, "collection had cost 25 million dollars")


COUNTERED = _story(
    "Ministry and regulator at odds over hospital waiting lists",
    "Health Minister Lena Ostrova wrote in a newspaper column that waiting lists had halved"
    " since 2022.",
    "The regulator countered in a report that 41 percent of patients still waited more"
    " than a year.",
    "Unemployment fell to 5 percent in May, according to the statistics office.",
)


def test_a_countered_claim_and_what_it_answers_are_both_disputed() -> None:
    assert _contested(COUNTERED, "41 percent of patients")
    assert _contested(COUNTERED, "waiting lists had halved")
    assert not _contested(COUNTERED, "Unemployment fell to 5 percent")


INSISTED = _story(
    "Tenants say heating failed all winter",
    "Tenants of the Marlow estate said the heating in their flats had failed for three months.",
    '"The heating was repaired within days of every failure," the landlord\'s lawyer,'
    " Piet Hollis, insisted.",
    "The estate has 300 flats, according to council records.",
)


def test_an_insistence_answers_the_other_party_about_the_same_thing() -> None:
    assert _contested(INSISTED, "repaired within days")
    assert _contested(INSISTED, "had failed for three months")
    assert not _contested(INSISTED, "The estate has 300 flats")


def test_an_insistence_on_another_matter_disputes_nothing() -> None:
    body = _story(
        "Club signs striker",
        "The club said it had signed the striker on a three-year contract.",
        "The coach insisted that training would resume on Monday at the new ground.",
    )
    assert not _contested(body, "signed the striker")


ALERT = _story(
    "Residents say flood warning came late",
    "Residents of the lower town said the flood siren sounded only after water reached the square.",
    "The river authority said its siren had sounded 90 minutes before the river burst its banks.",
)


def test_two_accounts_in_adjacent_paragraphs_one_pushing_back() -> None:
    assert _contested(ALERT, "sounded only after water")
    assert _contested(ALERT, "90 minutes before")


def test_a_stance_on_what_is_to_come_is_not_a_counter_account() -> None:
    body = _story(
        "Port talks",
        "A union official, who asked not to be named, said a state mediator had met both sides.",
        "The transport minister said the state would not intervene in the talks.",
    )
    assert not _contested(body, "would not intervene")


def test_the_company_speaking_right_after_its_denial_is_its_side() -> None:
    body = _story(
        "Fire cause",
        "Officials said investigators were examining whether a substation owned by Tessel"
        " Power started the fire.",
        "Tessel Power denied that its equipment was involved.",
        '"Our substation passed its inspection in April," the company said in a statement.',
    )
    assert _contested(body, "passed its inspection in April")


def test_a_sentence_that_says_two_accounts_differ_contests_both() -> None:
    body = _story(
        "Strikers said 600 workers walked out of the Tamsley depot on Monday.",
        "The depot manager, Orla Quen, said the walkout began at 6 a.m. She said 14 lorries "
        "were blocked at the gate.",
        "Depot owner Vexmar Haulage gave a very different account. It said fewer than 90 "
        "staff stayed away and that every lorry left on time.",
        "The depot opened in 1998 and employs 1,100 people, according to council records.",
    )
    assert _contested(body, "fewer than 90 staff stayed away")
    assert _contested(body, "14 lorries were blocked")
    assert not _contested(body, "opened in 1998")


def test_the_two_sides_describing_something_in_different_terms() -> None:
    body = _story(
        "The port authority said 40 ships were waiting to dock.",
        "The two sides also describe the quays in very different terms. A union survey found "
        "3 cranes out of service. The authority said every crane was working.",
    )
    assert _contested(body, "3 cranes out of service")
    assert _contested(body, "every crane was working")


def test_no_announcement_no_contest() -> None:
    body = _story(
        "The depot manager, Orla Quen, said the walkout began at 6 a.m.",
        "Depot owner Vexmar Haulage said 14 lorries left on time.",
    )
    assert not _contested(body, "14 lorries left on time")
