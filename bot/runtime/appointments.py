"""The appointment loop in the shell: book, change, cancel, replies, reminders, letters."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import aiosqlite

from bot.core import hours as calendar
from bot.core.appointments import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    CancelledBy,
    Matched,
    Place,
    SchoolRun,
    clash_warning,
    decide_reply,
    describe_for_staff,
    match_reply,
    place_words,
    reply_key,
    school_run_clashes,
    suggest_times,
    text_key,
)
from bot.core.contact import why_not_contactable
from bot.core.first_contact import first_name
from bot.core.letters import appointment_letters
from bot.core.model import Family, Intent, Parent, QueueKind, Role
from bot.core.reminders import (
    PendingReminder,
    choose_due,
    plan_reminders,
    reminder_texts,
    worth_sending,
)
from bot.core.tasks import TaskKind, did_not_attend_call_tasks
from bot.core.templates import format_appointment_time
from bot.runtime.families import Conflict, NotFound
from bot.runtime.pipeline import queue_for_practitioner, send_to_parent
from bot.store import appointments as store
from bot.store import audit, families, outbox, queue
from bot.store import letters as letter_store
from bot.store import staff as staff_store
from bot.store import tasks as task_store
from bot.store.appointments import AppointmentFields
from bot.store.escalations import cover_in_force
from bot.store.outbox import OutboxRow

if TYPE_CHECKING:
    from bot.runtime.service import Service

CONFIRMATION = "appointment_confirmation"
CHANGED = "appointment_changed"
CANCELLED_BY_TEAM = "appointment_cancelled_by_team"
REMINDER_BATCH = 5000  # reminders handled in one unit of work by the scheduler
# Texts that only make sense while the appointment stands as it was when they were written.
_STANDING_PURPOSES = frozenset({CONFIRMATION, CHANGED, "appointment_reminder"})
_CLINICAL_ROLES = (Role.PRACTITIONER, Role.DUTY_CLINICIAN, Role.CLINICAL_LEAD)


class Invalid(Exception):
    """A request that cannot be carried out as given; names the field to fix."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Changes:
    """What to change about an appointment; None leaves a thing as it is."""

    starts_at: datetime | None = None
    duration: timedelta | None = None
    kind: AppointmentKind | None = None
    place: Place | None = None
    address: str | None = None
    expected: tuple[int, ...] | None = None
    practitioner_id: int | None = None


@dataclass(frozen=True)
class BookingResult:
    appointment: Appointment
    queued: list[int]  # outbox ids of the confirmations (or change notices)
    not_sent: list[tuple[int, str]]  # (parent id, why no text)
    letters: list[int]
    warnings: list[str]
    suggested_times: list[datetime]


@dataclass(frozen=True)
class CancelResult:
    appointment: Appointment
    told: list[int]  # outbox ids
    not_told: list[tuple[int, str]]


# --- Booking and changing ---------------------------------------------------------------------


async def _practitioner(service: Service, practitioner_id: int | None):  # noqa: ANN202
    if practitioner_id is None:
        raise Invalid("the family has no practitioner: give practitioner_id", "practitioner_id")
    member = await staff_store.get(service.db, practitioner_id)
    if member is None or not member.active or member.role not in _CLINICAL_ROLES:
        raise Invalid("no such practitioner", "practitioner_id")
    return member


def _check_fields(family: Family, f: AppointmentFields, now: datetime) -> None:
    if f.starts_at <= now:
        raise Invalid("the appointment must be in the future", "starts_at")
    if f.place is Place.CLINIC and not f.address.strip():
        raise Invalid("give the clinic's address", "address")
    known = {p.id for p in family.parents}
    for parent_id in f.expected:
        if parent_id not in known:
            raise Invalid(f"parent {parent_id} is not in this family", "expected_parent_ids")
    if not f.expected:
        raise Invalid("name at least one parent expected at the appointment", "expected_parent_ids")


def default_expected(family: Family) -> tuple[int, ...]:
    """Both parents (every parent who may be contacted) unless staff say otherwise."""
    return tuple(p.id for p in family.parents if p.id is not None and not p.do_not_contact)


