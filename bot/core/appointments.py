"""Appointments: what they are, which one a reply is about, what the reply means, school runs.

Pure: plain data and the current time in, decisions out. The shell stores and sends.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.core import hours as calendar
from bot.core.model import Intent, QueueKind
from bot.core.policy import OneParentSaysNo

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from bot.core.policy import HoursPolicy


class AppointmentKind(StrEnum):
    FIRST = "first"
    SESSION = "session"
    REVIEW = "review"


class Place(StrEnum):
    HOME = "home"
    CLINIC = "clinic"
    VIDEO = "video"
    PHONE = "phone"


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    DID_NOT_ATTEND = "did_not_attend"


class CancelledBy(StrEnum):
    FAMILY = "family"
    TEAM = "team"


class Answer(StrEnum):
    """What a parent said about an appointment: YES, NO or CHANGE."""

    CONFIRM = "confirm"
    CANCEL = "cancel"
    CHANGE = "change"


ANSWER_FOR_INTENT: Mapping[Intent, Answer] = {
    Intent.CONFIRM: Answer.CONFIRM,
    Intent.CANCEL: Answer.CANCEL,
    Intent.RESCHEDULE: Answer.CHANGE,
}


@dataclass(frozen=True)
class Appointment:
    id: int
    family_id: int
    practitioner_id: int | None
    kind: AppointmentKind
    starts_at: datetime
    duration: timedelta
    place: Place
    address: str
    expected: tuple[int, ...]  # parent ids expected to attend
    status: AppointmentStatus = AppointmentStatus.BOOKED
    cancelled_by: CancelledBy | None = None
    cancel_reason: str = ""
    version: int = 1
    booked_at: datetime | None = None
    changed_at: datetime | None = None
    answers: Mapping[int, Answer] = field(default_factory=dict)  # parent id -> last answer
    referrer_invited: bool = False
    summary: str = ""  # what the practitioner wrote afterwards, for the letters
    needs_review: str = ""  # why the administrator must decide about it, while it stands

    @property
    def confirmed_by(self) -> tuple[int, ...]:
        return tuple(p for p, a in self.answers.items() if a is Answer.CONFIRM)

    @property
    def cancelled_by_family(self) -> bool:
        return (
            self.status is AppointmentStatus.CANCELLED and self.cancelled_by is CancelledBy.FAMILY
        )

    def stands(self, now: datetime) -> bool:
        """Still booked and still to come: texts about it make sense."""
        return self.status is AppointmentStatus.BOOKED and self.starts_at > now


# --- Where, in the parent's words ----------------------------------------------------------

# Best natural translations by the development team: to be reviewed with the message wording.
_PLACE_WORDS: Mapping[Place, Mapping[str, str]] = {
    Place.HOME: {
        "en_GB": "your home", "cy": "eich cartref", "pl": "w Twoim domu", "ur": "آپ کے گھر"
    },
    Place.VIDEO: {
        "en_GB": "a video call", "cy": "galwad fideo", "pl": "rozmowa wideo", "ur": "ویڈیو کال"
    },
    Place.PHONE: {
        "en_GB": "a phone call", "cy": "galwad ffôn", "pl": "rozmowa telefoniczna", "ur": "فون کال"
    },
}  # fmt: skip


def place_words(place: Place, address: str, locale: str) -> str:
    """Where the appointment is, as a parent reads it: the clinic's address, or 'your home'."""
    if place is Place.CLINIC:
        return address.strip()
    words = _PLACE_WORDS[place]
    return words.get(locale, words["en_GB"])


def describe_for_staff(appointment: Appointment, tz: ZoneInfo) -> str:
    """'Tuesday 1 December 2026 at 10:00 GMT': how queue items name an appointment."""
    return calendar.describe_instant(appointment.starts_at.astimezone(tz))


# --- Which appointment a reply is about -----------------------------------------------------


@dataclass(frozen=True)
class Matched:
    appointment: Appointment


@dataclass(frozen=True)
class Unmatched:
    reason: str  # shown to the practitioner with the message


