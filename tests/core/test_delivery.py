"""The delivery dashboard's pure parts: periods in team time, reasons in plain words."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.core.delivery import Acknowledgement, Totals, failure_reason, period_starts

LONDON = ZoneInfo("Europe/London")


def test_today_and_this_week_start_at_midnight_team_time_in_summer():
    starts = period_starts(datetime(2026, 7, 1, 23, 30, tzinfo=UTC), LONDON)  # Thu 00:30 BST
    assert starts["today"] == datetime(2026, 7, 2, tzinfo=LONDON)
    assert starts["this week"] == datetime(2026, 6, 29, tzinfo=LONDON)


def test_failure_reasons_are_plain_words_and_unknown_codes_still_say_something():
    assert failure_reason("21614") == "Not a mobile number"
    assert failure_reason("30003") == "Phone switched off or out of signal"
    assert failure_reason("99999") == "Technical problem (error 99999)"
    assert failure_reason(None) == "Technical problem"


def test_totals_group_statuses_as_an_administrator_reads_them():
    totals = Totals.from_statuses(
        {"delivered": 6, "failed": 1, "undelivered": 1, "queued": 1, "sent": 1, "withdrawn": 5}
    )
    assert totals == Totals(sent=10, delivered=6, failed=2, waiting=2)
    assert totals.share(totals.delivered) == "60%"
    assert Totals.from_statuses({}).share(0) == "–"
    assert Acknowledgement(4, 3, 1, 0).share_within == "75%"
