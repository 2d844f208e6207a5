"""Attribution rules: reporting verbs in each tense and order, source spans and kinds."""

from __future__ import annotations

import pytest

from verify.detection import DetectedAttribution, DetectedClaim, detect_claims


def _only_claim(body: str) -> DetectedClaim:
    claims = detect_claims(body)
    assert len(claims) == 1, [c.text for c in claims]
    return claims[0]


def _sources(body: str) -> list[DetectedAttribution]:
    return list(_only_claim(body).detected_attributions)


@pytest.mark.parametrize(
    ("body", "source", "cue"),
    [
        ("The minister said the bridge would reopen on Friday.", "The minister", "said"),
        ("The airline says it carried 3 million passengers in May.", "The airline", "says"),
        ("The coach had said the team would win 10 games.", "The coach", "said"),
        ("The bridge will reopen on Friday, the minister said.", "the minister", "said"),
        (
            "The bridge will reopen on Friday, said Jane Porter, the minister.",
            "Jane Porter",
            "said",
        ),
        (
            "Officials in the province warned that 200 villages could flood.",
            "Officials in the province",
            "warned",
        ),
        ("The mayor insisted that 40 buses were running.", "The mayor", "insisted"),
        ("The union added that 300 workers had walked out.", "The union", "added"),
        ("The regulator stated that 12 banks had failed the test.", "The regulator", "stated"),
        ("The ministry announced 500 new jobs on Monday.", "The ministry", "announced"),
        ("The company revealed a loss of $3 million.", "The company", "revealed"),
        ("The senator tweeted that 9 votes were missing.", "The senator", "tweeted"),
        ("The club confirmed the striker had signed a 3-year deal.", "The club", "confirmed"),
        ("The party claimed it had won 40 seats.", "The party", "claimed"),
        ("Court records show the house was sold for $890,000.", "Court records", "show"),
        (
            "Gen. Amal Haddad confirmed the strike on the depot on Monday.",
            "Gen. Amal Haddad",
            "confirmed",
        ),
        ("Lt Gen Omar Reyes said 14 soldiers had been wounded.", "Lt Gen Omar Reyes", "said"),
        (
            "Judge Ana Ortiz ruled that the 2019 contract was void, the court said.",
            "the court",
            "said",
        ),
    ],
)
def test_reporting_verbs_in_each_tense_and_order(body: str, source: str, cue: str) -> None:
    found = [(a.source, a.cue) for a in _sources(body)]
    assert (source, cue) in found


def test_according_to_names_the_source_after_it() -> None:
    body = "According to the regional water authority, 40,000 homes lost supply on Tuesday."
    (a,) = _sources(body)
    assert (a.source, a.source_kind, a.cue) == (
        "the regional water authority",
        "organisation",
        "According to",
    )


def test_documents_and_court_filings() -> None:
    (a,) = _sources("Output fell by 12% last year, according to court documents.")
    assert (a.source, a.source_kind) == ("court documents", "document")
    (b,) = _sources("The lawsuit alleges that the firm hid losses of $2 million.")
    assert (b.source, b.source_kind) == ("The lawsuit", "document")


def test_citing_and_reported() -> None:
    body = "Two men were arrested on Monday, the newspaper reported, citing two police officers."
    found = {(a.source, a.source_kind, a.cue) for a in _sources(body)}
    assert ("the newspaper", "media", "reported") in found
    assert ("two police officers", "person", "citing") in found


def test_inverted_outlet_after_reported() -> None:
    (a,) = _sources("Troops crossed the border at 3 a.m., reported Daily Harbour News.")
    assert (a.source, a.source_kind) == ("Daily Harbour News", "media")


def test_the_outlet_told_is_not_the_source() -> None:
    # DESIGN's Attribution: "told Aamaj News" says how the claim was obtained; the one
    # who told it is the source
    found = {
        (a.source, a.source_kind)
        for a in _sources(
            "Jane Porter told Channel Four News that 12 inspections had found cracks."
        )
    }
    assert found == {("Jane Porter", "person")}
    found = {a.source for a in _sources("Jane Porter told reporters that 12 cracks were found.")}
    assert found == {"Jane Porter"}


def test_role_phrases_and_appositives() -> None:
    (a,) = _sources("A spokesperson for the ministry said 14 people were arrested.")
    assert a.source == "A spokesperson for the ministry"
    # the role with an owner is the name's role, not a source of its own (DESIGN's
    # Attribution: a source with its affiliation or role)
    roles = _sources("The company's chief executive, Sara Lind, announced 300 job cuts.")
    assert [(r.source, r.role) for r in roles] == [("Sara Lind", "The company's chief executive")]
    army = _sources("An army spokesman, Major Ilo Vantre, said 12 fighters were killed.")
    assert [(r.source, r.role) for r in army] == [("Major Ilo Vantre", "An army spokesman")]
    # a bare role is no body: only the name
    (b,) = _sources("The chief executive, Sara Lind, announced 300 job cuts.")
    assert b.source == "Sara Lind"
    (c,) = _sources("The paving firm, Acme Roads, denied paying $40,000 in bribes.")
    assert (c.source, c.source_kind) == ("Acme Roads", "organisation")
    (d,) = _sources(
        "Dr Lena Fox, an epidemiologist at a state university, said 30 cases were found."
    )
    assert d.source == "Dr Lena Fox"


