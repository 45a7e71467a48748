"""The layers over the phrase rules: each may only raise a level, and says why.

Respelling (run-together and misspelt words), concepts found together in a clause, the
trained model, and the language check. Pure, on the shipped policies.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.model import Risk
from bot.core.triage import NOT_CHECKED, TriageRules, load_triage_rules, plain_reason, triage
from bot.core.triage_model import model_raise
from bot.core.triage_normalise import normalise

SHIPPED = Path(__file__).resolve().parents[2] / "policies"


@pytest.fixture(scope="module")
def shipped() -> TriageRules:
    return load_triage_rules(SHIPPED)


# --- run-together and misspelt words ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("iwanttodie", "'i want to die'"),
        ("took an overdoes", "'overdose'"),
        ("gonna kilmyself", "'kil myself'"),
    ],
)
def test_run_together_and_misspelt_words_are_read_as_rule_words(
    shipped: TriageRules, text: str, read_as: str
) -> None:
    result = triage(text, shipped)
    assert result.risk is Risk.EMERGENCY
    assert any(read_as in reason for reason in result.reasons), result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "he's been feeding every two hours at night, exhausting but fine",  # not "exhaust ing"
        "We laughed our heads off at her face eating lemon",  # "lemon" is not "demon"
        "We're doing okay thanks, she's growing fast",  # "growing" is not "grooming"
        "The buses are on strike, can I come on foot?",  # "buses" is not "abuse"
    ],
)
def test_ordinary_words_are_not_respelt_into_risk(shipped: TriageRules, text: str) -> None:
    assert triage(text, shipped).risk is Risk.NONE, triage(text, shipped).reasons


# --- concepts together in a clause -------------------------------------------------------


def test_concepts_found_together_in_a_clause_are_a_match_in_any_order(
    shipped: TriageRules,
) -> None:
    for text in (
        "I cut myself earlier and it won't stop bleeding",
        "bleeding won't stop from where I cut myself",
    ):
        result = triage(text, shipped)
        assert result.risk is Risk.EMERGENCY
        assert "self_harm_injury" in result.categories
        assert any("together:" in reason for reason in result.reasons)


def test_concepts_far_apart_are_not_together(shipped: TriageRules) -> None:
    text = (
        "I cut the sandwiches into little squares for the picnic and then we walked all "
        "the way round the park and back, and later my nose was bleeding from the cold air"
    )
    assert "self_harm_injury" not in triage(text, shipped).categories


# --- the model --------------------------------------------------------------------------


def test_the_model_never_lowers_what_the_rules_found() -> None:
    assert model_raise(normalise("yes see you thursday"), Risk.EMERGENCY) is None


def test_the_model_raises_with_its_score_in_the_reason(shipped: TriageRules) -> None:
    # No phrase rule reads "in the picture"; the model has seen the way people say it.
    raised = model_raise(normalise("they would all be better off without me around"), Risk.NONE)
    assert raised is not None
    level, reason = raised
    assert level in (Risk.CONCERN, Risk.EMERGENCY)
    plain, detail = plain_reason(reason)
    assert plain.startswith("Reads like messages that suggest more risk")
    assert "the risk model scored it" in detail and "raises at" in detail


def test_the_model_does_not_overrule_an_idiom(shipped: TriageRules) -> None:
    result = triage("I want to die of embarrassment lol", shipped)
    assert result.risk is Risk.CONCERN
    assert not any("risk model" in reason for reason in result.reasons)


# --- languages the rules do not read -----------------------------------------------------


def test_a_parent_whose_language_has_no_rules_reaches_a_person(shipped: TriageRules) -> None:
    result = triage("Multumesc, ne vedem joi", shipped, "ro")
    assert result.risk is Risk.CONCERN
    assert not result.checked and result.unread_only
    assert plain_reason(result.reasons[0])[0] == NOT_CHECKED


def test_a_language_with_no_rules_at_all_reaches_a_person(shipped: TriageRules) -> None:
    result = triage("Ok", shipped, "so")
    assert result.risk is Risk.CONCERN and result.unread_only
    assert "has no risk rules" in result.reasons[0]


def test_a_message_in_an_unread_language_reaches_a_person_whatever_the_locale(
    shipped: TriageRules,
) -> None:
    result = triage("Quiero morir, ya no puedo más con todo esto", shipped, "en_GB")
    assert result.risk is Risk.CONCERN
    assert NOT_CHECKED in result.reasons[-1]


def test_starter_rules_still_make_a_clear_crisis_an_emergency(shipped: TriageRules) -> None:
    for text, locale in (("vreau să mor", "ro"), ("أريد أن أموت", "ar")):
        result = triage(text, shipped, locale)
        assert result.risk is Risk.EMERGENCY
        assert not result.unread_only  # the safety reply goes too


def test_english_welsh_polish_and_urdu_are_read(shipped: TriageRules) -> None:
    for text, locale in (
        ("thanks, see you on thursday at the clinic", "en_GB"),
        ("diolch yn fawr, welai chi ddydd iau", "cy"),
        ("dziękuję, do zobaczenia w czwartek", "pl"),
        ("shukriya main thursday ko aa jaungi", "ur"),
    ):
        assert triage(text, shipped, locale).checked, text


# --- the baby's health ------------------------------------------------------------------


def test_a_baby_only_emergency_asks_for_the_baby_safety_reply(shipped: TriageRules) -> None:
    assert triage("she's 6 weeks old and her temperature is 38.5", shipped).baby_unwell
    assert triage("he's floppy and won't wake up", shipped).baby_unwell
    both = triage("he's floppy and won't wake up and I want to die", shipped)
    assert both.risk is Risk.EMERGENCY and not both.baby_unwell  # the parent's safety too


def test_categories_come_in_plain_english_with_the_rule_one_click_away(
    shipped: TriageRules,
) -> None:
    result = triage("everyone would be better off without me", shipped)
    plain, detail = plain_reason(result.reasons[0])
    assert plain == "Wishes they were dead or gone"
    assert detail.startswith("emergency: rule 'passive wish to be dead' (en) matched")


def test_an_old_reason_with_no_plain_words_is_shown_whole() -> None:
    old = "emergency: rule 'suicidal intent' (en) matched 'kill myself'"
    assert plain_reason(old) == (old, "")


# --- found on the unseen batches 13 to 15 -----------------------------------------------


def test_a_short_english_reply_with_a_time_in_it_is_read(shipped: TriageRules) -> None:
    for text in ("yep 10am works for us", "yeah 2.30pm is fine for us thanks"):
        result = triage(text, shipped, "en_GB")
        assert result.checked and result.risk is Risk.NONE, text


@pytest.mark.parametrize(
    "text",
    [
        "We said goodbye to my dad at the airport today, he's gone back to Spain",
        "I wrote a letter to the nursery about his allergy",
        "I'm at the end of my tether with these car seat straps",
        "I'm dying here, it's so hot in the flat",
    ],
)
def test_everyday_goodbyes_letters_and_frustrations_are_not_risk(
    shipped: TriageRules, text: str
) -> None:
    assert triage(text, shipped).risk is Risk.NONE


@pytest.mark.parametrize(
    "text",
    [
        "I've written letters for the kids for when they're older",
        "Thank you for everything you tried. You did all you could",
        "this will be the last you hear from me",
        "i jst wna die",
        "I've made my peace with everyone. Thank you for being there",
        "honestly id be happy never waking up again",
    ],
)
def test_final_words_and_short_text_speak_are_still_emergencies(
    shipped: TriageRules, text: str
) -> None:
    assert triage(text, shipped).risk is Risk.EMERGENCY
