"""Dates and times the NHS way, one format across the console.

"Wednesday 2 December 2026 at 3:49pm" for a moment, "2 Dec 2026" for a date: the NHS
digital service manual's style (no leading zeros, lower-case am and pm, "noon" and
"midnight" written out).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def clock(at: datetime) -> str:
    """'3:49pm', '9am', 'noon', 'midnight'."""
    if at.hour == 12 and at.minute == 0:
        return "noon"
    if at.hour == 0 and at.minute == 0:
        return "midnight"
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    return f"{hour}{suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d}{suffix}"


def long_moment(at: datetime | None, tz: ZoneInfo | None = None) -> str:
    """'Wednesday 2 December 2026 at 3:49pm' in the team's time."""
    if at is None:
        return ""
    local = at.astimezone(tz) if tz else at
    return f"{local:%A} {local.day} {local:%B %Y} at {clock(local)}"


def short_date(day: date | datetime | None, tz: ZoneInfo | None = None) -> str:
    """'2 Dec 2026'."""
    if day is None:
        return ""
    if isinstance(day, datetime) and tz is not None:
        day = day.astimezone(tz)
    return f"{day.day} {day:%b %Y}"


def long_date(day: date | datetime | None, tz: ZoneInfo | None = None) -> str:
    """'Wednesday 2 December 2026'."""
    if day is None:
        return ""
    if isinstance(day, datetime) and tz is not None:
        day = day.astimezone(tz)
    return f"{day:%A} {day.day} {day:%B %Y}"


def date_from_parts(day: str, month: str, year: str) -> date | None | str:
    """An NHS date input's three fields: a date, None when all are empty, or what is wrong."""
    parts = [day.strip(), month.strip(), year.strip()]
    if not any(parts):
        return None
    names = ("a day", "a month", "a year")
    missing = [name for name, value in zip(names, parts, strict=True) if not value]
    if missing:
        return "The date must include " + " and ".join(missing)
    if not all(p.isdigit() for p in parts):
        return "The date must be real numbers, like 27 3 2026"
    d, m, y = (int(p) for p in parts)
    if len(parts[2]) != 4:
        return "The year must be 4 numbers, like 2026"
    try:
        return date(y, m, d)
    except ValueError:
        return "The date must be a real date"
