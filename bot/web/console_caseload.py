"""A practitioner's day: My families, My diary, tasks; and on a family's page its appointments,
letters, tasks and professionals, with letters after an appointment and consent to share."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from aiohttp import web

from bot.core.model import Role
from bot.core.network import Professional, ProfessionalKind
from bot.core.tasks import TASK_TITLES
from bot.runtime import network, tasks
from bot.runtime.families import Conflict, NotFound
from bot.runtime.service import Service
from bot.store import appointments as appointment_store
from bot.store import caseload
from bot.store import professionals as professional_store
from bot.store import tasks as task_store
from bot.web import auth
from bot.web.console import Viewer, signed_in_viewer, staff_by_id
from bot.web.console_family import visible_family
from bot.web.keys import SERVICE

routes = web.RouteTableDef()

FILTER_LABELS = {
    "": "All",
    "waiting": "Waiting for their reply",
    "this_week": "Appointment this week",
    "escalation": "Escalation open",
}
DIARY_DAYS = 14


def _actor(viewer: Viewer) -> str:
    return f"staff:{viewer.id}"


async def _held(service: Service, viewer: Viewer) -> list[int]:
    return viewer.practitioners_held(list(await staff_by_id(service)))


def _start_of_day(service: Service, now: datetime) -> datetime:
    tz = service.team_timezone()
    return datetime.combine(now.astimezone(tz).date(), time(0), tzinfo=tz)


# --- My families and My diary -----------------------------------------------------------------


@routes.get("/my/families")
@auth.page
async def my_families(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    service = request.app[SERVICE]
    now = service.now()
    search = request.query.get("q", "")[:100]
    only = request.query.get("only", "")
    if only not in FILTER_LABELS:
        only = ""
    start = _start_of_day(service, now)
    week_end = start + timedelta(days=7 - start.weekday())
    rows = await caseload.families_of(
        service.db, await _held(service, viewer), now, week_end, search=search, only=only
    )
    return auth.render(
        request,
        "console/my_families.html",
        rows=rows,
        search=search,
        only=only,
        filters=FILTER_LABELS,
        tz=service.team_timezone(),
    )


@routes.get("/my/diary")
@auth.page
async def my_diary(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    service = request.app[SERVICE]
    tz = service.team_timezone()
    start = _start_of_day(service, service.now())
    entries = await caseload.diary(
        service.db, await _held(service, viewer), start, start + timedelta(days=DIARY_DAYS)
    )
    days: dict[Any, list[caseload.DiaryEntry]] = {}
    for entry in entries:
        days.setdefault(entry.starts_at.astimezone(tz).date(), []).append(entry)
    return auth.render(request, "console/my_diary.html", days=days, tz=tz, diary_days=DIARY_DAYS)


# --- Tasks ------------------------------------------------------------------------------------


@routes.get("/tasks")
@auth.page
async def task_list(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    if viewer.staff.role is Role.ADMINISTRATOR:
        found = await task_store.open_for_owner(service.db, None)
    else:
        found = []
        for owner in await _held(service, viewer):
            found += await task_store.open_for_owner(service.db, owner)
        found.sort(key=lambda t: (t.due_on, t.id))
    return auth.render(
        request,
        "console/tasks.html",
        found=found,
        titles=TASK_TITLES,
        today=viewer.today,
        administrator=viewer.staff.role is Role.ADMINISTRATOR,
    )


async def _may_do(service: Service, viewer: Viewer, task: task_store.Task) -> bool:
    if task.owner_id is None:
        return viewer.staff.role is Role.ADMINISTRATOR
    return viewer.holds(task.owner_id)


@routes.post("/tasks/{id:\\d+}/done")
@auth.page
async def task_done(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    task = await task_store.get(service.db, int(request.match_info["id"]))
    if task is None or not await _may_do(service, viewer, task):
        auth.not_found(request)
    form = await request.post()
    back = str(form.get("next", "/tasks"))
    if not back.startswith("/") or back.startswith("//"):
        back = "/tasks"
    outcome = str(form.get("outcome", "")).strip()[:1000]
    try:
        await tasks.complete_task(
            service, task.id, outcome, _actor(viewer), call_made=form.get("call_made") == "yes"
        )
        auth.flash(request, f"{TASK_TITLES[task.kind]} ({task.family_reference}): done.")
    except (Conflict, NotFound) as exc:
        auth.flash(request, f"Not saved: {exc}.")
    return auth.redirect(back)


# --- On a family's page -----------------------------------------------------------------------


@routes.post("/families/{id:\\d+}/professionals")
@auth.page
async def add_professional(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    family = await visible_family(request, viewer)
    assert family.id is not None
    form = await request.post()

    def field(name: str, limit: int = 200) -> str:
        return str(form.get(f"pro_{name}", "")).strip()[:limit]

    try:
        kind = ProfessionalKind(field("kind"))
    except ValueError:
        kind = ProfessionalKind.OTHER
    professional = Professional(
        None,
        family.id,
        kind,
        name=field("name"),
        role=field("role"),
        organisation=field("organisation"),
        address=field("address", 500),
        phone=field("phone", 40),
        secure_email=field("secure_email"),
        consent_to_share=form.get("pro_consent_to_share") == "yes",
    )
    if not (professional.name or professional.organisation):
        auth.flash(request, "Not added: give the professional's name or organisation.")
    else:
        await network.add_professional(request.app[SERVICE], professional, _actor(viewer))
        auth.flash(request, f"{professional.display} added.")
    return auth.redirect(f"/families/{family.id}#professionals")


@routes.post("/families/{id:\\d+}/professionals/{pid:\\d+}/consent")
@auth.page
async def consent(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    family = await visible_family(request, viewer)
    service = request.app[SERVICE]
    found = await professional_store.get(service.db, int(request.match_info["pid"]))
    if found is None or found.family_id != family.id:
        auth.not_found(request)
    form = await request.post()
    given = form.get("consent_to_share") == "yes"
    await network.record_consent(service, found.id or 0, given, _actor(viewer))
    auth.flash(
        request,
        f"Consent to share with {found.display} {'recorded' if given else 'withdrawn'}.",
    )
    return auth.redirect(f"/families/{family.id}#professionals")


@routes.post("/families/{id:\\d+}/appointments/{aid:\\d+}/letters")
@auth.page
async def letters_after(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    family = await visible_family(request, viewer)
    service = request.app[SERVICE]
    appointment = await appointment_store.get(service.db, int(request.match_info["aid"]))
    if appointment is None or appointment.family_id != family.id:
        auth.not_found(request)
    form = await request.post()
    ticked = [int(v) for v in form.getall("professional", []) if str(v).isdigit()]
    try:
        made = await network.letters_after_appointment(
            service, appointment.id, str(form.get("summary", "")), ticked, _actor(viewer)
        )
        auth.flash(
            request, f"{len(made)} letters written: the administrator prints and posts them."
        )
    except (Conflict, NotFound) as exc:
        auth.flash(request, f"No letters written: {exc}.")
    return auth.redirect(f"/families/{family.id}#appointments")


@routes.post("/families/{id:\\d+}/appointments/{aid:\\d+}/invite-referrer")
@auth.page
async def invite(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    family = await visible_family(request, viewer)
    service = request.app[SERVICE]
    appointment = await appointment_store.get(service.db, int(request.match_info["aid"]))
    if appointment is None or appointment.family_id != family.id:
        auth.not_found(request)
    try:
        await network.invite_referrer(service, appointment.id, _actor(viewer))
        auth.flash(request, f"A letter inviting {family.referrer.name} is waiting to be posted.")
    except (Conflict, NotFound) as exc:
        auth.flash(request, f"Not invited: {exc}.")
    return auth.redirect(f"/families/{family.id}#appointments")


# --- Unknown numbers in the unassigned queue --------------------------------------------------


async def _unmatched_item(request: web.Request) -> tuple[Any, str]:
    from bot.store import inbound, queue

    service = request.app[SERVICE]
    item = await queue.get(service.db, int(request.match_info["id"]))
    if item is None or item.inbound_id is None or item.family_id is not None:
        auth.not_found(request)
    stored = await inbound.get(service.db, item.inbound_id)
    if stored is None:
        auth.not_found(request)
    return item, stored.message.sender


async def _link_page(
    request: web.Request, errors: dict[str, str] | None = None, status: int = 200
) -> web.Response:
    from bot.store import families

    service = request.app[SERVICE]
    item, sender = await _unmatched_item(request)
    choices = [
        (p.id, f"{f.reference}: {p.name} ({p.relationship})")
        for f in await families.list_families(service.db)
        if f.status == "open"
        for p in f.parents
        if not p.do_not_contact
    ]
    return auth.render(
        request,
        "console/admin_link_number.html",
        status=status,
        item=item,
        sender=sender,
        choices=choices,
        errors=errors or {},
        tz=service.team_timezone(),
    )


@routes.get("/admin/queue/items/{id:\\d+}/link")
@auth.page
async def link_form(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    return await _link_page(request)


@routes.post("/admin/queue/items/{id:\\d+}/link")
@auth.page
async def link_number(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    item, _ = await _unmatched_item(request)
    form = await request.post()
    raw = str(form.get("parent_id", ""))
    if not raw.isdigit():
        return await _link_page(request, {"parent_id": "Select the parent who wrote"}, 422)
    try:
        parent = await tasks.link_unmatched_number(
            request.app[SERVICE], item.id, int(raw), _actor(viewer)
        )
    except (Conflict, NotFound) as exc:
        return await _link_page(request, {"parent_id": f"{str(exc).capitalize()}"}, 409)
    auth.flash(
        request, f"The number is now {parent.name}'s; the message waits for their practitioner."
    )
    return auth.redirect("/admin/queue")


@routes.post("/families/{id:\\d+}/birth")
@auth.page
async def record_birth(request: web.Request) -> web.StreamResponse:
    """From the due-date task: the birth and the baby's name recorded, the task done."""
    from bot.core.tasks import TaskKind
    from bot.store import audit
    from bot.web.console import nhs_dates

    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    family = await visible_family(request, viewer)
    assert family.id is not None
    service = request.app[SERVICE]
    form, errors = nhs_dates(await request.post(), "birth_date")
    born = form.get("birth_date", "")
    name = str(form.get("baby_name", "")).strip()[:100]
    now = service.now()
    if errors or not born:
        auth.flash(request, f"Not recorded: {errors.get('birth_date', 'enter the date of birth')}.")
    elif born > now.astimezone(service.team_timezone()).date().isoformat():
        auth.flash(request, "Not recorded: the date of birth cannot be in the future.")
    else:
        async with service.db.transaction() as conn:
            await caseload.record_birth(conn, family.id, name, born)
            await task_store.close_kind(
                conn, family.id, TaskKind.CHECK_DUE_DATE, "birth recorded", _actor(viewer), now
            )
            await audit.record(conn, now, _actor(viewer), "birth_recorded", "family", family.id)
        auth.flash(request, "Birth recorded.")
    return auth.redirect(f"/families/{family.id}#tasks")
