from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.core.hours import (
    Nation,
    closed_period_key,
    closed_reason,
    closes_at,
    in_sending_hours,
    is_bank_holiday,
    is_open,
    next_opening,
    next_sending_time,
    sending_time_on,
)
from bot.core.policy import Closure, HoursPolicy, load_policies

LONDON = ZoneInfo("Europe/London")
POLICIES = Path(__file__).resolve().parents[2] / "policies"


def london(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@pytest.fixture(scope="module")
def england() -> HoursPolicy:
    return load_policies(POLICIES).hours


@pytest.mark.parametrize(
    ("at", "open_"),
    [
        ("2026-06-15 08:59", False),  # Monday, a minute before opening
        ("2026-06-15 09:00", True),
        ("2026-06-15 16:59", True),
        ("2026-06-15 17:00", False),  # closing time is already closed
        ("2026-06-19 12:00", True),  # Friday
        ("2026-06-13 12:00", False),  # Saturday
        ("2026-06-14 12:00", False),  # Sunday
        ("2026-06-16 03:00", False),  # the middle of a weekday night
    ],
)
def test_open_at_the_edges_of_the_day_and_week(england, at, open_):
    assert is_open(england, london(at)) is open_


@pytest.mark.parametrize(
    ("nation", "day", "holiday"),
    [
        (Nation.ENGLAND, "2026-04-06", True),  # Easter Monday
        (Nation.WALES, "2026-04-06", True),
        (Nation.NORTHERN_IRELAND, "2026-04-06", True),
        (Nation.SCOTLAND, "2026-04-06", False),  # not a bank holiday in Scotland
        (Nation.SCOTLAND, "2026-01-02", True),  # 2 January
        (Nation.ENGLAND, "2026-01-02", False),
        (Nation.SCOTLAND, "2026-08-03", True),  # Scotland's summer bank holiday
        (Nation.ENGLAND, "2026-08-03", False),
        (Nation.ENGLAND, "2026-08-31", True),  # England's late summer bank holiday
        (Nation.SCOTLAND, "2026-08-31", False),
        (Nation.SCOTLAND, "2025-12-01", True),  # St Andrew's Day (a Sunday) moved to Monday
        (Nation.ENGLAND, "2025-12-01", False),
        (Nation.NORTHERN_IRELAND, "2026-03-17", True),  # St Patrick's Day
        (Nation.WALES, "2026-03-17", False),
        (Nation.NORTHERN_IRELAND, "2025-07-14", True),  # 12 July (a Saturday) moved to Monday
        (Nation.NORTHERN_IRELAND, "2026-07-13", True),
        (Nation.ENGLAND, "2026-07-13", False),
        (Nation.WALES, "2026-12-28", True),  # Boxing Day (a Saturday) moved to Monday
    ],
)
def test_bank_holidays_differ_by_nation_and_close_the_team(england, nation, day, holiday):
    hours = replace(england, nation=nation)
    assert is_bank_holiday(hours, date.fromisoformat(day)) is holiday
    # every date above is a weekday, so the team is open on it exactly when it is no holiday
    assert is_open(hours, london(f"{day} 10:00")) is not holiday


def test_closures_close_the_team_for_each_day_they_cover(england):
    hours = replace(
        england,
        closures=(
            Closure(date(2026, 9, 14), date(2026, 9, 14), "Team training day"),
            Closure(date(2026, 12, 21), date(2026, 12, 24), "Christmas closure"),
        ),
    )
    assert not is_open(hours, london("2026-09-14 10:00"))
    assert is_open(hours, london("2026-09-15 10:00"))
    assert is_open(hours, london("2026-12-18 10:00"))
    for day in ("2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24"):
        assert not is_open(hours, london(f"{day} 10:00"))
    assert closed_reason(hours, london("2026-12-22 10:00")) == "Christmas closure"
    assert next_opening(hours, london("2026-12-18 17:00")) == london("2026-12-29 09:00")


@pytest.mark.parametrize(
    ("nation", "closed_at", "opens"),
    [
        # Christmas Day on a Friday, Boxing Day's substitute on Monday 28th
        (Nation.ENGLAND, "2026-12-25 18:00", "2026-12-29 09:00"),
        (Nation.ENGLAND, "2026-12-24 17:00", "2026-12-29 09:00"),
        # Easter: Good Friday everywhere, Easter Monday everywhere but Scotland
        (Nation.ENGLAND, "2026-04-02 17:00", "2026-04-07 09:00"),
        (Nation.SCOTLAND, "2026-04-02 17:00", "2026-04-06 09:00"),
        # an ordinary weekend, and the same day before opening
        (Nation.ENGLAND, "2026-06-12 17:00", "2026-06-15 09:00"),
        (Nation.ENGLAND, "2026-06-15 07:00", "2026-06-15 09:00"),
    ],
)
def test_next_opening_skips_weekends_and_bank_holidays(england, nation, closed_at, opens):
    hours = replace(england, nation=nation)
    assert next_opening(hours, london(closed_at)) == london(opens)


def test_next_opening_is_now_while_open_and_closes_at_says_when_it_ends(england):
    at = london("2026-06-15 11:20")
    assert next_opening(england, at) == at
    assert closes_at(england, at) == london("2026-06-15 17:00")
    assert closes_at(england, london("2026-06-15 17:00")) is None


@pytest.mark.parametrize(
    ("friday_evening", "monday_opening_utc"),
    [
        # clocks go forward on Sunday 29 March 2026: Monday 09:00 is 08:00 UTC
        (datetime(2026, 3, 27, 17, 30, tzinfo=UTC), datetime(2026, 3, 30, 8, 0, tzinfo=UTC)),
        # clocks go back on Sunday 25 October 2026: Monday 09:00 is 09:00 UTC
        (datetime(2026, 10, 23, 16, 30, tzinfo=UTC), datetime(2026, 10, 26, 9, 0, tzinfo=UTC)),
    ],
)
def test_opening_follows_the_clock_change(england, friday_evening, monday_opening_utc):
    opens = next_opening(england, friday_evening)
    assert opens == monday_opening_utc
    assert opens.strftime("%H:%M") == "09:00"  # given back in the team's own time
    assert not is_open(england, monday_opening_utc - timedelta(minutes=1))
    assert is_open(england, monday_opening_utc)


@pytest.mark.parametrize(
    ("at", "allowed"),
    [
        ("2026-06-15 07:59", False),  # Monday
        ("2026-06-15 08:00", True),
        ("2026-06-15 19:59", True),
        ("2026-06-15 20:00", False),
        ("2026-06-13 12:00", True),  # Saturday: the team is closed but texts may go
        ("2026-06-14 12:00", False),  # Sunday: no non-urgent texts
        ("2026-04-06 12:00", False),  # Easter Monday: no non-urgent texts on bank holidays
    ],
)
def test_sending_hours_are_separate_from_opening_hours(england, at, allowed):
    assert in_sending_hours(england, london(at)) is allowed


def test_sending_on_bank_holidays_can_be_allowed(england):
    hours = replace(england, send_on_bank_holidays=True)
    assert in_sending_hours(hours, london("2026-04-06 12:00"))


@pytest.mark.parametrize(
    ("at", "sends"),
    [
        ("2026-06-15 12:00", "2026-06-15 12:00"),  # allowed now: now
        ("2026-06-15 06:30", "2026-06-15 08:00"),
        ("2026-06-13 21:00", "2026-06-15 08:00"),  # Saturday night waits past Sunday
        ("2026-06-14 09:00", "2026-06-15 08:00"),
        ("2026-04-03 20:30", "2026-04-04 08:00"),  # Good Friday evening: Saturday is fine
        ("2026-04-04 20:30", "2026-04-07 08:00"),  # then Sunday and Easter Monday are not
        ("2026-03-28 21:00", "2026-03-30 08:00"),  # across the spring clock change
    ],
)
def test_next_sending_time(england, at, sends):
    assert next_sending_time(england, london(at)) == london(sends)


@pytest.mark.parametrize(
    ("day", "wanted", "sends"),
    [
        ("2026-06-15", "10:00", "2026-06-15 10:00"),
        ("2026-06-15", "07:00", "2026-06-15 08:00"),
        ("2026-06-15", "21:00", "2026-06-15 19:59"),
        ("2026-06-14", "10:00", None),  # Sunday
    ],
)
def test_sending_time_on_a_day_is_clamped_into_its_sending_hours(england, day, wanted, sends):
    result = sending_time_on(england, date.fromisoformat(day), time.fromisoformat(wanted))
    assert result == (london(sends) if sends else None)


def test_one_closed_period_has_one_key_from_closing_to_opening(england):
    weekend = [
        london("2026-03-27 17:00"),  # Friday closing
        london("2026-03-28 12:00"),
        datetime(2026, 3, 29, 0, 59, tzinfo=UTC),  # just before the clocks go forward
        datetime(2026, 3, 29, 1, 0, tzinfo=UTC),  # just after
        london("2026-03-30 08:59"),  # Monday before opening
    ]
    keys = {closed_period_key(england, at) for at in weekend}
    assert keys == {"2026-03-30T09:00+01:00"}
    monday_evening = closed_period_key(england, london("2026-03-30 17:00"))
    tuesday_evening = closed_period_key(england, london("2026-03-31 17:00"))
    assert len(keys | {monday_evening, tuesday_evening}) == 3


def test_a_bank_holiday_weekend_is_one_closed_period(england):
    christmas = [london("2026-12-24 17:30"), london("2026-12-26 10:00"), london("2026-12-28 23:00")]
    assert {closed_period_key(england, at) for at in christmas} == {"2026-12-29T09:00+00:00"}


def test_there_is_no_closed_period_while_open(england):
    with pytest.raises(ValueError, match="open"):
        closed_period_key(england, london("2026-06-15 10:00"))


def test_a_time_without_a_timezone_is_refused(england):
    with pytest.raises(ValueError, match="aware"):
        is_open(england, datetime(2026, 6, 15, 10, 0))


@pytest.mark.parametrize(
    ("at", "reason"),
    [
        ("2026-12-25 12:00", "Christmas Day, a bank holiday in England"),
        ("2026-06-14 12:00", "no opening hours on Sundays"),
        ("2026-06-15 07:00", "before opening time"),
        ("2026-06-15 18:00", "after closing time"),
        ("2026-06-15 12:00", None),
    ],
)
def test_closed_reason(england, at, reason):
    assert closed_reason(england, london(at)) == reason