def match_reply(
    upcoming: Sequence[Appointment], last_texted_about: Collection[int], tz: ZoneInfo
) -> Matched | Unmatched:
    """The appointment a YES / NO / CHANGE from this parent is about.

    `upcoming` are the parent's appointments still to come, in any status;
    `last_texted_about` are the appointments the latest appointment texts to this parent
    were about (several when they went together). A reply answers those texts when one of
    them is still to come (the soonest); otherwise the next appointment that has not been
    called off by the team. Two on the same day with no text to tell them apart is ambiguous,
    and a reply after the team called one off is for a person to read.
    """
    texted = sorted(
        (a for a in upcoming if a.id in last_texted_about), key=lambda a: (a.starts_at, a.id)
    )
    if texted:
        last = texted[0]
        if last.status is AppointmentStatus.CANCELLED and last.cancelled_by is CancelledBy.TEAM:
            return Unmatched("replied after the team called off an appointment")
        return Matched(last)
    open_ones = sorted(
        (a for a in upcoming if a.status is AppointmentStatus.BOOKED or a.cancelled_by_family),
        key=lambda a: (a.starts_at, a.id),
    )
    if not open_ones:
        return Unmatched("no upcoming appointment")
    first = open_ones[0]
    if len(open_ones) > 1:
        second = open_ones[1]
        if first.starts_at.astimezone(tz).date() == second.starts_at.astimezone(tz).date():
            return Unmatched("two appointments on the same day: unclear which one")
    return Matched(first)


# --- What a reply means, and whom to tell ---------------------------------------------------


@dataclass(frozen=True)
class QueueNote:
    kind: QueueKind
    audience: str  # administrator | practitioner
    summary: str


@dataclass(frozen=True)
class ReplyOutcome:
    answer: Answer  # recorded against the parent for this appointment
    cancel_by_family: bool = False  # call the appointment off and withdraw its reminders
    tell_parent: str | None = None  # message name for the parent who replied
    notes: tuple[QueueNote, ...] = ()
    needs_review: str = ""  # why the appointment stands but the administrator must decide
    tell_others: str | None = None  # message name for the other expected parents


CALLED_OFF = "appointment_called_off"  # told to the other parents when the family's NO cancels


def decide_reply(
    appointment: Appointment,
    parent_id: int,
    intent: Intent,
    parent_name: str,
    when: str,
    one_parent_says_no: OneParentSaysNo = OneParentSaysNo.REVIEW,
) -> ReplyOutcome:
    """What a parent's YES / NO / CHANGE does to an appointment, and who hears of it.

    Parents who say different things (one YES, the other NO or CHANGE) are not settled by
    the service: the administrator decides and the parent is told someone will be in touch.
    One parent's NO while another is still expected does not cancel for both unless the
    team's policy says so: the appointment stands and needs review.
    """
    answer = ANSWER_FOR_INTENT[intent]
    yes = answer is Answer.CONFIRM
    others = {p: a for p, a in appointment.answers.items() if p != parent_id}
    disagrees = any((a is Answer.CONFIRM) != yes for a in others.values())
    changed_mind = yes and appointment.cancelled_by_family
    if disagrees or changed_mind:
        said = {Answer.CONFIRM: "YES", Answer.CANCEL: "NO", Answer.CHANGE: "CHANGE"}[answer]
        why = (
            "the appointment was already called off by the family"
            if changed_mind and not disagrees
            else "the other parent said something different"
        )
        note = QueueNote(
            QueueKind.CONFLICT,
            "administrator",
            f"{parent_name} said {said} to the appointment on {when}, but {why}: please decide",
        )
        return ReplyOutcome(answer, tell_parent="change_request_ack", notes=(note,))
    if answer is Answer.CONFIRM:
        return ReplyOutcome(answer, tell_parent="reply_ack_confirmed")
    if answer is Answer.CHANGE:
        note = QueueNote(
            QueueKind.CHANGE_REQUEST,
            "administrator",
            f"{parent_name} asks to move the appointment on {when}",
        )
        return ReplyOutcome(answer, tell_parent="change_request_ack", notes=(note,))
    if appointment.cancelled_by_family:  # said NO again: thank them, nobody needs telling twice
        return ReplyOutcome(answer, tell_parent="cancellation_thanks")
    # Still expected: has not said they can't come or asked to move it (a YES is a conflict above).
    still_expected = [p for p in appointment.expected if p != parent_id and p not in others]
    if still_expected and one_parent_says_no is OneParentSaysNo.REVIEW:
        why = (
            f"{parent_name} said NO to the joint appointment on {when};"
            " the other parent is still expected"
        )
        note = QueueNote(
            QueueKind.APPOINTMENT_REVIEW,
            "administrator",
            f"{why}. It still stands: keep it, move it or call it off",
        )
        return ReplyOutcome(
            answer, tell_parent="change_request_ack", notes=(note,), needs_review=why
        )
    summary = f"{parent_name} can't come to the appointment on {when}: the time is free to offer"
    return ReplyOutcome(
        answer,
        cancel_by_family=True,
        tell_parent="cancellation_thanks",
        tell_others=CALLED_OFF if still_expected else None,
        notes=(
            QueueNote(QueueKind.CANCELLATION, "administrator", summary),
            QueueNote(QueueKind.CANCELLATION, "practitioner", summary),
        ),
    )


