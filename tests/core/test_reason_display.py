"""How reasons read in the console: plain words first, the rule detail one click away."""

from __future__ import annotations

from bot.web.pages import plain_reasons, reason_details


def test_each_kind_of_risk_is_said_once_in_plain_words() -> None:
    reasons = [
        "Mentions ending their life \u2014 emergency: rule 'suicidal intent' (en) matched 'kms'",
        "Mentions ending their life \u2014 emergency: rule 'overdose' (en) matched 'od'",
        "In severe distress \u2014 concern: rule 'not coping' (en) matched 'cant cope'",
        "intent cancel: 'cant come'",
    ]
    assert plain_reasons(reasons) == "Mentions ending their life; In severe distress"
    assert reason_details(reasons) == [
        "emergency: rule 'suicidal intent' (en) matched 'kms'",
        "emergency: rule 'overdose' (en) matched 'od'",
        "concern: rule 'not coping' (en) matched 'cant cope'",
    ]


def test_reasons_stored_before_plain_words_existed_are_shown_whole() -> None:
    old = ["emergency: rule 'suicidal intent' (en) matched 'kill myself'"]
    assert plain_reasons(old) == old[0]
    assert reason_details(old) == []
