"""Reminders: when each one is due, which are due at an instant, and the texts they become.

A reminder goes `offsets_days` before the appointment's day, at the policy's `send_at`
moved into that day's sending hours. A day with no sending hours (Sunday, a bank holiday)
moves the reminder to the nearest earlier day that has them; two reminders landing on the
same instant are one. Reminders are planned when an appointment is booked or changed,
and `cradle tick` queues those that have fallen due, once each, only within sending hours:
one that fell due while the scheduler was stopped goes late only if it still helps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from bot.core import hours as calendar
from bot.core.appointments import Answer, Appointment, place_words
from bot.core.contact import route_for, why_not_contactable
from bot.core.first_contact import first_name
from bot.core.model import Parent
from bot.core.outbox import OutboxDraft
from bot.core.templates import format_appointment_time

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.core.policy import HoursPolicy, ReminderPolicy
    from bot.core.wording import Wording

REMINDER = "appointment_reminder"
REMINDER_CONFIRMED = "appointment_reminder_confirmed"  # to a parent who already said YES
MIN_LEAD = timedelta(hours=1)  # a reminder later than this before the start helps nobody
# A reminder this late (the scheduler was stopped) is left out: the next one, or the
# confirmation, has told the parent.
STALE_AFTER = timedelta(hours=20)
_LOOK_BACK_DAYS = 7  # how far before its day a reminder may move to find sending hours


@dataclass(frozen=True)
class PlannedReminder:
    offset_days: int
    due_at: datetime


def reminder_instant(
    starts_at: datetime, offset_days: int, policy: ReminderPolicy, hours: HoursPolicy
) -> datetime | None:
    """When the reminder `offset_days` before this appointment goes, or None if it cannot."""
    day = starts_at.astimezone(hours.timezone).date() - timedelta(days=offset_days)
    for back in range(_LOOK_BACK_DAYS):
        at = calendar.sending_time_on(hours, day - timedelta(days=back), policy.send_at)
        if at is not None:
            return at if at <= starts_at - MIN_LEAD else None
    return None


def plan_reminders(
    starts_at: datetime, booked_at: datetime, policy: ReminderPolicy, hours: HoursPolicy
) -> list[PlannedReminder]:
    """The reminders for an appointment booked (or changed) at `booked_at`, earliest first.

    Only those after the booking: the confirmation has just told the parent.
    """
    planned: dict[datetime, PlannedReminder] = {}
    for offset in policy.offsets_days:  # largest first: the earlier reminder keeps its offset
        at = reminder_instant(starts_at, offset, policy, hours)
        if at is not None and at > booked_at and at not in planned:
            planned[at] = PlannedReminder(offset, at)
    return sorted(planned.values(), key=lambda r: r.due_at)


@dataclass(frozen=True)
class PendingReminder:
    id: int
    appointment_id: int
    offset_days: int
    due_at: datetime


def choose_due(
    pending: Iterable[PendingReminder], at: datetime
) -> tuple[list[PendingReminder], list[PendingReminder]]:
    """(to send, to skip) at `at`: the latest due reminder of each appointment is sent.

    When several fell due while the scheduler was not running, one reminder is enough.
    """
    latest: dict[int, PendingReminder] = {}
    skipped: list[PendingReminder] = []
    for reminder in sorted(pending, key=lambda r: (r.due_at, r.id)):
        if reminder.due_at > at:
            continue
        earlier = latest.get(reminder.appointment_id)
        if earlier is not None:
            skipped.append(earlier)
        latest[reminder.appointment_id] = reminder
    return list(latest.values()), skipped


def reminder_key(appointment_id: int, version: int, offset_days: int, parent_id: int) -> str:
    """Stable across processes and restarts: the outbox stores each key once."""
    return f"reminder:{appointment_id}:{version}:{offset_days}:{parent_id}"


def reminders_due(
    appointments: Sequence[Appointment],
    policy: ReminderPolicy,
    hours: HoursPolicy,
    at: datetime,
) -> list[tuple[Appointment, PlannedReminder]]:
    """Which reminder of each standing appointment is due at `at` (the latest one due)."""
    due = []
    for appointment in appointments:
        if not appointment.stands(at):
            continue
        booked = appointment.changed_at or appointment.booked_at or at
        planned = plan_reminders(appointment.starts_at, booked, policy, hours)
        reached = [r for r in planned if r.due_at <= at]
        if reached:
            due.append((appointment, reached[-1]))
    return due


def worth_sending(
    appointment: Appointment, due_at: datetime, hours: HoursPolicy, at: datetime
) -> bool:
    """Whether a reminder due at `due_at` and queued at `at` still helps the parent."""
    return (
        appointment.stands(at)
        and at - due_at < STALE_AFTER
        and calendar.next_sending_time(hours, at) <= appointment.starts_at - MIN_LEAD
    )


@lru_cache(maxsize=4096)
def _when(starts_at: datetime, locale: str, tz: ZoneInfo) -> str:
    """Formatting a date costs more than the rest of a text; a day's reminders share few."""
    return format_appointment_time(starts_at, locale, tz)


@dataclass(frozen=True)
class ReminderTexts:
    drafts: list[OutboxDraft]
    not_sent: list[tuple[int, str]]  # (parent id, why)


def reminder_texts(
    appointment: Appointment,
    offset_days: int,
    parents: Sequence[Parent],
    practitioner_name: str,
    wording: Wording,
    hours: HoursPolicy,
    at: datetime,
) -> ReminderTexts:
    """One reminder for each expected parent who may be texted."""
    drafts: list[OutboxDraft] = []
    not_sent: list[tuple[int, str]] = []
    for parent in parents:
        assert parent.id is not None
        if parent.id not in appointment.expected:
            continue
        reason = why_not_contactable(parent)
        route = route_for(parent)
        if reason is not None or route is None:
            not_sent.append((parent.id, reason or "no route"))
            continue
        answer = appointment.answers.get(parent.id)
        if answer is not None and answer is not Answer.CONFIRM:
            # They said they can't come or asked to move it: a person is dealing with that.
            not_sent.append((parent.id, f"answered {answer.value}: waiting for the team"))
            continue
        # Never ask a parent to confirm what they have already confirmed.
        message = REMINDER_CONFIRMED if answer is Answer.CONFIRM else REMINDER
        rendered = wording.render(
            message,
            locale=parent.language,
            values={
                "parent_name": first_name(parent.name),
                "practitioner_name": first_name(practitioner_name),
                "appointment_time": _when(appointment.starts_at, parent.language, hours.timezone),
                "place": place_words(appointment.place, appointment.address, parent.language),
            },
            easy_read=parent.needs_literacy_support,
        )
        channel, address = route
        drafts.append(
            OutboxDraft(
                channel=channel,
                recipient=address,
                purpose=REMINDER,
                body=rendered.body,
                not_before=calendar.next_sending_time(hours, at),
                parent_id=parent.id,
                family_id=appointment.family_id,
                appointment_id=appointment.id,
                template=message,
                locale=rendered.locale,
                on_behalf_of=appointment.practitioner_id,
                dedupe_key=reminder_key(
                    appointment.id, appointment.version, offset_days, parent.id
                ),
                encoding=rendered.encoding,
                segments=rendered.segments,
            )
        )
    return ReminderTexts(drafts, not_sent)