async def _warnings(
    service: Service, family: Family, f: AppointmentFields, leave_out: int | None = None
) -> tuple[list[str], list[datetime]]:
    hours = service.policies.hours
    warnings: list[str] = []
    suggestions: list[datetime] = []
    assert family.id is not None
    run = await store.school_run(service.db, family.id)
    clashes = school_run_clashes(f.starts_at, f.duration, run, hours)
    day_start = calendar.opening_period(hours, f.starts_at.astimezone(hours.timezone).date())
    if not calendar.is_open(hours, f.starts_at):
        warnings.append("This time is outside the team's opening hours.")
    busy = await store.busy_times(
        service.db,
        family.id,
        f.practitioner_id,
        f.starts_at - timedelta(days=1),
        f.starts_at + timedelta(days=15),
        leave_out=leave_out,
    )
    if any(b < f.starts_at + f.duration and f.starts_at < e for b, e in busy):
        warnings.append("The family or the practitioner already has an appointment at this time.")
    if clashes:
        warnings.append(clash_warning(clashes, run))
        after = max(service.now(), day_start[0] if day_start else f.starts_at)
        suggestions = suggest_times(hours, run, f.duration, after, busy)
    return warnings, suggestions


def _values(appointment: Appointment, parent: Parent, practitioner: str, service: Service) -> dict:
    return {
        "practitioner_name": first_name(practitioner),
        "appointment_time": format_appointment_time(
            appointment.starts_at, parent.language, service.team_timezone()
        ),
        "place": place_words(appointment.place, appointment.address, parent.language),
    }


async def _tell_expected(
    service: Service,
    conn: aiosqlite.Connection,
    appointment: Appointment,
    family: Family,
    message: str,
    practitioner: str,
    now: datetime,
    *,
    urgent: bool = False,
) -> tuple[list[int], list[tuple[int, str]]]:
    queued: list[int] = []
    not_sent: list[tuple[int, str]] = []
    for parent in family.parents:
        assert parent.id is not None
        if parent.id not in appointment.expected:
            continue
        reason = why_not_contactable(parent)
        if reason is not None:
            not_sent.append((parent.id, reason))
            continue
        outbox_id = await send_to_parent(
            service,
            conn,
            parent,
            message,
            _values(appointment, parent, practitioner, service),
            now,
            urgent=urgent,
            dedupe_key=text_key(message, appointment, parent.id),
            family_id=family.id,
            appointment_id=appointment.id,
            on_behalf_of=appointment.practitioner_id,
        )
        if outbox_id:
            queued.append(outbox_id)
    return queued, not_sent


async def _letters(
    service: Service,
    conn: aiosqlite.Connection,
    appointment: Appointment,
    family: Family,
    practitioner: str,
    now: datetime,
) -> list[int]:
    drafts = appointment_letters(
        appointment,
        family,
        practitioner,
        copy_referrer=service.policies.reminders.letters_copy_referrer,
        wording=service.wording,
        tz=service.team_timezone(),
        today=now.astimezone(service.team_timezone()).date(),
    )
    return [
        await letter_store.add(conn, d, now, appointment_version=appointment.version)
        for d in drafts
    ]


def _missing_addresses(appointment: Appointment, family: Family) -> list[str]:
    return [
        f"No postal address for {p.name}: add one before the letter is posted."
        for p in family.parents
        if p.id in appointment.expected
        and p.needs_literacy_support
        and not p.do_not_contact
        and not p.address.strip()
    ]


async def _plan_reminders(
    service: Service, conn: aiosqlite.Connection, appointment: Appointment, now: datetime
) -> None:
    planned = plan_reminders(
        appointment.starts_at, now, service.policies.reminders, service.policies.hours
    )
    await store.schedule_reminders(conn, appointment.id, appointment.version, planned)


