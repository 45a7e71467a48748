"""Triage: normalising messages, risk rules with their idioms, reply intents, rule files."""

import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.model import Intent, Risk
from bot.core.policy_errors import PolicyError
from bot.core.triage import TriageRules, load_triage_rules, normalise, plain_reason, triage

SHIPPED = Path(__file__).resolve().parents[2] / "policies"

# Small rule files with known line numbers, for the lowering rules and the broken variants.
RISK = """\
[words]
baby = '(the baby|him|her)'

[emergency.en."wish to die"]
patterns = ['want to die']
lowered_by = ["dying of something", "said not to be meant"]

[emergency.en."harming the baby"]
patterns = ['(going to|will) hurt {baby}']

[concern.en."dying"]
patterns = ['i am dying']
lowered_by = ["dying to"]

[concern.cy."not coping"]
patterns = ['methu ymdopi']

[idioms."dying of something"]
patterns = ['die of (embarrassment|shame)']

[idioms."said not to be meant"]
patterns = ['do not want to die']

[idioms."dying to"]
patterns = ['dying to \\S+']
"""

REPLIES = """\
courtesy = ['please', 'thanks', 'x']
hedges = ['maybe', 'not sure']

[stop]
whole_message = ['stop']
cues = ['stop texting me']

[start]
whole_message = ['start']

[help]
whole_message = ['help']

[cancel]
whole_message = ['cancel', 'no']
cues = ['can not come']

[confirm]
whole_message = ['yes', 'ok']
cues = ['^yes', 'see you then']

[reschedule]
cues = ['another day']
"""


def write_rules(directory: Path, risk: str = RISK, replies: str = REPLIES) -> Path:
    (directory / "risk.toml").write_text(risk, encoding="utf-8")
    (directory / "replies.toml").write_text(replies, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def shipped() -> TriageRules:
    return load_triage_rules(SHIPPED)


@pytest.fixture
def small(tmp_path: Path) -> TriageRules:
    return load_triage_rules(write_rules(tmp_path))


# --- normalisation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("I want to die", "i want to die"),
        ("want to k\u200bill myself", "want to kil myself"),  # zero-width space
        ("I w\u200dant to di\u00ade", "i want to die"),  # zero-width joiner, soft hyphen
        ("want\u200c to\ufeff die\u2060", "want to die"),  # non-joiner, BOM, word joiner
        ("I want to \u202edie\u202c", "i want to die"),  # right-to-left override
        ("I want \u2066to\u2069 die\u200f", "i want to die"),  # isolates, right-to-left mark
        ("i w\u0430nt t\u043e di\u0435", "i want to die"),  # Cyrillic а о е
        ("k\u0456ll mys\u0435lf", "kil myself"),  # Cyrillic і е
        ("\u03bfverd\u03bfse", "overdose"),  # Greek ο
        ("\u0455u\u0456c\u0456d\u0430l", "suicidal"),  # Cyrillic ѕ і а
        (
            "\u026a \u1d21\u1d00\u0274\u1d1b \u1d1b\u1d0f \u1d05\u026a\u1d07",
            "i want to die",
        ),  # small capitals
        (
            "\uff49 \uff57\uff41\uff4e\uff54 \uff54\uff4f \uff44\uff49\uff45",
            "i want to die",
        ),  # full width
        ("I WANT TO DIEEEE", "i want to die"),
        ("pleaaase", "please"),
        ("killlll myselffff", "kil myself"),
        ("kill myself", "kil myself"),  # doubled letters are squeezed everywhere, rules too
        ("k1ll mys3lf", "kil myself"),
        ("I w@nt to d!e", "i w nt to d e"),  # signs are punctuation here; see below
        ("help!he hit me", "help he hit me"),
        ("5mins late, 0verdose", "5mins late overdose"),
        ("can't come", "can not come"),
        ("can\u2019t come", "can not come"),
        ("cnt cum 2moz", "can not come tomorow"),
        ("im gonna", "i am going to"),
        ("wanna kms", "want to kil myself"),
        ("i want 2 die", "i want to die"),
        ("we have 2 kids", "we have 2 kids"),
        ("at 10am on the 3rd b4 4pm", "at 10am on the 3rd before 4pm"),
        ("he grabbed me by the throat", "he grabed me by the throat"),  # "by" is not "bby"
        ("my bby", "my baby"),
        ("zabić się", "zabic sie"),  # Polish typed with or without accents
        ("yes\U0001f44d\U0001f3fc", "yes \U0001f44d"),  # emoji split off, skin tone dropped
    ],
)
def test_normalise_folds_what_parents_write_into_one_form(written: str, key: str) -> None:
    assert normalise(written) == key


