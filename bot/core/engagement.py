"""Persistence without pressure: follow-ups while nobody has replied, the time limit, and the
follow-up about six months after the work ends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from bot.core import hours as calendar

if TYPE_CHECKING:
    from bot.core.policy import EngagementPolicy, HoursPolicy

_LOOK_AHEAD_DAYS = 14  # how far a follow-up may move forward to find sending hours
LATE_WINDOW = timedelta(days=14)  # a six-month follow-up not sent by then is not sent at all


@dataclass(frozen=True)
class EngagementFacts:
    """What the engagement rules need to know about one family."""

    family_id: int
    status: str  # open | referred_back | closed
    first_contact_at: datetime | None
    engaged_at: datetime | None
    has_upcoming_appointment: bool = False
    # An appointment whose time has come and gone, still booked: nobody recorded an outcome.
    has_booked_without_outcome: bool = False


@dataclass(frozen=True)
class FollowUp:
    day: int  # days after first contact, as in the policy
    due_at: datetime


@dataclass(frozen=True)
class ReferBack:
    limit_passed_at: datetime


@dataclass(frozen=True)
class AskOutcome:
    """The limit passed while an appointment has no outcome: ask the practitioner, not refer."""

    limit_passed_at: datetime


def sensible_time_from(hours: HoursPolicy, day: date, wanted: time) -> datetime | None:
    """`wanted` on `day` within sending hours, or on the next day that has them."""
    for ahead in range(_LOOK_AHEAD_DAYS):
        at = calendar.sending_time_on(hours, day + timedelta(days=ahead), wanted)
        if at is not None:
            return at
    return None


def follow_up_times(
    first_contact_at: datetime, policy: EngagementPolicy, hours: HoursPolicy, send_at: time
) -> list[FollowUp]:
    first_day = first_contact_at.astimezone(hours.timezone).date()
    planned = []
    for day in policy.follow_up_days:
        at = sensible_time_from(hours, first_day + timedelta(days=day), send_at)
        if at is not None:
            planned.append(FollowUp(day, at))
    return planned


def time_limit(first_contact_at: datetime, policy: EngagementPolicy) -> datetime:
    return first_contact_at + timedelta(days=policy.time_limit_days)


def engagement_due(
    facts: EngagementFacts,
    policy: EngagementPolicy,
    hours: HoursPolicy,
    send_at: time,
    at: datetime,
) -> FollowUp | ReferBack | AskOutcome | None:
    """What is due for a family at `at`: a follow-up text, referral back, or nothing.

    Only while the family is open, first contact has gone, and no parent has replied. A family
    with an appointment still to come is being seen: its reminders do the asking. A family
    whose appointment passed with no outcome recorded may have been seen: the practitioner is
    asked, and the family is not referred back until they answer. Of several follow-ups due
    at once (the scheduler was stopped), only the latest is sent.
    """
    if facts.status != "open" or facts.first_contact_at is None or facts.engaged_at is not None:
        return None
    if facts.has_upcoming_appointment:
        return None
    limit = time_limit(facts.first_contact_at, policy)
    if at >= limit:
        return AskOutcome(limit) if facts.has_booked_without_outcome else ReferBack(limit)
    reached = [
        f
        for f in follow_up_times(facts.first_contact_at, policy, hours, send_at)
        if f.due_at <= at < limit
    ]
    return reached[-1] if reached else None


def follow_up_key(family_id: int, day: int, parent_id: int) -> str:
    return f"engagement:{family_id}:{day}:{parent_id}"


def six_month_due_at(
    closed_at: datetime, policy: EngagementPolicy, hours: HoursPolicy, send_at: time
) -> datetime | None:
    day = closed_at.astimezone(hours.timezone).date()
    return sensible_time_from(
        hours, day + timedelta(days=policy.follow_up_after_closure_days), send_at
    )


def six_month_due(
    closed_at: datetime,
    policy: EngagementPolicy,
    hours: HoursPolicy,
    send_at: time,
    at: datetime,
) -> bool:
    """Whether the follow-up after closure is due at `at` (and not long overdue)."""
    if not policy.six_month_follow_up:
        return False
    due = six_month_due_at(closed_at, policy, hours, send_at)
    return due is not None and due <= at < due + LATE_WINDOW


def six_month_window(policy: EngagementPolicy, at: datetime) -> tuple[datetime, datetime]:
    """Closure instants whose follow-up may be due at `at` (for an indexed query)."""
    days = timedelta(days=policy.follow_up_after_closure_days)
    return at - days - LATE_WINDOW - timedelta(days=_LOOK_AHEAD_DAYS + 1), at - days + timedelta(
        days=1
    )


# Best natural translations by the development team: to be reviewed with the message wording.
_YOUR_BABY = {"en_GB": "your baby", "cy": "eich babi", "pl": "dziecka", "ur": "آپ کا بچہ"}


def baby_words(baby_name: str | None, locale: str) -> str:
    """The baby's first name, or 'your baby' in the parent's language before it is known."""
    if baby_name and baby_name.strip():
        return baby_name.strip().split()[0]
    return _YOUR_BABY.get(locale, _YOUR_BABY["en_GB"])


def six_month_key(family_id: int, parent_id: int) -> str:
    return f"six_month:{family_id}:{parent_id}"


def refer_back_summary(referrer: str, days: int) -> str:
    to = referrer or "the referrer"
    return (
        f"No reply within {days} days of first contact: refer back to {to}."
        " A draft letter is ready to check; nothing more is sent to the family automatically."
    )