async def book(
    service: Service,
    family_id: int,
    *,
    kind: AppointmentKind,
    starts_at: datetime,
    duration: timedelta,
    place: Place,
    address: str = "",
    expected: tuple[int, ...] | None = None,
    practitioner_id: int | None = None,
    actor: str,
) -> BookingResult:
    """Book an appointment: confirm it to every expected parent, plan reminders, write letters."""
    now = service.now()
    family = await families.get(service.db, family_id)
    if family is None:
        raise NotFound("id")
    if family.status != "open":
        raise Conflict(f"the family's work is {family.status.replace('_', ' ')}", "id")
    member = await _practitioner(service, practitioner_id or family.practitioner_id)
    fields = AppointmentFields(
        practitioner_id=member.id,
        kind=kind,
        starts_at=starts_at,
        duration=duration,
        place=place,
        address=address.strip() if place is Place.CLINIC else "",
        expected=expected if expected is not None else default_expected(family),
    )
    _check_fields(family, fields, now)
    warnings, suggestions = await _warnings(service, family, fields)
    async with service.db.transaction() as conn:
        appointment_id = await store.create(conn, family_id, fields, now)
        appointment = await store.get(conn, appointment_id)
        assert appointment is not None
        await _plan_reminders(service, conn, appointment, now)
        queued, not_sent = await _tell_expected(
            service, conn, appointment, family, CONFIRMATION, member.name, now
        )
        letter_ids = await _letters(service, conn, appointment, family, member.name, now)
        await audit.record(
            conn,
            now,
            actor,
            "appointment_booked",
            "appointment",
            appointment_id,
            family_id=family_id,
            confirmations=len(queued),
            letters=len(letter_ids),
        )
    service.wake_outbox()
    warnings += _missing_addresses(appointment, family) if letter_ids else []
    return BookingResult(appointment, queued, not_sent, letter_ids, warnings, suggestions)


async def _booked(service: Service, appointment_id: int) -> Appointment:
    appointment = await store.get(service.db, appointment_id)
    if appointment is None:
        raise NotFound("id")
    if appointment.status is not AppointmentStatus.BOOKED:
        raise Conflict(f"the appointment is already {appointment.status.value}", "id")
    return appointment


async def change(
    service: Service, appointment_id: int, changes: Changes, actor: str
) -> BookingResult:
    """Move or alter an appointment: old texts, reminders and letters give way to new ones."""
    now = service.now()
    current = await _booked(service, appointment_id)
    family = await families.get(service.db, current.family_id)
    assert family is not None
    member = await _practitioner(service, changes.practitioner_id or current.practitioner_id)
    place = changes.place or current.place
    address = changes.address if changes.address is not None else current.address
    fields = AppointmentFields(
        practitioner_id=member.id,
        kind=changes.kind or current.kind,
        starts_at=changes.starts_at or current.starts_at,
        duration=changes.duration or current.duration,
        place=place,
        address=address.strip() if place is Place.CLINIC else "",
        expected=changes.expected if changes.expected is not None else current.expected,
    )
    _check_fields(family, fields, now)
    warnings, suggestions = await _warnings(service, family, fields, leave_out=appointment_id)
    async with service.db.transaction() as conn:
        if not await store.is_booked(conn, appointment_id):
            raise Conflict("the appointment is no longer booked", "id")
        await outbox.withdraw_for_appointment(conn, appointment_id, now)
        await store.withdraw_reminders(conn, appointment_id, now)
        await letter_store.withdraw_for_appointment(conn, appointment_id, now)
        await store.change(conn, appointment_id, fields, now)
        appointment = await store.get(conn, appointment_id)
        assert appointment is not None
        await _plan_reminders(service, conn, appointment, now)
        queued, not_sent = await _tell_expected(
            service, conn, appointment, family, CHANGED, member.name, now
        )
        letter_ids = await _letters(service, conn, appointment, family, member.name, now)
        await audit.record(
            conn,
            now,
            actor,
            "appointment_changed",
            "appointment",
            appointment_id,
            version=appointment.version,
            notices=len(queued),
            letters=len(letter_ids),
        )
    service.wake_outbox()
    warnings += _missing_addresses(appointment, family) if letter_ids else []
    return BookingResult(appointment, queued, not_sent, letter_ids, warnings, suggestions)


