"""/api/v1 for appointments, letters, closure and the activity report (bearer token)."""

from __future__ import annotations

import html
from datetime import date, datetime, time, timedelta
from typing import Any

from aiohttp import web

from bot.core.appointments import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    Place,
    SchoolRun,
    place_words,
)
from bot.core.reports import as_csv, period_bounds
from bot.runtime import appointments as runtime
from bot.runtime.engagement import close_family
from bot.runtime.families import Conflict, NotFound
from bot.store import appointments as store
from bot.store import audit
from bot.store import letters as letter_store
from bot.store import reports as report_store
from bot.store.db import ts
from bot.store.letters import Letter
from bot.web.api import audit_api_read, caller
from bot.web.errors import ApiError, id_in_path, read_json
from bot.web.keys import SERVICE
from bot.web.validation import flag, text, whole_number

routes = web.RouteTableDef()

BOOKING_FIELDS = {
    "starts_at",
    "duration_minutes",
    "kind",
    "place",
    "address",
    "expected_parent_ids",
    "practitioner_id",
}
MAX_DURATION_MINUTES = 8 * 60
MAX_REPORT_DAYS = 731


def _service(request: web.Request):  # noqa: ANN202 - the running Service
    return request.app[SERVICE]


def _id(request: web.Request) -> int:
    found = id_in_path(request)
    if found is None:
        raise ApiError(404, "not found", "id")
    return found


def _unknown(data: dict, allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise ApiError(422, f"unknown field {key!r}", key)


def _errors(exc: Exception) -> ApiError:
    """The runtime's refusals as JSON errors naming the field."""
    if isinstance(exc, NotFound):
        field = str(exc)
        return ApiError(404, "not found" if field == "id" else f"no such {field}", field)
    if isinstance(exc, Conflict):
        return ApiError(409, str(exc), exc.field)
    if isinstance(exc, runtime.Invalid):
        return ApiError(422, str(exc), exc.field)
    raise exc


# --- Reading the JSON -------------------------------------------------------------------------


def _instant(data: dict, key: str, tz) -> datetime | None:  # noqa: ANN001
    raw = data.get(key)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ApiError(422, f"{key} must be a date and time like 2026-12-01T10:30", key)
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(422, f"{key} must be a date and time like 2026-12-01T10:30", key) from None
    # A time without an offset is the team's own local time, as staff think of it.
    return value if value.tzinfo else value.replace(tzinfo=tz)


def _choice(data: dict, key: str, kind: type, default: Any = None) -> Any:
    raw = data.get(key)
    if raw is None:
        return default
    try:
        return kind(raw)
    except ValueError:
        choices = ", ".join(k.value for k in kind)
        raise ApiError(422, f"{key} must be one of {choices}", key) from None


def _duration(data: dict) -> timedelta | None:
    minutes = whole_number(data, "duration_minutes")
    if minutes is None:
        return None
    if not 5 <= minutes <= MAX_DURATION_MINUTES:
        raise ApiError(
            422, f"duration_minutes must be from 5 to {MAX_DURATION_MINUTES}", "duration_minutes"
        )
    return timedelta(minutes=minutes)


def _parent_ids(data: dict) -> tuple[int, ...] | None:
    raw = data.get("expected_parent_ids")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in raw
    ):
        field = "expected_parent_ids"
        raise ApiError(422, f"{field} must be a list of parent ids", field)
    return tuple(dict.fromkeys(raw))


def _clock(data: dict, key: str) -> time | None:
    raw = data.get(key)
    if raw is None or raw == "":
        return None
    try:
        if not isinstance(raw, str) or len(raw) != 5:
            raise ValueError
        return time.fromisoformat(raw)
    except ValueError:
        raise ApiError(422, f"{key} must be a time like 08:45", key) from None


# --- Writing the JSON -------------------------------------------------------------------------