def test_anonymous_sources() -> None:
    (a,) = _sources(
        "A police officer, who spoke on condition of anonymity, said 2 suspects had fled."
    )
    assert (a.source, a.source_kind) == ("A police officer", "anonymous")
    (b,) = _sources("An official who asked not to be named said 30 soldiers had been killed.")
    assert b.source_kind == "anonymous"
    (c,) = _sources("Two people familiar with the matter said the deal was worth $4 billion.")
    assert (c.source, c.source_kind) == ("Two people familiar with the matter", "anonymous")


def test_statements_and_social_posts() -> None:
    (a,) = _sources("In a statement, the club said the player had been banned for six games.")
    assert a.source == "the club"
    (b,) = _sources("In a post on social media, the senator wrote that 9 votes had been lost.")
    assert (b.source, b.source_kind) == ("the senator", "social_post")
    (c,) = _sources("According to Mara Quinn's tweet, 40 flights were cancelled on Monday.")
    assert (c.source, c.source_kind) == ("Mara Quinn", "social_post")


def test_possessive_pronoun_resolves_to_the_subject() -> None:
    (a,) = _sources("The agency has recorded 4,500 cases since 2016, according to its website.")
    assert a.source == "The agency"


def test_pronoun_resolves_to_the_source_before() -> None:
    body = (
        "Dana Wright, the mayor, said the plan was approved on Monday. "
        "She added that costs had doubled to $5 million. "
        "She further claimed that 3 contractors had quit."
    )
    claims = detect_claims(body)
    assert len(claims) == 3
    for c in claims:
        assert [a.source for a in c.detected_attributions] == ["Dana Wright"]
    # the pronoun's cue stays in its own sentence
    assert claims[1].detected_attributions[0].cue == "added"
    assert claims[1].start <= claims[1].detected_attributions[0].cue_start < claims[1].end


def test_pronoun_after_a_quote() -> None:
    body = (
        "Ellen Pryce, the club's manager, said the squad had 22 fit players. "
        '"We will fight on," she said.'
    )
    claims = detect_claims(body)
    last = claims[-1]
    assert [a.source for a in last.detected_attributions] == ["Ellen Pryce"]


def test_the_group_resolves_to_the_named_organisation_before() -> None:
    body = (
        "The Northern Alliance Party said it won 40 seats. "
        "The group also claimed that turnout was 70%."
    )
    second = detect_claims(body)[1]
    assert {a.source for a in second.detected_attributions} == {
        "The group",
        "The Northern Alliance Party",
    }


def test_passive_hedges_are_not_attributions() -> None:
    c = _only_claim("The firm is said to be exploring the sale of 3 plants.")
    assert c.detected_attributions == ()
    assert c.contested


def test_modal_reporting_is_not_attribution() -> None:
    assert (
        detect_claims("The inquiry will show how 12 patients died in 2021.")[
            0
        ].detected_attributions
        == ()
    )


def test_participle_inside_a_source_phrase() -> None:
    (a,) = _sources("A study published in the journal found that 1 in 5 patients relapsed.")
    assert (a.source, a.source_kind) == ("A study published in the journal", "document")


def test_capitalised_roles_are_people() -> None:
    (a,) = _sources("The CEO, speaking to analysts, said demand had recovered by 4%.")
    assert (a.source, a.source_kind) == ("The CEO", "person")


@pytest.mark.parametrize(
    ("body", "source", "kind"),
    [
        # a short "that" relative clause belongs to the subject
        (
            "A charity that represents dairy farmers said 200 farms had flooded.",
            "A charity that represents dairy farmers",
            "organisation",
        ),
        # a document "filed with" or "submitted to" a body is the source, not the body
        (
            "An engineer's assessment filed with the council found 14 cracks in the dam.",
            "An engineer",
            None,
        ),
        # a lower-case body word before a name makes it a body, not a person
        ("Shipping firm Dorrow Lines said it had cancelled 9 sailings.", None, "organisation"),
        # ", which" after a name: a body
        (
            "Pellam Foods, which runs 40 stores, said it had recalled 3 products.",
            None,
            "organisation",
        ),
    ],
)
def test_subject_phrases_of_bodies_and_documents(
    body: str, source: str | None, kind: str | None
) -> None:
    first = _sources(body)[0]
    if source is not None:
        assert first.source == source
    if kind is not None:
        assert first.source_kind == kind


def test_a_group_that_represents_people_is_no_unnamed_witness() -> None:
    c = _only_claim("A charity that represents dairy farmers said 200 farms had flooded.")
    assert not c.contested


def test_a_name_role_apposition_is_one_source_the_name_with_its_role() -> None:
    after = _sources("Colonel Iva Drennet, an army spokesman, told radio that 9 men had died.")
    assert [(a.source, a.role) for a in after] == [("Colonel Iva Drennet", "an army spokesman")]
    prep = _sources(
        "The ward held 80 patients, according to the clinic's director, Dr Pello Ambrin."
    )
    assert [(a.source, a.source_kind, a.role) for a in prep] == [
        ("Dr Pello Ambrin", "person", "the clinic's director")
    ]
    inverted = _sources("The ward held 80 patients, said the clinic's director, Dr Pello Ambrin.")
    assert [(a.source, a.role) for a in inverted] == [("Dr Pello Ambrin", "the clinic's director")]
    # a description of an outside expert is not the body a person speaks for
    expert = _sources(
        "Dr Pello Ambrin, a chemist at a state university who was not involved, said 4 "
        "samples failed."
    )
    assert [a.source for a in expert] == ["Dr Pello Ambrin"]