async def cancel_by_team(
    service: Service, appointment_id: int, reason: str, actor: str
) -> CancelResult:
    """The team calls an appointment off: every expected parent is told at once, and the
    administrator gets a rebooking item."""
    now = service.now()
    current = await _booked(service, appointment_id)
    family = await families.get(service.db, current.family_id)
    assert family is not None
    member = await staff_store.get(service.db, current.practitioner_id or 0)
    async with service.db.transaction() as conn:
        if not await store.cancel(conn, appointment_id, CancelledBy.TEAM, reason, now):
            raise Conflict("the appointment is no longer booked", "id")
        await outbox.withdraw_for_appointment(conn, appointment_id, now)
        await store.withdraw_reminders(conn, appointment_id, now)
        await letter_store.withdraw_for_appointment(conn, appointment_id, now)
        appointment = await store.get(conn, appointment_id)
        assert appointment is not None
        told, not_told = await _tell_expected(
            service,
            conn,
            appointment,
            family,
            CANCELLED_BY_TEAM,
            member.name if member else service.policies.team.sender_name,
            now,
            urgent=True,
        )
        when = describe_for_staff(appointment, service.team_timezone())
        await queue.add(
            conn,
            kind=QueueKind.REBOOKING,
            audience="administrator",
            family_id=family.id,
            appointment_id=appointment_id,
            summary=f"Rebook the appointment on {when}, called off by the team: {reason}",
            at=now,
        )
        await audit.record(
            conn, now, actor, "appointment_cancelled", "appointment", appointment_id, by="team"
        )
    service.wake_outbox()
    return CancelResult(appointment, told, not_told)


async def keep_after_review(service: Service, appointment_id: int, actor: str) -> bool:
    """The administrator reviewed a joint appointment one parent said NO to, and keeps it."""
    now = service.now()
    await _booked(service, appointment_id)
    async with service.db.transaction() as conn:
        kept = await store.clear_needs_review(conn, appointment_id)
        if kept:
            await audit.record(
                conn, now, actor, "appointment_reviewed", "appointment", appointment_id
            )
    return kept


async def record_outcome(
    service: Service, appointment_id: int, outcome: AppointmentStatus, actor: str
) -> Appointment:
    """Attended or not, once the appointment has begun. Attending counts as engagement."""
    now = service.now()
    appointment = await store.get(service.db, appointment_id)
    if appointment is None:
        raise NotFound("id")
    if appointment.status is AppointmentStatus.CANCELLED:
        raise Conflict("the appointment was cancelled", "id")
    if appointment.starts_at > now:
        raise Conflict("the appointment has not happened yet", "outcome")
    async with service.db.transaction() as conn:
        await store.set_outcome(conn, appointment_id, outcome, now)
        if outcome is AppointmentStatus.ATTENDED:
            await families.mark_engaged(conn, appointment.family_id, now)
        await task_store.close_kind(
            conn, appointment.family_id, TaskKind.RECORD_OUTCOME, f"{outcome.value}", actor, now
        )
        if outcome is AppointmentStatus.DID_NOT_ATTEND:
            family = await families.get(conn, appointment.family_id)
            assert family is not None
            today = now.astimezone(service.team_timezone()).date()
            owner = appointment.practitioner_id or family.practitioner_id
            for task in did_not_attend_call_tasks(
                family, appointment_id, tuple(appointment.expected), owner, today
            ):
                await task_store.add(conn, task, now)
        await audit.record(
            conn, now, actor, "appointment_outcome", "appointment", appointment_id,
            outcome=outcome.value,
        )  # fmt: skip
    updated = await store.get(service.db, appointment_id)
    assert updated is not None
    return updated


async def set_school_run(service: Service, family_id: int, run: SchoolRun, actor: str) -> None:
    now = service.now()
    if await families.get(service.db, family_id) is None:
        raise NotFound("id")
    async with service.db.transaction() as conn:
        await store.set_school_run(conn, family_id, run)
        await audit.record(conn, now, actor, "school_run_recorded", "family", family_id)


async def suggestions(
    service: Service, family_id: int, after: datetime, duration: timedelta
) -> list[datetime]:
    """Times to offer the family from `after` on, clear of school runs and booked time."""
    family = await families.get(service.db, family_id)
    if family is None:
        raise NotFound("id")
    after = max(after, service.now())
    busy = await store.busy_times(
        service.db, family_id, family.practitioner_id, after, after + timedelta(days=15)
    )
    run = await store.school_run(service.db, family_id)
    return suggest_times(service.policies.hours, run, duration, after, busy)


