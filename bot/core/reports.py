"""Activity counts for commissioners: contacts, engagement, appointments, reminders, referrals."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ActivityReport:
    first_day: date
    last_day: date  # included
    first_contacts_sent: int = 0  # families whose first contact went in the period
    engaged_within_limit: int = 0  # of those, families where a parent replied within the limit
    appointments_booked: int = 0
    appointments_confirmed: int = 0  # booked in the period, confirmed by a parent
    appointments_attended: int = 0  # held in the period, recorded as attended
    cancelled_by_family: int = 0
    cancelled_by_team: int = 0
    reminders_sent: int = 0
    referred_back: int = 0
    # The follow-up after closure: families who answered, and each answer given.
    follow_up_families_answered: int = 0
    wellbeing_1: int = 0
    wellbeing_2: int = 0
    wellbeing_3: int = 0
    wellbeing_4: int = 0
    wellbeing_5: int = 0
    helped_1: int = 0
    helped_2: int = 0
    helped_3: int = 0
    helped_4: int = 0
    helped_5: int = 0
    recommend_yes: int = 0
    recommend_no: int = 0

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.type in ("int", int)}


# Headings for the CSV, in the order commissioners read them.
LABELS = {
    "first_contacts_sent": "First contacts sent",
    "engaged_within_limit": "Families engaged within the time limit",
    "appointments_booked": "Appointments booked",
    "appointments_confirmed": "Appointments confirmed by a parent",
    "appointments_attended": "Appointments attended",
    "cancelled_by_family": "Appointments cancelled by the family",
    "cancelled_by_team": "Appointments cancelled by the team",
    "reminders_sent": "Reminders sent",
    "referred_back": "Families referred back to the referrer",
    "follow_up_families_answered": "Six-month follow-up: families who answered",
    "wellbeing_1": "Six-month follow-up: how they are doing, answered 1 of 5",
    "wellbeing_2": "Six-month follow-up: how they are doing, answered 2 of 5",
    "wellbeing_3": "Six-month follow-up: how they are doing, answered 3 of 5",
    "wellbeing_4": "Six-month follow-up: how they are doing, answered 4 of 5",
    "wellbeing_5": "Six-month follow-up: how they are doing, answered 5 of 5",
    "helped_1": "Six-month follow-up: our time together helped, answered 1 of 5",
    "helped_2": "Six-month follow-up: our time together helped, answered 2 of 5",
    "helped_3": "Six-month follow-up: our time together helped, answered 3 of 5",
    "helped_4": "Six-month follow-up: our time together helped, answered 4 of 5",
    "helped_5": "Six-month follow-up: our time together helped, answered 5 of 5",
    "recommend_yes": "Six-month follow-up: would tell a friend about us, yes",
    "recommend_no": "Six-month follow-up: would tell a friend about us, no",
}


def period_bounds(first_day: date, last_day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants from the start of `first_day` to the end of `last_day`, team time."""
    start = datetime.combine(first_day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def engaged_within_limit(
    contacted: Iterable[tuple[datetime, datetime | None]], limit_days: int
) -> int:
    """Of (first contact, engaged) pairs, how many engaged within `limit_days` of first contact."""
    limit = timedelta(days=limit_days)
    return sum(1 for first, engaged in contacted if engaged is not None and engaged - first < limit)


def as_csv(report: ActivityReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["measure", "count", "from", "to"])
    for name, count in report.counts().items():
        writer.writerow(
            [LABELS[name], count, report.first_day.isoformat(), report.last_day.isoformat()]
        )
    return out.getvalue()