def reply_key(appointment: Appointment, parent_id: int, message: str) -> str:
    """One acknowledgement per parent, appointment version and message, however often they reply."""
    return f"reply:{appointment.id}:{appointment.version}:{parent_id}:{message}"


def text_key(purpose: str, appointment: Appointment, parent_id: int) -> str:
    return f"{purpose}:{appointment.id}:{appointment.version}:{parent_id}"


# --- School runs ----------------------------------------------------------------------------

SCHOOL_RUN_MARGIN = timedelta(minutes=30)  # getting there and back around the school gate
SUGGESTION_STEP = timedelta(minutes=30)


@dataclass(frozen=True)
class SchoolRun:
    """A family's school drop-off and pick-up times, in the team's time, on school days."""

    drop_off: time | None = None
    pick_up: time | None = None

    @property
    def recorded(self) -> bool:
        return self.drop_off is not None or self.pick_up is not None


def _school_day(hours: HoursPolicy, day: date) -> bool:
    return day.weekday() < 5 and not calendar.is_bank_holiday(hours, day)


def school_run_clashes(
    starts_at: datetime, duration: timedelta, school_run: SchoolRun, hours: HoursPolicy
) -> list[str]:
    """Which school runs ("drop-off", "pick-up") an appointment at this time gets in the way of."""
    tz = hours.timezone
    local = starts_at.astimezone(tz)
    day = local.date()
    if not school_run.recorded or not _school_day(hours, day):
        return []
    start, end = starts_at, starts_at + duration
    clashes = []
    for label, at in (("drop-off", school_run.drop_off), ("pick-up", school_run.pick_up)):
        if at is None:
            continue
        moment = datetime.combine(day, at, tzinfo=tz)
        if start < moment + SCHOOL_RUN_MARGIN and moment - SCHOOL_RUN_MARGIN < end:
            clashes.append(label)
    return clashes


def clash_warning(clashes: Sequence[str], school_run: SchoolRun) -> str:
    times = {"drop-off": school_run.drop_off, "pick-up": school_run.pick_up}
    parts = [f"school {c} at {times[c]:%H:%M}" for c in clashes if times[c] is not None]
    return "This time clashes with the family's " + " and ".join(parts) + "."


def suggest_times(
    hours: HoursPolicy,
    school_run: SchoolRun,
    duration: timedelta,
    after: datetime,
    busy: Sequence[tuple[datetime, datetime]] = (),
    *,
    limit: int = 6,
    days: int = 14,
) -> list[datetime]:
    """Start times from `after` on, within opening hours, clear of school runs and `busy` times."""
    found: list[datetime] = []
    first_day = after.astimezone(hours.timezone).date()
    for offset in range(days):
        period = calendar.opening_period(hours, first_day + timedelta(days=offset))
        if period is None:
            continue
        start, closes = period
        while start + duration <= closes and len(found) < limit:
            end = start + duration
            if (
                start >= after
                and not school_run_clashes(start, duration, school_run, hours)
                and not any(b_start < end and start < b_end for b_start, b_end in busy)
            ):
                found.append(start.astimezone(hours.timezone))
            start += SUGGESTION_STEP
        if len(found) >= limit:
            break
    return found