# --- Replies from parents ---------------------------------------------------------------------


async def _holder(conn: aiosqlite.Connection, service: Service, family: Family) -> int | None:
    if family.practitioner_id is None:
        return None
    cover = await cover_in_force(conn, service.now().astimezone(service.team_timezone()).date())
    return cover.get(family.practitioner_id, family.practitioner_id)


async def handle_reply(
    service: Service,
    conn: aiosqlite.Connection,
    family: Family,
    parent: Parent,
    intent: Intent,
    inbound_id: int,
    now: datetime,
    *,
    out_of_hours: bool,
) -> None:
    """A YES, NO or CHANGE: matched to the parent's next appointment and acted on."""
    assert family.id is not None and parent.id is not None
    tz = service.team_timezone()
    holder = await _holder(conn, service, family)
    upcoming = await store.upcoming_for_parent(conn, parent.id, now)
    last = await store.last_texted_about(conn, family.id, parent.id)
    match = match_reply(upcoming, last, tz)
    if not isinstance(match, Matched):
        await queue_for_practitioner(
            conn,
            holder,
            QueueKind.MESSAGE,
            family_id=family.id,
            parent_id=parent.id,
            inbound_id=inbound_id,
            summary=f"reads as {intent.value}; {match.reason}",
            out_of_hours=out_of_hours,
            at=now,
        )
        return
    appointment = match.appointment
    outcome = decide_reply(
        appointment,
        parent.id,
        intent,
        first_name(parent.name),
        describe_for_staff(appointment, tz),
        service.policies.reminders.one_parent_says_no,
    )
    await store.record_answer(conn, appointment.id, parent.id, outcome.answer, inbound_id, now)
    if outcome.needs_review:
        await store.mark_needs_review(conn, appointment.id, outcome.needs_review, now)
    if outcome.cancel_by_family:
        await store.cancel(conn, appointment.id, CancelledBy.FAMILY, "the family can't come", now)
        await outbox.withdraw_for_appointment(conn, appointment.id, now)
        await store.withdraw_reminders(conn, appointment.id, now)
        await letter_store.withdraw_for_appointment(conn, appointment.id, now)
    if outcome.tell_others:
        # Everyone else expected hears it is off, from the practitioner, at once.
        others = [p for p in family.parents if p.id != parent.id]
        member = await staff_store.get(service.db, appointment.practitioner_id or 0)
        called_off = replace(appointment, expected=tuple(p.id for p in others if p.id))
        await _tell_expected(
            service,
            conn,
            called_off,
            family,
            outcome.tell_others,
            member.name if member else "",
            now,
            urgent=True,
        )
    for note in outcome.notes:
        fields = dict(
            family_id=family.id,
            parent_id=parent.id,
            inbound_id=inbound_id,
            appointment_id=appointment.id,
            summary=note.summary,
            out_of_hours=out_of_hours,
            at=now,
        )
        if note.audience == "administrator":
            await queue.add(conn, kind=note.kind, audience="administrator", **fields)
        else:
            await queue_for_practitioner(conn, holder, note.kind, **fields)
    await audit.record(
        conn, now, "parent", f"appointment_{outcome.answer.value}", "appointment", appointment.id,
        conflict=any(n.kind is QueueKind.CONFLICT for n in outcome.notes),
    )  # fmt: skip
    if outcome.tell_parent:
        member = await staff_store.get(service.db, appointment.practitioner_id or 0)
        await send_to_parent(
            service,
            conn,
            parent,
            outcome.tell_parent,
            {"practitioner_name": first_name(member.name) if member else ""},
            now,
            dedupe_key=reply_key(appointment, parent.id, outcome.tell_parent),
            family_id=family.id,
            appointment_id=appointment.id,
        )