def test_look_alike_and_invisible_characters_still_trigger_risk(shipped: TriageRules) -> None:
    plain = triage("I want to kill myself", shipped)
    for disguised in (
        "I w\u0430nt t\u043e k\u0456ll myself",
        "I want to k\u200bi\u00adll my\u200dself",
        "I want to \u202ekill myself\u202c",
        "I WANT TO KIIIILL MYSELF",
    ):
        assert triage(disguised, shipped).risk is plain.risk is Risk.EMERGENCY


@pytest.mark.parametrize(
    "text", ["I w@nt to d!e", "i want to k!ll myself", "$uicidal", "help!he is hitting me"]
)
def test_signs_for_letters_are_read_both_ways_for_risk(shipped: TriageRules, text: str) -> None:
    assert triage(text, shipped).risk is Risk.EMERGENCY


# --- risk and its idioms ---------------------------------------------------------------


def test_an_idiom_lowers_an_emergency_to_concern_never_to_none(small: TriageRules) -> None:
    result = triage("honestly I want to die of embarrassment", small)
    assert result.risk is Risk.CONCERN
    assert plain_reason(result.reasons[0]) == (
        "Wish to die",  # the rule's name, as the test rules have no categories
        "concern: rule 'wish to die' (en) matched 'want to die', lowered from emergency by "
        "idiom 'dying of something' ('die of embarrassment')",
    )


def test_two_idioms_on_one_match_still_lower_it_only_one_level(small: TriageRules) -> None:
    result = triage("i do not want to die of shame", small)
    assert result.risk is Risk.CONCERN


def test_an_idiom_lowers_a_concern_to_none(small: TriageRules) -> None:
    result = triage("I am dying to tell you", small)
    assert result.risk is Risk.NONE
    assert "lowered from concern by idiom 'dying to'" in result.reasons[0]


def test_an_idiom_lowers_only_the_rules_that_name_it(small: TriageRules) -> None:
    # "dying to" is named by the concern rule, not by "wish to die".
    assert triage("dying to see you but I want to die", small).risk is Risk.EMERGENCY


def test_an_idiom_lowers_only_the_words_it_covers(small: TriageRules) -> None:
    result = triage("I want to die of embarrassment. no really I want to die", small)
    assert result.risk is Risk.EMERGENCY


def test_the_strongest_rule_sets_the_risk_and_every_rule_is_a_reason(small: TriageRules) -> None:
    result = triage("i am dying inside, I will hurt the baby", small)
    assert result.risk is Risk.EMERGENCY
    assert [plain_reason(r)[1] for r in result.reasons] == [
        "emergency: rule 'harming the baby' (en) matched 'will hurt the baby'",
        "concern: rule 'dying' (en) matched 'i am dying'",
    ]


def test_every_language_is_checked_whatever_the_locale(small: TriageRules) -> None:
    assert triage("dw i'n methu ymdopi", small, "en_GB").risk is Risk.CONCERN
    assert triage("dw i'n methu ymdopi", small).risk is Risk.CONCERN


def test_the_locale_puts_its_own_language_first_among_equals(small: TriageRules) -> None:
    text = "methu ymdopi, i am dying"
    assert "(en)" in triage(text, small).reasons[0]
    assert "(cy)" in triage(text, small, "cy_GB").reasons[0]
    assert "(cy)" in triage(text, small, "cy").reasons[0]


@pytest.mark.parametrize(
    ("text", "risk"),
    [
        ("I'm dying to tell you how well she's doing", Risk.NONE),
        ("these night feeds are killing me haha but we're ok", Risk.NONE),
        ("I want to die of embarrassment lol", Risk.CONCERN),  # an emergency phrase, lowered once
        ("I'm not suicidal, just tired", Risk.CONCERN),
        ("I want to die", Risk.EMERGENCY),
        ("dying to see you. but honestly I want to die", Risk.EMERGENCY),
        ("kms lol", Risk.EMERGENCY),  # a joke marker never lowers suicidal intent
    ],
)
def test_shipped_idioms(shipped: TriageRules, text: str, risk: Risk) -> None:
    assert triage(text, shipped).risk is risk


