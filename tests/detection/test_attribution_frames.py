"""Attribution frames added for held-out news styles: each with invented sentences."""

from __future__ import annotations

from verify.detection import DetectedAttribution, detect_claims


def _sources_of(body: str, fragment: str) -> dict[str, str]:
    at = body.index(fragment)
    for c in detect_claims(body):
        if c.start <= at < c.end:
            return {a.source: a.source_kind for a in c.detected_attributions}
    raise AssertionError(f"no claim holds {fragment!r}")


def _attributions_of(body: str, fragment: str) -> list[DetectedAttribution]:
    at = body.index(fragment)
    (c,) = [c for c in detect_claims(body) if c.start <= at < c.end]
    return list(c.detected_attributions)


def _names(attrs: dict[str, str]) -> set[str]:
    return set(attrs)


def test_bare_plural_after_a_day_is_the_source_not_the_phrase_before() -> None:
    body = "A man was arrested in the Westmoor district of Harlan late on Friday, police said."
    assert _names(_sources_of(body, "was arrested")) == {"police"}


def test_pronoun_after_an_opening_phrase_resolves_to_a_known_surname() -> None:
    body = (
        "Opposition leader Mara Quist lost the vote on Sunday. Quist refused to concede. "
        "In a post on X, she wrote that 300 ballots had been lost."
    )
    assert "Quist" in _sources_of(body, "300 ballots")


def test_coordinated_clause_shares_the_subject() -> None:
    body = "The victim's family named him as Tal Brody and said he had been unarmed."
    assert "The victim's family" in _sources_of(body, "unarmed")
    body = "Governor Ines Marr called for calm and said she had ordered an inquiry."
    assert "Governor Ines Marr" in _sources_of(body, "ordered an inquiry")


def test_possessive_spokesman_is_the_names_role() -> None:
    body = (
        "The rebel coalition denied any role in the raid. "
        "Its spokesman, Omar Vell, said government troops had started the fire."
    )
    found = _attributions_of(body, "started the fire")
    assert [(a.source, a.role) for a in found] == [("Omar Vell", "Its spokesman")]


def test_named_role_before_an_appositive_name() -> None:
    found = _attributions_of("An Orvane spokesman, Pol Drey, said 12 flights were cut.", "12")
    assert [(a.source, a.role) for a in found] == [("Pol Drey", "An Orvane spokesman")]


def test_outlet_that_examined_the_material() -> None:
    body = "Images shared by the group, which the Valley Courier reviewed, appear to show 4 tanks."
    assert "the Valley Courier" in _sources_of(body, "4 tanks")


def test_people_interviewed_by_an_outlet_and_the_outlet() -> None:
    body = "Two farmers interviewed by the Hill Gazette said the dam cracked on Sunday."
    attrs = _sources_of(body, "dam cracked")
    assert attrs.get("Two farmers") == "person"
    assert attrs.get("the Hill Gazette") == "media"


def test_reduced_relative_participle_in_a_document_subject() -> None:
    body = "Ministry figures released early on Monday showed 41 percent turnout."
    assert any(s.startswith("Ministry figures") for s in _sources_of(body, "41 percent"))


def test_sentence_opening_document_is_the_source() -> None:
    body = "In a court filing on Monday, lawyers for the hauliers asked for 3 more weeks."
    assert _sources_of(body, "3 more weeks") == {"a court filing": "document"}


def test_evidence_verbs_of_studies_and_disclosures() -> None:
    body = "A 2019 trial in 400 farms found no fall in yields."
    assert "A 2019 trial in 400 farms" in _sources_of(body, "no fall")
    body = "The survey was paid for by Verro Foods, a disclosure in the report shows."
    assert "a disclosure in the report" in _sources_of(body, "paid for")


def test_free_relative_what_is_not_a_source() -> None:
    body = "Dr Lena Rusk said the posts went beyond what the data showed."
    assert _names(_sources_of(body, "went beyond")) == {"Dr Lena Rusk"}


def test_according_to_any_person_noun() -> None:
    body = "Two trucks were stopped at the border, according to a dispatcher at the port."
    assert "a dispatcher at the port" in _sources_of(body, "Two trucks")


def test_put_the_toll_at_names_the_estimating_source() -> None:
    body = "The provincial health office put the death toll at 31 on Tuesday."
    assert "The provincial health office" in _sources_of(body, "death toll")


def test_agency_is_an_organisation_unless_it_is_a_news_agency() -> None:
    body = "The water agency said 12 wells were closed on Monday."
    assert _sources_of(body, "12 wells") == {"The water agency": "organisation"}
    body = "The news agency said 12 wells were closed on Monday."
    assert _sources_of(body, "12 wells") == {"The news agency": "media"}


def test_a_person_role_does_not_make_a_company_a_person() -> None:
    body = "The mine's owner, Tarrow Mining, said 20 workers were evacuated."
    assert _sources_of(body, "20 workers").get("Tarrow Mining") == "organisation"


def test_quote_continuation_keeps_its_speaker() -> None:
    body = '"We were never warned," Ada Lenz told reporters. "Nobody told us anything at all."'
    claims = detect_claims(body)
    second = next(c for c in claims if "Nobody" in c.text)
    assert {a.source for a in second.detected_attributions} == {"Ada Lenz"}


def test_social_channels_but_not_a_company_posting_a_loss() -> None:
    kinds = _sources_of("The senator wrote on X that 9 votes were missing.", "9 votes")
    assert kinds == {"The senator": "social_post"}
    kinds = _sources_of("The militia said on Telegram that it shot down 2 drones.", "2 drones")
    assert kinds == {"The militia": "social_post"}
    kinds = _sources_of("The retailer said on Monday that it posted a loss of $3 million.", "$3")
    assert kinds == {"The retailer": "organisation"}


def test_attributions_are_detected_attributions() -> None:
    (c,) = detect_claims("The union said 300 members had walked out on Monday.")
    assert all(isinstance(a, DetectedAttribution) for a in c.detected_attributions)


def test_the_union_is_not_the_company_named_before() -> None:
    body = "Tarn Port Holdings said 2 cranes were idle. The union denied that 2 cranes were idle."
    second = next(c for c in detect_claims(body) if c.text.startswith("The union"))
    assert {a.source for a in second.detected_attributions} == {"The union"}


def test_a_put_frame_keeps_its_appositive_subject() -> None:
    body = "The operator, Tarn Ports, put the number of striking dockers at about 900."
    assert "Tarn Ports" in _sources_of(body, "900")


def test_which_it_said_is_the_pronoun_not_the_relative() -> None:
    body = "Tarn Ports said the strike, which it said would last 3 days, was illegal."
    assert not any(s.lower().startswith("which") for s in _sources_of(body, "3 days"))


def test_a_lower_case_title_before_a_name_is_a_person() -> None:
    body = "Union leader Ann Wolk said 300 dockers had walked out."
    assert _sources_of(body, "300 dockers") == {"Union leader Ann Wolk": "person"}


def test_present_tense_by_position_makes_a_claim() -> None:
    body = "The port handles about 40 percent of the grain, according to the ministry."
    assert _sources_of(body, "40 percent") == {"the ministry": "organisation"}