async def flag_carrier_opt_out(
    service: Service,
    conn: aiosqlite.Connection,
    family: Family,
    parent: Parent,
    word: str,
    inbound_id: int,
    now: datetime,
) -> int:
    """A parent texted CANCEL on its own: the phone network has blocked every text to them,
    though they may have meant their appointment. The administrator is asked to phone."""
    assert parent.id is not None
    upcoming = await store.upcoming_for_parent(conn, parent.id, now)
    booked = sorted((a for a in upcoming if a.stands(now)), key=lambda a: a.starts_at)
    first = booked[0] if booked else None
    if first is not None:
        meant = f"the appointment on {describe_for_staff(first, service.team_timezone())}"
    else:
        meant = "an appointment (none is booked for them)"
    return await queue.add(
        conn,
        kind=QueueKind.CARRIER_OPT_OUT,
        audience="administrator",
        family_id=family.id,
        parent_id=parent.id,
        inbound_id=inbound_id,
        appointment_id=first.id if first else None,
        summary=(
            f"{parent.name} texted {word}: may have meant {meant}; texts are now blocked"
            f" by the phone network, phone them"
        ),
        urgent=True,
        at=now,
    )


async def appointment_still_wanted(service: Service, row: OutboxRow) -> str | None:
    """Why a text about an appointment should not go now, or None. Checked at send time.

    Replies to the parent (thanks, someone will be in touch) and the team's own
    cancellation notice go whatever happened since; confirmations, reminders and change
    notices only while the appointment stands as it was when they were written.
    """
    if row.appointment_id is None or row.purpose not in _STANDING_PURPOSES:
        return None
    appointment = await store.get(service.db, row.appointment_id)
    if appointment is None:
        return "appointment no longer on record"
    if appointment.status is AppointmentStatus.CANCELLED:
        return f"appointment cancelled by the {appointment.cancelled_by or 'team'}"
    if appointment.status is not AppointmentStatus.BOOKED:
        return "appointment already held"
    if appointment.starts_at <= service.now():
        return "appointment time has passed"
    if appointment.changed_at is not None and row.created_at < appointment.changed_at:
        return "appointment changed since this text was written"
    if row.parent_id is not None and row.parent_id not in appointment.expected:
        return "parent no longer expected at the appointment"
    status = await store.family_status(service.db, appointment.family_id)
    if status != "open":
        return f"family {status.replace('_', ' ')}" if status else "family no longer on record"
    return None


# --- The scheduler's reminder job ---------------------------------------------------------------


async def queue_due_reminders(service: Service, at: datetime) -> int:
    """Queue every reminder due at `at`, once: returns the number of texts queued.

    Reads and marks the due rows in one unit of work on the single writer, so two passes
    (in this process or another) never queue the same reminder, and the outbox's dedupe
    keys make a repeat harmless even then.
    """
    hours = service.policies.hours
    if not calendar.in_sending_hours(hours, at):
        return 0  # left pending: queued at the first pass within sending hours, if still useful
    total = 0
    while True:
        async with service.db.transaction() as conn:
            due = await store.due_reminders(conn, at, REMINDER_BATCH)
            if not due:
                break
            by_id = {d.id: d for d in due}
            chosen, superseded = choose_due(
                (PendingReminder(d.id, d.appointment.id, d.offset_days, d.due_at) for d in due), at
            )
            send, skip = [], [r.id for r in superseded]
            drafts = []
            for reminder in (by_id[r.id] for r in chosen):
                appointment = reminder.appointment
                if (
                    reminder.version != appointment.version
                    or reminder.family_status != "open"
                    or not worth_sending(appointment, reminder.due_at, hours, at)
                ):
                    skip.append(reminder.id)
                    continue
                texts = reminder_texts(
                    appointment,
                    reminder.offset_days,
                    reminder.parents,
                    reminder.practitioner_name,
                    service.wording,
                    hours,
                    at,
                )
                drafts += texts.drafts
                send.append(reminder.id)
            queued = await outbox.enqueue_many(conn, drafts, at)
            await store.mark_reminders(conn, send, "queued", at)
            await store.mark_reminders(conn, skip, "skipped", at)
            if queued or skip:
                await audit.record(
                    conn, at, "scheduler", "reminders_queued", "", None,
                    texts=queued, reminders=len(send), skipped=len(skip),
                )  # fmt: skip
        total += queued
        if len(due) < REMINDER_BATCH:
            break
    return total
