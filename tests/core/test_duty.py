"""What the duty view says about an escalation's chain and age. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.duty import Told, chain_history, how_long_ago, tel_href

LONDON = ZoneInfo("Europe/London")
AT = datetime(2026, 11, 24, 10, 5, tzinfo=UTC)


def test_a_missed_step_says_by_when_and_who_has_it_now() -> None:
    told = [
        Told(0, "the practitioner (Amira Shah)", AT),
        Told(0, "the duty clinician (Grace Okafor)", AT),
        Told(1, "the clinical lead (Helen Price)", AT + timedelta(minutes=15)),
    ]
    assert chain_history(told, 1, LONDON) == [
        "Step 1, the practitioner (Amira Shah), the duty clinician (Grace Okafor):"
        " not acknowledged by 10:20",
        "Now step 2, the clinical lead (Helen Price)",
    ]


def test_a_step_nobody_could_be_told_is_said_plainly() -> None:
    assert chain_history([], 0, LONDON) == ["Now step 1: nobody could be told"]


def test_how_long_ago_reads_naturally() -> None:
    assert how_long_ago(AT, AT + timedelta(seconds=30)) == "just now"
    assert how_long_ago(AT, AT + timedelta(minutes=65)) == "1 hour 5 minutes ago"
    assert how_long_ago(AT, AT + timedelta(days=3)) == "3 days ago"


def test_a_number_becomes_a_tel_link() -> None:
    assert tel_href("+44 7700 900555") == "tel:+447700900555"