def test_a_message_can_cancel_and_suggest_risk_at_once(shipped: TriageRules) -> None:
    result = triage("cant come thursday, to be honest I cant cope with anything anymore", shipped)
    assert (result.risk, result.intent) == (Risk.CONCERN, Intent.CANCEL)
    assert [plain_reason(r) for r in result.reasons][:1] == [
        ("In severe distress", "concern: rule 'not coping' (en) matched 'cant cope'")
    ]
    assert result.reasons[-1] == "intent cancel: 'cant come'"


def test_the_json_shape_of_a_result(shipped: TriageRules) -> None:
    assert triage("yes", shipped).to_json() == {
        "risk": "none",
        "intent": "confirm",
        "reasons": ["intent confirm: the reply is 'yes'"],
        "categories": [],
    }
    emergency = triage("I want to kill myself", shipped).to_json()
    assert emergency["risk"] == "emergency"
    assert emergency["reasons"][0].startswith(
        "Mentions ending their life \u2014 emergency: rule 'suicidal intent' (en) matched "
        "'kill myself'"
    )
    assert emergency["categories"][0] == "suicide"


# --- intent ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("yes please x", Intent.CONFIRM),
        ("ok thanks", Intent.CONFIRM),
        ("yes see you then", Intent.CONFIRM),
        ("no", Intent.CANCEL),
        ("CANCEL", Intent.CANCEL),
        ("sorry can't come", Intent.CANCEL),
        ("STOP", Intent.STOP),
        ("please stop texting me", Intent.STOP),
        ("Start", Intent.START),
        ("help", Intent.HELP),
        ("can we do another day", Intent.RESCHEDULE),
        ("yes but can't come", Intent.OTHER),  # confirms and cancels
        ("maybe can't come", Intent.OTHER),  # hedged cancellation
        ("not sure, yes", Intent.OTHER),  # hedged confirmation
        ("who is this", Intent.OTHER),
    ],
)
def test_intents(small: TriageRules, text: str, intent: Intent) -> None:
    assert triage(text, small).intent is intent


def test_a_mixed_reply_says_why_it_is_other(small: TriageRules) -> None:
    assert triage("yes but can't come", small).reasons == (
        "intent other: confirms ('yes') and cancels ('cant come') in one reply",
    )
    assert triage("maybe can't come", small).reasons == (
        "intent other: cancel ('cant come') hedged by 'maybe'",
    )


@pytest.mark.parametrize(
    "text",
    [
        "please don't cancel my appointment",
        "did you cancel today?",
        "Are you cancelling?",
        "Do I need to cancel if she's ill?",
        "I might not be able to come",
        "not sure if I can make it",
        "Yes I can't come",
        "He can't come but I will",
        "I can't come to the phone right now",
        "Cant make it any earlier sorry",
        "i can't do it anymore",
        "I'm not coming back to the phone",
        "cant wait to see you",
        "i cant stop crying",
        "Running 10 mins late sorry",
        "My phone number is changing next week",
    ],
)
def test_a_cancellation_is_never_guessed(shipped: TriageRules, text: str) -> None:
    assert triage(text, shipped).intent is not Intent.CANCEL


@pytest.mark.parametrize("text", ["i cant stop crying", "stop it", "he won't stop shouting"])
def test_stop_inside_a_sentence_is_not_an_opt_out(shipped: TriageRules, text: str) -> None:
    assert triage(text, shipped).intent is not Intent.STOP


# --- the rule files --------------------------------------------------------------------


