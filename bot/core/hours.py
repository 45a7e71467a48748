"""Open or closed, next opening, sending windows: the team's calendar in its own timezone.

Every instant is an aware datetime; results come back in the team's timezone. Periods
are half-open: a team open 09:00-17:00 is open at 09:00 and closed at 17:00.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING

import holidays

if TYPE_CHECKING:
    from bot.core.policy import Closure, DailyWindow, HoursPolicy

# Far enough for a year-long closure plus the holidays around it; a policy with no
# opening in that span is broken, and looping further would only hide it.
_SEARCH_DAYS = 800
Period = tuple[datetime, datetime]
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January February March April May June July August September October November December"
).split()


class Nation(StrEnum):
    ENGLAND = "england"
    WALES = "wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern_ireland"

    @property
    def subdivision(self) -> str:
        """The ISO 3166-2:GB code the `holidays` package uses for this nation."""
        return {"england": "ENG", "wales": "WLS", "scotland": "SCT", "northern_ireland": "NIR"}[
            self.value
        ]

    @property
    def display_name(self) -> str:
        return self.value.replace("_", " ").title()


@lru_cache(maxsize=64)
def _bank_holidays(subdivision: str, year: int) -> dict[date, str]:
    return dict(holidays.country_holidays("GB", subdiv=subdivision, years=year).items())


def bank_holiday_name(hours: HoursPolicy, day: date) -> str | None:
    """The bank holiday's name on this day in the team's nation, or None."""
    return _bank_holidays(hours.nation.subdivision, day.year).get(day)


def is_bank_holiday(hours: HoursPolicy, day: date) -> bool:
    return bank_holiday_name(hours, day) is not None


def closure_on(hours: HoursPolicy, day: date) -> Closure | None:
    """The team's own closure (training day, Christmas closure) covering this day, or None."""
    return next((c for c in hours.closures if c.first_day <= day <= c.last_day), None)


def _utc(day: date, at: time, hours: HoursPolicy) -> datetime:
    # Compare in UTC: aware datetimes sharing a tzinfo compare by wall clock, which is
    # wrong across the autumn change when 01:30 happens twice.
    return datetime.combine(day, at, tzinfo=hours.timezone).astimezone(UTC)


def _period(window: DailyWindow | None, day: date, hours: HoursPolicy) -> Period | None:
    if window is None:
        return None
    return _utc(day, window.opens, hours), _utc(day, window.closes, hours)


def opening_period(hours: HoursPolicy, day: date) -> Period | None:
    """When the team is open on this local day (UTC start and end), or None if closed all day."""
    if is_bank_holiday(hours, day) or closure_on(hours, day) is not None:
        return None
    return _period(hours.opening_hours[day.weekday()], day, hours)


def sending_period(hours: HoursPolicy, day: date) -> Period | None:
    """When non-urgent texts may go out on this local day (UTC start and end), or None."""
    if not hours.send_on_bank_holidays and is_bank_holiday(hours, day):
        return None
    return _period(hours.sending_hours[day.weekday()], day, hours)


def _local_day(hours: HoursPolicy, at: datetime) -> date:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got {at!r}")
    return at.astimezone(hours.timezone).date()


def _containing(
    period_of: Callable[[HoursPolicy, date], Period | None], hours: HoursPolicy, at: datetime
) -> Period | None:
    period = period_of(hours, _local_day(hours, at))
    return period if period is not None and period[0] <= at < period[1] else None


def _next_start(
    period_of: Callable[[HoursPolicy, date], Period | None], hours: HoursPolicy, at: datetime
) -> datetime:
    first = _local_day(hours, at)
    for offset in range(_SEARCH_DAYS):
        period = period_of(hours, first + timedelta(days=offset))
        if period is not None and period[0] > at:
            return period[0].astimezone(hours.timezone)
    raise ValueError(f"no {period_of.__name__} within {_SEARCH_DAYS} days of {at.isoformat()}")


def is_open(hours: HoursPolicy, at: datetime) -> bool:
    return _containing(opening_period, hours, at) is not None


def next_opening(hours: HoursPolicy, at: datetime) -> datetime:
    """`at` itself when open; otherwise the start of the next open period after `at`."""
    if is_open(hours, at):
        return at.astimezone(hours.timezone)
    return _next_start(opening_period, hours, at)


def closes_at(hours: HoursPolicy, at: datetime) -> datetime | None:
    """When the current open period ends, or None when closed at `at`."""
    period = _containing(opening_period, hours, at)
    return period[1].astimezone(hours.timezone) if period else None


def closed_period_key(hours: HoursPolicy, at: datetime) -> str:
    """A stable name for the closed period containing `at`: the ISO instant it ends.

    Equal for every instant of one closed period (a whole bank holiday weekend is one
    period), different across periods: one out-of-hours auto-reply per parent per key.
    """
    if is_open(hours, at):
        raise ValueError(f"the team is open at {at.isoformat()}: no closed period")
    return next_opening(hours, at).isoformat(timespec="minutes")


def in_sending_hours(hours: HoursPolicy, at: datetime) -> bool:
    return _containing(sending_period, hours, at) is not None


def next_sending_time(hours: HoursPolicy, at: datetime) -> datetime:
    """`at` itself when non-urgent texts may go now; otherwise when sending hours next start."""
    if in_sending_hours(hours, at):
        return at.astimezone(hours.timezone)
    return _next_start(sending_period, hours, at)


def sending_time_on(hours: HoursPolicy, day: date, wanted: time) -> datetime | None:
    """`wanted` on this local day, moved into that day's sending hours; None if none that day.

    Too early becomes the start of sending hours; too late becomes their last minute.
    """
    period = sending_period(hours, day)
    if period is None:
        return None
    start, end = period
    clamped = max(start, min(_utc(day, wanted, hours), end - timedelta(minutes=1)))
    return clamped.astimezone(hours.timezone)


def closed_reason(hours: HoursPolicy, at: datetime) -> str | None:
    """Why the team is closed at `at`, in words for staff; None when open."""
    if is_open(hours, at):
        return None
    day = _local_day(hours, at)
    closure = closure_on(hours, day)
    if closure is not None:
        return closure.reason
    holiday = bank_holiday_name(hours, day)
    if holiday is not None:
        return f"{holiday}, a bank holiday in {hours.nation.display_name}"
    window = hours.opening_hours[day.weekday()]
    if window is None:
        return f"no opening hours on {_WEEKDAYS[day.weekday()]}s"
    local = at.astimezone(hours.timezone).time()
    return "before opening time" if local < window.opens else "after closing time"


def describe_instant(at: datetime) -> str:
    """'Tuesday 29 December 2026 at 09:00 GMT', in the timezone `at` carries."""
    day = f"{_WEEKDAYS[at.weekday()]} {at.day} {_MONTHS[at.month - 1]} {at.year}"
    return f"{day} at {at:%H:%M} {at.tzname()}"
