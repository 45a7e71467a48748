"""The administrator's appointments (book, change, call off, record attendance), the school run,
letters to print and the activity report. The work is done by bot/runtime/appointments.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from aiohttp import web
from multidict import MultiDictProxy

from bot.core.appointments import (
    Answer,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Place,
    SchoolRun,
    describe_for_staff,
)
from bot.core.model import Family, Role
from bot.core.reports import LABELS, as_csv, period_bounds
from bot.runtime import appointments as runtime
from bot.runtime.families import Conflict, NotFound
from bot.runtime.service import Service
from bot.store import appointments as store
from bot.store import audit, families
from bot.store import letters as letter_store
from bot.store import reports as report_store
from bot.web import auth
from bot.web.console import clinical_colleagues, int_or_none, signed_in_viewer, staff_by_id
from bot.web.keys import SERVICE

routes = web.RouteTableDef()

KINDS = {
    AppointmentKind.FIRST: "First appointment",
    AppointmentKind.SESSION: "Session",
    AppointmentKind.REVIEW: "Review",
}
PLACES = {
    Place.HOME: "At the family's home",
    Place.CLINIC: "At a clinic",
    Place.VIDEO: "Video call",
    Place.PHONE: "Phone call",
}
ANSWERS = {
    Answer.CONFIRM: "Confirmed",
    Answer.CANCEL: "Cannot come",
    Answer.CHANGE: "Asks to change",
}
DURATIONS = (30, 45, 60, 90, 120)
# The runtime names the field at fault; the form calls some of them differently.
FORM_FIELDS = {"starts_at": "day", "expected_parent_ids": "expected", "id": "day"}
MAX_REPORT_DAYS = 731
UPCOMING_DAYS = 28


@dataclass(frozen=True)
class AppointmentView:
    appointment: Appointment
    family: Family
    when: str
    where: str
    who: list[tuple[str, str]]  # (parent name, their answer)
    practitioner: str
    begun: bool  # attendance can be recorded once it has begun


def _actor(staff_id: int) -> str:
    return f"staff:{staff_id}"


async def view_of(service: Service, appointment: Appointment, family: Family) -> AppointmentView:
    everyone = await staff_by_id(service)
    names = {p.id: p.name for p in family.parents}
    member = everyone.get(appointment.practitioner_id or -1)
    clinic = appointment.place is Place.CLINIC
    return AppointmentView(
        appointment=appointment,
        family=family,
        when=describe_for_staff(appointment, service.team_timezone()),
        where=appointment.address if clinic else PLACES[appointment.place],
        who=[
            (names.get(p, "A parent"), ANSWERS.get(appointment.answers.get(p), "No answer yet"))  # type: ignore[arg-type]
            for p in appointment.expected
        ],
        practitioner=member.name if member else "",
        begun=appointment.starts_at <= service.now(),
    )


async def family_appointments(service: Service, family: Family) -> list[AppointmentView]:
    """For the family's page: every appointment, the next first."""
    assert family.id is not None
    found = await store.for_family(service.db, family.id)
    return [await view_of(service, a, family) for a in found]


# --- The booking form ---------------------------------------------------------------------


@dataclass(frozen=True)
class Booking:
    starts_at: datetime
    duration: timedelta
    kind: AppointmentKind
    place: Place
    address: str
    expected: tuple[int, ...]
    practitioner_id: int | None


def read_booking(
    form: MultiDictProxy, family: Family, service: Service
) -> tuple[Booking | None, dict[str, str]]:
    errors: dict[str, str] = {}
    tz = service.team_timezone()
    try:
        day = date.fromisoformat(str(form.get("day", "")).strip())
    except ValueError:
        day = None
        errors["day"] = "Enter the date of the appointment, like 2026-12-01"
    try:
        at = time.fromisoformat(str(form.get("time", "")).strip())
    except ValueError:
        at = None
        errors["time"] = "Enter the time of the appointment, like 10:30"
    minutes = int_or_none(form.get("duration"))
    if minutes not in DURATIONS:
        errors["duration"] = "Select how long the appointment is"
    try:
        kind = AppointmentKind(str(form.get("kind", "")))
    except ValueError:
        kind = None
        errors["kind"] = "Select the kind of appointment"
    try:
        place = Place(str(form.get("place", "")))
    except ValueError:
        place = None
        errors["place"] = "Select where the appointment is"
    known = {p.id for p in family.parents}
    expected = tuple(p for p in (int_or_none(v) for v in form.getall("expected", [])) if p in known)
    if not expected:
        errors["expected"] = "Select at least one parent or carer who is expected"
    if errors or day is None or at is None or kind is None or place is None or minutes is None:
        return None, errors
    return (
        Booking(
            starts_at=datetime.combine(day, at, tzinfo=tz),
            duration=timedelta(minutes=minutes),
            kind=kind,
            place=place,
            address=str(form.get("address", "")).strip()[:300],
            expected=expected,
            practitioner_id=int_or_none(form.get("practitioner_id")),
        ),
        {},
    )