def test_the_shipped_rules_load(shipped: TriageRules) -> None:
    languages = {(rule.level, rule.language) for rule in shipped.risk}
    for language in ("en", "cy", "pl", "ur"):
        assert (Risk.EMERGENCY, language) in languages
        assert (Risk.CONCERN, language) in languages


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (
            RISK.replace("patterns = ['want to die']", "patterns = ['want to (die']"),
            'policies/risk.toml line 5: `emergency.en."wish to die".patterns[1]` is not a '
            "valid pattern (missing ), unterminated subpattern): 'want to (die'",
        ),
        (
            RISK.replace('[concern.en."dying"]', '[urgent.en."dying"]'),
            "policies/risk.toml line 11: `urgent` is not a known setting here; expected "
            "emergency, concern, idioms, words, categories, read_by_a_person",
        ),
        (
            RISK.replace('[concern.cy."not coping"]', '[none.cy."not coping"]'),
            "policies/risk.toml line 15: `none` is not a level of risk that has rules: write "
            "`emergency` or `concern`",
        ),
        (
            RISK.replace('lowered_by = ["dying to"]', 'lowerd_by = ["dying to"]'),
            "policies/risk.toml line 13: `concern.en.dying.lowerd_by` is not a known setting "
            "here; did you mean `lowered_by`?",
        ),
        (
            RISK.replace('lowered_by = ["dying to"]', 'lowered_by = ["dying too"]'),
            "policies/risk.toml line 13: `concern.en.dying.lowered_by` names the idiom 'dying "
            "too', which no [idioms] table defines (defined: 'dying of something', 'said not "
            "to be meant', 'dying to')",
        ),
        (
            RISK.replace("'(going to|will) hurt {baby}'", "'(going to|will) hurt {babby}'"),
            'policies/risk.toml line 9: `emergency.en."harming the baby".patterns[1]` uses '
            "{babby}, which [words] does not define ({baby})",
        ),
        (
            RISK.replace("patterns = ['i am dying']", "patterns = ['i am dying', '(very )?']"),
            "policies/risk.toml line 12: `concern.en.dying.patterns[2]` matches an empty "
            "message, so it would match anything: '(very )?'",
        ),
        (
            RISK.replace("[concern.cy.", "[concern.welsh."),
            "policies/risk.toml line 15: `concern.welsh` is not a language code: write two or "
            "three lower-case letters, such as en, cy, pl or ur",
        ),
        (
            RISK.replace("patterns = ['methu ymdopi']", "patterns = 'methu ymdopi'"),
            'policies/risk.toml line 16: `concern.cy."not coping".patterns` must be a list of '
            "patterns in quotes, got 'methu ymdopi'",
        ),
    ],
    ids=[
        "bad regex",
        "unknown level",
        "none is not a level",
        "misspelt key",
        "unknown idiom",
        "unknown word",
        "pattern matching nothing",
        "bad language code",
        "patterns not a list",
    ],
)
def test_a_broken_risk_file_names_the_file_line_and_key(
    tmp_path: Path, broken: str, message: str
) -> None:
    with pytest.raises(PolicyError) as error:
        load_triage_rules(write_rules(tmp_path, risk=broken))
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (
            REPLIES.replace("[reschedule]", "[other]"),
            "policies/replies.toml line 22: `other` takes no words: a reply is `other` when no "
            "other intent matches",
        ),
        (
            REPLIES.replace("cues = ['another day']", "cue = ['another day']"),
            "policies/replies.toml line 23: `reschedule.cue` is not a known setting here; did "
            "you mean `cues`?",
        ),
        (
            REPLIES.replace("cues = ['^yes', 'see you then']", "cues = ['^yes', 'see you [then']"),
            "policies/replies.toml line 20: `confirm.cues[2]` is not a valid pattern (unterminated "
            "character set): 'see you [then'",
        ),
        (
            REPLIES.replace("hedges = ['maybe', 'not sure']\n", ""),
            "policies/replies.toml: `hedges` is missing: the comments at the top describe it",
        ),
        (
            REPLIES.replace("cues = ['another day']", "cues = ['another {dya}']"),
            "policies/replies.toml line 23: `reschedule.cues[1]` uses {dya}, which [words] does "
            "not define (none)",
        ),
    ],
    ids=["other has no words", "misspelt key", "bad regex", "missing list", "unknown word"],
)
def test_a_broken_replies_file_names_the_file_line_and_key(
    tmp_path: Path, broken: str, message: str
) -> None:
    with pytest.raises(PolicyError) as error:
        load_triage_rules(write_rules(tmp_path, replies=broken))
    assert str(error.value) == message


def test_a_missing_rule_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "risk.toml").write_text(RISK, encoding="utf-8")
    with pytest.raises(PolicyError, match=r"^policies/replies.toml: is missing from "):
        load_triage_rules(tmp_path)


def test_triage_loads_without_the_web_or_telegram_libraries() -> None:
    # `cradle triage` must start fast: the pure module may not pull in aiogram or aiohttp.
    code = (
        "import sys, bot.core.triage; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aiogram', 'aiohttp')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