def appointment_json(appointment: Appointment, tz, reminders=()) -> dict:  # noqa: ANN001
    return {
        "id": appointment.id,
        "family_id": appointment.family_id,
        "practitioner_id": appointment.practitioner_id,
        "kind": appointment.kind.value,
        "starts_at": ts(appointment.starts_at),
        "local_time": appointment.starts_at.astimezone(tz).isoformat(timespec="minutes"),
        "duration_minutes": int(appointment.duration.total_seconds() // 60),
        "place": appointment.place.value,
        "address": appointment.address,
        "where": place_words(appointment.place, appointment.address, "en_GB"),
        "expected_parent_ids": list(appointment.expected),
        "status": appointment.status.value,
        "cancelled_by": appointment.cancelled_by.value if appointment.cancelled_by else None,
        "cancel_reason": appointment.cancel_reason,
        "version": appointment.version,
        "answers": [
            {"parent_id": p, "answer": a.value} for p, a in sorted(appointment.answers.items())
        ],
        "confirmed_by": list(appointment.confirmed_by),
        "reminders": [
            {"offset_days": r.offset_days, "due_at": ts(r.due_at), "status": r.status}
            for r in reminders
            if r.version == appointment.version
        ],
    }


def _booking_json(result: runtime.BookingResult, tz) -> dict:  # noqa: ANN001
    return {
        **appointment_json(result.appointment, tz),
        "texts": {
            "queued": len(result.queued),
            "not_sent": [{"parent_id": p, "reason": r} for p, r in result.not_sent],
        },
        "letters": result.letters,
        "warnings": result.warnings,
        "suggested_times": [t.isoformat(timespec="minutes") for t in result.suggested_times],
    }


def letter_json(letter: Letter) -> dict:
    return {
        "id": letter.id,
        "kind": letter.kind,
        "family_id": letter.family_id,
        "family_reference": letter.family_reference,
        "appointment_id": letter.appointment_id,
        "locale": letter.locale,
        "addressed_to": letter.addressed_to,
        "status": letter.status,
        "created_at": ts(letter.created_at),
        "sent_at": ts(letter.sent_at) if letter.sent_at else None,
        "body": letter.body,
    }


_RIGHT_TO_LEFT = frozenset({"ur", "ar"})
_PRINT_CSS = """
@page { size: A4; margin: 25mm 20mm 20mm 25mm; }
* { box-sizing: border-box; }
body { margin: 0; background: #e8edee; color: #000;
       font-family: Arial, "Noto Sans", "Noto Nastaliq Urdu", sans-serif; }
.sheet { width: 210mm; min-height: 297mm; margin: 12px auto; padding: 25mm 20mm 20mm 25mm;
         background: #fff; box-shadow: 0 1px 4px rgba(0,0,0,.3); }
.letter p { margin: 0 0 1em; white-space: pre-line; font-size: 12pt; line-height: 1.5; }
.letter.easy p { font-size: 14pt; line-height: 1.6; }
.toolbar { max-width: 210mm; margin: 12px auto 0; font: 14px Arial, sans-serif; }
@media print {
  body { background: #fff; }
  .sheet { width: auto; min-height: 0; margin: 0; padding: 0; box-shadow: none; }
  .toolbar { display: none; }
  .letter p { break-inside: avoid; }
}
"""


def letter_page(letter: Letter) -> str:
    """The letter as a printable A4 page: the body only, nothing of Cradle on paper."""
    lang = letter.locale.replace("_", "-")
    direction = "rtl" if letter.locale.split("_")[0] in _RIGHT_TO_LEFT else "ltr"
    paragraphs = "\n".join(
        f"<p>{html.escape(block.strip())}</p>"
        for block in letter.body.replace("\r\n", "\n").split("\n\n")
        if block.strip()
    )
    easy = " easy" if letter.kind == "appointment" else ""
    title = f"Letter {letter.id}, {letter.family_reference}"
    status = {"draft": "Draft: check before printing", "waiting": "Waiting to be printed"}.get(
        letter.status, letter.status.capitalize()
    )
    return (
        f'<!doctype html>\n<html lang="{lang}" dir="{direction}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_PRINT_CSS}</style>\n</head>\n<body>\n"
        f'<div class="toolbar" dir="ltr">{html.escape(title)} · {html.escape(status)} · '
        f"to {html.escape(letter.addressed_to)} · "
        '<button type="button" onclick="window.print()">Print</button></div>\n'
        f'<div class="sheet"><main class="letter{easy}">\n{paragraphs}\n</main></div>\n'
        "</body>\n</html>\n"
    )


# --- Appointments -----------------------------------------------------------------------------


@routes.post("/api/v1/families/{id}/appointments")
async def book(request: web.Request) -> web.Response:
    actor = await caller(request)
    service = _service(request)
    data = await read_json(request)
    _unknown(data, BOOKING_FIELDS)
    tz = service.team_timezone()
    starts_at = _instant(data, "starts_at", tz)
    if starts_at is None:
        raise ApiError(422, "starts_at is required", "starts_at")
    place = _choice(data, "place", Place)
    if place is None:
        raise ApiError(422, "place is required: home, clinic, video or phone", "place")
    try:
        result = await runtime.book(
            service,
            _id(request),
            kind=_choice(data, "kind", AppointmentKind, AppointmentKind.SESSION),
            starts_at=starts_at,
            duration=_duration(data) or timedelta(minutes=60),
            place=place,
            address=text(data, "address", max_len=300),
            expected=_parent_ids(data),
            practitioner_id=whole_number(data, "practitioner_id"),
            actor=actor,
        )
    except (NotFound, Conflict, runtime.Invalid) as exc:
        raise _errors(exc) from None
    return web.json_response(_booking_json(result, tz), status=201)


@routes.get("/api/v1/families/{id}/appointments")
async def family_appointments(request: web.Request) -> web.Response:
    await caller(request)
    service = _service(request)
    family_id = _id(request)
    if await store.family_status(service.db, family_id) is None:
        raise ApiError(404, "no such family", "id")
    tz = service.team_timezone()
    found = await store.for_family(service.db, family_id)
    await audit_api_read(request, "appointments_viewed", "family", family_id)
    return web.json_response(
        {
            "family_id": family_id,
            "appointments": [
                appointment_json(a, tz, await store.reminders_for(service.db, a.id)) for a in found
            ],
        }
    )


@routes.get("/api/v1/appointments/{id}")
async def get_appointment(request: web.Request) -> web.Response:
    await caller(request)
    service = _service(request)
    appointment = await store.get(service.db, _id(request))
    if appointment is None:
        raise ApiError(404, "no such appointment", "id")
    reminders = await store.reminders_for(service.db, appointment.id)
    await audit_api_read(request, "appointment_viewed", "appointment", appointment.id)
    return web.json_response(appointment_json(appointment, service.team_timezone(), reminders))


@routes.post("/api/v1/appointments/{id}/cancel")
async def cancel(request: web.Request) -> web.Response:
    actor = await caller(request)
    service = _service(request)
    data = await read_json(request)
    _unknown(data, {"reason"})
    reason = text(data, "reason", required=True, max_len=300)
    try:
        result = await runtime.cancel_by_team(service, _id(request), reason, actor)
    except (NotFound, Conflict) as exc:
        raise _errors(exc) from None
    return web.json_response(
        {
            **appointment_json(result.appointment, service.team_timezone()),
            "texts": {
                "queued": len(result.told),
                "not_sent": [{"parent_id": p, "reason": r} for p, r in result.not_told],
            },
        }
    )


@routes.post("/api/v1/appointments/{id}/change")
async def change(request: web.Request) -> web.Response:
    actor = await caller(request)
    service = _service(request)
    data = await read_json(request)
    _unknown(data, BOOKING_FIELDS)
    if not data:
        raise ApiError(422, "say what to change, e.g. starts_at", "body")
    tz = service.team_timezone()
    address = data.get("address")
    changes = runtime.Changes(
        starts_at=_instant(data, "starts_at", tz),
        duration=_duration(data),
        kind=_choice(data, "kind", AppointmentKind),
        place=_choice(data, "place", Place),
        address=text(data, "address", max_len=300) if address is not None else None,
        expected=_parent_ids(data),
        practitioner_id=whole_number(data, "practitioner_id"),
    )
    try:
        result = await runtime.change(service, _id(request), changes, actor)
    except (NotFound, Conflict, runtime.Invalid) as exc:
        raise _errors(exc) from None
    return web.json_response(_booking_json(result, tz))


@routes.post("/api/v1/appointments/{id}/outcome")
async def outcome(request: web.Request) -> web.Response:
    actor = await caller(request)
    service = _service(request)
    data = await read_json(request)
    _unknown(data, {"outcome"})
    chosen = _choice(data, "outcome", AppointmentStatus)
    if chosen not in (AppointmentStatus.ATTENDED, AppointmentStatus.DID_NOT_ATTEND):
        raise ApiError(422, "outcome must be attended or did_not_attend", "outcome")
    try:
        appointment = await runtime.record_outcome(service, _id(request), chosen, actor)
    except (NotFound, Conflict) as exc:
        raise _errors(exc) from None
    return web.json_response(appointment_json(appointment, service.team_timezone()))


@routes.put("/api/v1/families/{id}/school-run")
async def school_run(request: web.Request) -> web.Response:
    actor = await caller(request)
    service = _service(request)
    data = await read_json(request)
    _unknown(data, {"drop_off", "pick_up"})
    run = SchoolRun(_clock(data, "drop_off"), _clock(data, "pick_up"))
    try:
        await runtime.set_school_run(service, _id(request), run, actor)
    except NotFound as exc:
        raise _errors(exc) from None
    return web.json_response(
        {
            "drop_off": run.drop_off.strftime("%H:%M") if run.drop_off else None,
            "pick_up": run.pick_up.strftime("%H:%M") if run.pick_up else None,
        }
    )


@routes.get("/api/v1/families/{id}/suggested-times")
async def suggested_times(request: web.Request) -> web.Response:
    await caller(request)
    service = _service(request)
    tz = service.team_timezone()
    query = dict(request.query)
    after = _instant(query, "from", tz) or service.now()
    minutes = query.get("duration_minutes", "60")
    if not minutes.isdigit():
        raise ApiError(422, "duration_minutes must be a whole number", "duration_minutes")
    duration = _duration({"duration_minutes": int(minutes)}) or timedelta(minutes=60)
    try:
        times = await runtime.suggestions(service, _id(request), after, duration)
    except NotFound as exc:
        raise _errors(exc) from None
    return web.json_response({"times": [t.isoformat(timespec="minutes") for t in times]})


# --- Letters ----------------------------------------------------------------------------------


@routes.get("/api/v1/letters")
async def list_letters(request: web.Request) -> web.Response:
    await caller(request)
    status = request.query.get("status")
    if status is not None and status not in letter_store.STATUSES:
        raise ApiError(400, f"status must be one of {', '.join(letter_store.STATUSES)}", "status")
    found = await letter_store.listing(_service(request).db, status)
    await audit_api_read(request, "letters_listed", "letter", None, count=len(found))
    return web.json_response({"letters": [letter_json(letter) for letter in found]})


async def _letter(request: web.Request) -> Letter:
    letter = await letter_store.get(_service(request).db, _id(request))
    if letter is None:
        raise ApiError(404, "no such letter", "id")
    return letter


@routes.get("/api/v1/letters/{id}")
async def get_letter(request: web.Request) -> web.Response:
    """The printable page; JSON for a client that asks only for JSON."""
    actor = await caller(request)
    service = _service(request)
    letter = await _letter(request)
    async with service.db.transaction() as conn:
        await audit.record(conn, service.now(), actor, "letter_viewed", "letter", letter.id)
    accept = request.headers.get("Accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return web.json_response(letter_json(letter))
    return web.Response(text=letter_page(letter), content_type="text/html", charset="utf-8")


@routes.post("/api/v1/letters/{id}/sent")
async def letter_sent(request: web.Request) -> web.Response:
    actor = await caller(request)
    service = _service(request)
    letter = await _letter(request)
    now = service.now()
    async with service.db.transaction() as conn:
        if not await letter_store.mark_sent(conn, letter.id, actor, now):
            raise ApiError(409, f"the letter is {letter.status}, not waiting to be sent", "id")
        await audit.record(conn, now, actor, "letter_sent", "letter", letter.id)
    updated = await letter_store.get(service.db, letter.id)
    assert updated is not None
    return web.json_response(letter_json(updated))


@routes.post("/api/v1/letters/{id}/approve")
async def letter_approved(request: web.Request) -> web.Response:
    """A practitioner has checked a draft (a refer-back letter): it joins those to print."""
    actor = await caller(request)
    service = _service(request)
    letter = await _letter(request)
    now = service.now()
    async with service.db.transaction() as conn:
        if not await letter_store.approve(conn, letter.id):
            raise ApiError(409, f"the letter is {letter.status}, not a draft", "id")
        await audit.record(conn, now, actor, "letter_approved", "letter", letter.id)
    updated = await letter_store.get(service.db, letter.id)
    assert updated is not None
    return web.json_response(letter_json(updated))


# --- Closing a family, and the activity report --------------------------------------------------


@routes.post("/api/v1/families/{id}/close")
async def close(request: web.Request) -> web.Response:
    actor = await caller(request)
    service = _service(request)
    data = await read_json(request) if request.can_read_body else {}
    _unknown(data, {"follow_up"})
    follow_up = flag(data, "follow_up", True)
    family_id = _id(request)
    try:
        await close_family(service, family_id, actor, follow_up=follow_up)
    except (NotFound, Conflict) as exc:
        raise _errors(exc) from None
    dates = await store.family_dates(service.db, family_id)
    closed_at = dates.get("closed_at")
    return web.json_response(
        {
            "id": family_id,
            "status": "closed",
            "closed_at": ts(closed_at) if closed_at else None,
            "follow_up": follow_up and service.policies.engagement.six_month_follow_up,
        }
    )


def _day(request: web.Request, key: str, default: date) -> date:
    raw = request.query.get(key)
    if raw is None or raw == "":
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, f"{key} must be a date like 2026-04-01", key) from None


@routes.get("/api/v1/reports/activity")
async def activity(request: web.Request) -> web.Response:
    """Counts for commissioners between two days (both included, team time); CSV on request."""
    await caller(request)
    service = _service(request)
    tz = service.team_timezone()
    today = service.now().astimezone(tz).date()
    first = _day(request, "from", today.replace(day=1))
    last = _day(request, "to", today)
    if last < first:
        raise ApiError(400, "to must not be before from", "to")
    if (last - first).days > MAX_REPORT_DAYS:
        raise ApiError(400, f"a report covers at most {MAX_REPORT_DAYS} days", "to")
    report_format = request.query.get("format", "json")
    if report_format not in ("json", "csv"):
        raise ApiError(400, "format must be json or csv", "format")
    start, end = period_bounds(first, last, tz)
    report = await report_store.activity(
        service.db, first, last, start, end, service.policies.engagement.time_limit_days
    )
    if report_format == "csv":
        return web.Response(
            text=as_csv(report),
            content_type="text/csv",
            charset="utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="activity-{first}-to-{last}.csv"'
            },
        )
    return web.json_response(
        {"from": first.isoformat(), "to": last.isoformat(), "counts": report.counts()}
    )