def form_of(appointment: Appointment, tz) -> dict:  # noqa: ANN001 - a ZoneInfo
    local = appointment.starts_at.astimezone(tz)
    return {
        "day": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "duration": str(int(appointment.duration.total_seconds() // 60)),
        "kind": appointment.kind.value,
        "place": appointment.place.value,
        "address": appointment.address,
        "expected": [str(p) for p in appointment.expected],
        "practitioner_id": str(appointment.practitioner_id or ""),
    }


def submitted(form: MultiDictProxy) -> dict:
    values: dict = {k: str(v) for k, v in form.items() if k not in (auth.CSRF_FIELD, "expected")}
    values["expected"] = [str(v) for v in form.getall("expected", [])]
    return values


async def _form_page(
    request: web.Request,
    family: Family,
    values: dict,
    errors: dict[str, str],
    *,
    appointment: Appointment | None = None,
    status: int = 200,
) -> web.Response:
    service = request.app[SERVICE]
    assert family.id is not None
    suggested = await runtime.suggestions(
        service, family.id, service.now(), timedelta(minutes=int(values.get("duration") or 60))
    )
    return auth.render(
        request,
        "console/admin_appointment_form.html",
        status=status,
        family=family,
        appointment=appointment,
        form=values,
        errors=errors,
        kinds=KINDS,
        places=PLACES,
        durations=DURATIONS,
        suggested=suggested,
        tz=service.team_timezone(),
        clinicians=clinical_colleagues(await staff_by_id(service), None),
    )


def booking_message(result: runtime.BookingResult, family: Family, verb: str, tz) -> str:  # noqa: ANN001
    names = {p.id: p.name for p in family.parents}
    count = len(result.queued)
    message = f"{verb} for {describe_for_staff(result.appointment, tz)}. "
    message += f"Text queued for {count} parent{'s' if count != 1 else ''}."
    for parent_id, reason in result.not_sent:
        message += f" Not texted: {names.get(parent_id, 'a parent')} ({reason})."
    if result.letters:
        message += f" {len(result.letters)} letter(s) to print."
    for warning in result.warnings:
        message += f" Check: {warning}"
    if result.suggested_times:
        times = ", ".join(
            t.astimezone(tz).strftime("%a %-d %b %H:%M") for t in result.suggested_times[:3]
        )
        message += f" Times that suit the family: {times}."
    return message


async def _family_or_404(request: web.Request) -> Family:
    family = await families.get(request.app[SERVICE].db, int(request.match_info["id"]))
    if family is None:
        auth.not_found(request)
    return family


async def _appointment_or_404(request: web.Request) -> tuple[Appointment, Family]:
    service = request.app[SERVICE]
    appointment = await store.get(service.db, int(request.match_info["id"]))
    family = await families.get(service.db, appointment.family_id) if appointment else None
    if appointment is None or family is None:
        auth.not_found(request)
    return appointment, family


def _refusal(exc: Exception) -> dict[str, str]:
    field = getattr(exc, "field", "day")
    return {FORM_FIELDS.get(field, field): str(exc)[:1].upper() + str(exc)[1:]}


@routes.get("/admin/families/{id:\\d+}/appointments/new")
@auth.page
async def book_form(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    family = await _family_or_404(request)
    values = {
        "duration": "60",
        "kind": "session",
        "place": "home",
        "expected": [str(p) for p in runtime.default_expected(family)],
        "practitioner_id": str(family.practitioner_id or ""),
    }
    return await _form_page(request, family, values, {})


@routes.post("/admin/families/{id:\\d+}/appointments/new")
@auth.page
async def book(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    family = await _family_or_404(request)
    service = request.app[SERVICE]
    form = await request.post()
    booking, errors = read_booking(form, family, service)
    if booking is None:
        return await _form_page(request, family, submitted(form), errors, status=422)
    try:
        result = await runtime.book(
            service,
            family.id or 0,
            kind=booking.kind,
            starts_at=booking.starts_at,
            duration=booking.duration,
            place=booking.place,
            address=booking.address,
            expected=booking.expected,
            practitioner_id=booking.practitioner_id,
            actor=_actor(viewer.id),
        )
    except (runtime.Invalid, Conflict, NotFound) as exc:
        return await _form_page(request, family, submitted(form), _refusal(exc), status=422)
    auth.flash(request, booking_message(result, family, "Booked", service.team_timezone()))
    return auth.redirect(f"/admin/families/{family.id}#appointments")


@routes.get("/admin/appointments/{id:\\d+}/change")
@auth.page
async def change_form(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    appointment, family = await _appointment_or_404(request)
    if appointment.status is not AppointmentStatus.BOOKED:
        auth.not_found(request)
    values = form_of(appointment, request.app[SERVICE].team_timezone())
    return await _form_page(request, family, values, {}, appointment=appointment)


@routes.post("/admin/appointments/{id:\\d+}/change")
@auth.page
async def change(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    appointment, family = await _appointment_or_404(request)
    service = request.app[SERVICE]
    form = await request.post()
    booking, errors = read_booking(form, family, service)
    if booking is None:
        return await _form_page(
            request, family, submitted(form), errors, appointment=appointment, status=422
        )
    changes = runtime.Changes(
        starts_at=booking.starts_at,
        duration=booking.duration,
        kind=booking.kind,
        place=booking.place,
        address=booking.address,
        expected=booking.expected,
        practitioner_id=booking.practitioner_id,
    )
    try:
        result = await runtime.change(service, appointment.id, changes, _actor(viewer.id))
    except (runtime.Invalid, Conflict, NotFound) as exc:
        return await _form_page(
            request, family, submitted(form), _refusal(exc), appointment=appointment, status=422
        )
    auth.flash(request, booking_message(result, family, "Moved", service.team_timezone()))
    return auth.redirect(f"/admin/families/{family.id}#appointments")


@routes.post("/admin/appointments/{id:\\d+}/cancel")
@auth.page
async def call_off(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    appointment, family = await _appointment_or_404(request)
    service = request.app[SERVICE]
    reason = str((await request.post()).get("reason", "")).strip()[:300]
    if not reason:
        auth.flash(
            request, "To call off an appointment, give the reason (parents are not told it)."
        )
        return auth.redirect(f"/admin/families/{family.id}#appointment-{appointment.id}")
    try:
        result = await runtime.cancel_by_team(service, appointment.id, reason, _actor(viewer.id))
    except (Conflict, NotFound) as exc:
        auth.flash(request, str(exc)[:1].upper() + str(exc)[1:] + ".")
        return auth.redirect(f"/admin/families/{family.id}#appointments")
    told = len(result.told)
    auth.flash(
        request,
        f"Called off. {told} parent{'s' if told != 1 else ''} told at once; "
        "rebooking is waiting for you.",
    )
    return auth.redirect(f"/admin/families/{family.id}#appointments")


@routes.post("/admin/appointments/{id:\\d+}/outcome")
@auth.page
async def outcome(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    appointment, family = await _appointment_or_404(request)
    service = request.app[SERVICE]
    raw = str((await request.post()).get("outcome", ""))
    if raw not in (AppointmentStatus.ATTENDED.value, AppointmentStatus.DID_NOT_ATTEND.value):
        auth.not_found(request)
    try:
        await runtime.record_outcome(
            service, appointment.id, AppointmentStatus(raw), _actor(viewer.id)
        )
        auth.flash(request, "Attendance recorded.")
    except (Conflict, NotFound) as exc:
        auth.flash(request, str(exc)[:1].upper() + str(exc)[1:] + ".")
    return auth.redirect(f"/admin/families/{family.id}#appointments")


@routes.post("/admin/families/{id:\\d+}/school-run")
@auth.page
async def school_run(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    family = await _family_or_404(request)
    service = request.app[SERVICE]
    form = await request.post()
    times: dict[str, time | None] = {}
    for key in ("drop_off", "pick_up"):
        raw = str(form.get(key, "")).strip()
        try:
            times[key] = time.fromisoformat(raw) if raw else None
        except ValueError:
            auth.flash(request, "Enter school times like 08:45.")
            return auth.redirect(f"/admin/families/{family.id}#school-run")
    await runtime.set_school_run(
        service, family.id or 0, SchoolRun(times["drop_off"], times["pick_up"]), _actor(viewer.id)
    )
    auth.flash(request, "School run times saved: appointments will keep clear of them.")
    return auth.redirect(f"/admin/families/{family.id}#school-run")


# --- Upcoming appointments across the team --------------------------------------------------


@routes.get("/admin/appointments")
@auth.page
async def upcoming(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    await auth.audit_read(request, "appointments_viewed", "appointment")
    service = request.app[SERVICE]
    now = service.now()
    until = now + timedelta(days=UPCOMING_DAYS)
    shown = []
    for family in await families.list_families(service.db):
        if family.status != "open" or family.id is None:
            continue
        for appointment in await store.upcoming_booked_for_family(service.db, family.id, now):
            if appointment.starts_at <= until:
                shown.append(await view_of(service, appointment, family))
    shown.sort(key=lambda v: v.appointment.starts_at)
    return auth.render(
        request,
        "console/admin_appointments.html",
        appointments=shown,
        days=UPCOMING_DAYS,
        kinds=KINDS,
    )


# --- Letters ----------------------------------------------------------------------------------


@routes.get("/admin/letters")
@auth.page
async def letters(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    await auth.audit_read(request, "letters_listed", "letter")
    service = request.app[SERVICE]
    return auth.render(
        request,
        "console/admin_letters.html",
        waiting=await letter_store.listing(service.db, "waiting"),
        drafts=await letter_store.listing(service.db, "draft"),
        sent=(await letter_store.listing(service.db, "sent"))[-20:][::-1],
        tz=service.team_timezone(),
    )


async def _letter_or_404(request: web.Request) -> letter_store.Letter:
    letter = await letter_store.get(request.app[SERVICE].db, int(request.match_info["id"]))
    if letter is None:
        auth.not_found(request)
    return letter


@routes.get("/admin/letters/{id:\\d+}")
@auth.page
async def letter(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    found = await _letter_or_404(request)
    service = request.app[SERVICE]
    async with service.db.transaction() as conn:
        await audit.record(
            conn, service.now(), _actor(viewer.id), "letter_viewed", "letter", found.id
        )
    paragraphs = [p.strip() for p in found.body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    language = found.locale.split("_")[0]
    return auth.render(
        request,
        "console/admin_letter.html",
        letter=found,
        paragraphs=paragraphs,
        lang=found.locale.replace("_", "-"),
        direction="rtl" if language in ("ur", "ar") else "ltr",
        tz=service.team_timezone(),
    )


@routes.post("/admin/letters/{id:\\d+}/sent")
@auth.page
async def letter_sent(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    found = await _letter_or_404(request)
    service = request.app[SERVICE]
    now = service.now()
    async with service.db.transaction() as conn:
        if await letter_store.mark_sent(conn, found.id, _actor(viewer.id), now):
            await audit.record(conn, now, _actor(viewer.id), "letter_sent", "letter", found.id)
            auth.flash(request, f"Letter to {found.addressed_to} marked as posted.")
        else:
            auth.flash(request, f"That letter is {found.status}, not waiting to be posted.")
    return auth.redirect("/admin/letters")


@routes.post("/admin/letters/{id:\\d+}/approve")
@auth.page
async def letter_approved(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    found = await _letter_or_404(request)
    service = request.app[SERVICE]
    now = service.now()
    async with service.db.transaction() as conn:
        if await letter_store.approve(conn, found.id):
            await audit.record(conn, now, _actor(viewer.id), "letter_approved", "letter", found.id)
            auth.flash(request, "The letter is checked and waiting to be printed.")
        else:
            auth.flash(request, f"That letter is {found.status}, not a draft.")
    return auth.redirect("/admin/letters")


# --- The activity report ----------------------------------------------------------------------


def _day(raw: str | None, default: date) -> date | None:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@routes.get("/admin/reports")
@auth.page
async def report(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    tz = service.team_timezone()
    today = service.now().astimezone(tz).date()
    first = _day(request.query.get("from"), today.replace(day=1))
    last = _day(request.query.get("to"), today)
    errors: dict[str, str] = {}
    if first is None:
        errors["from"] = "Enter the first day like 2026-04-01"
    if last is None:
        errors["to"] = "Enter the last day like 2026-04-30"
    if first and last and last < first:
        errors["to"] = "The last day must not be before the first day"
    if first and last and (last - first).days > MAX_REPORT_DAYS:
        errors["to"] = "A report covers at most two years"
    if errors or first is None or last is None:
        return auth.render(
            request,
            "console/admin_report.html",
            status=422,
            errors=errors,
            counts=None,
            form=dict(request.query),
            labels=LABELS,
        )
    start, end = period_bounds(first, last, tz)
    found = await report_store.activity(
        service.db, first, last, start, end, service.policies.engagement.time_limit_days
    )
    if request.query.get("format") == "csv":
        return web.Response(
            text=as_csv(found),
            content_type="text/csv",
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="activity-{first}-to-{last}.csv"'
            },
        )
    return auth.render(
        request,
        "console/admin_report.html",
        errors={},
        counts=found.counts(),
        labels=LABELS,
        form={"from": first.isoformat(), "to": last.isoformat()},
    )
