"""/api/v1 for the work around the texts: tasks, the professional network, letters after an
appointment and inviting the referrer."""

from __future__ import annotations

from aiohttp import web

from bot.core import access
from bot.core.model import Role
from bot.core.network import KIND_TITLES, Professional, ProfessionalKind
from bot.runtime import network, tasks
from bot.runtime.families import Conflict, NotFound
from bot.store import appointments as appointment_store
from bot.store import families
from bot.store import professionals as professional_store
from bot.store import tasks as task_store
from bot.store.db import ts
from bot.web.api import _id, api_caller, caller, family_for_caller
from bot.web.console import viewer_for
from bot.web.errors import ApiError, read_json
from bot.web.keys import SERVICE
from bot.web.validation import flag, text

routes = web.RouteTableDef()

PROFESSIONAL_FIELDS = {
    "kind",
    "name",
    "role",
    "organisation",
    "address",
    "phone",
    "secure_email",
    "consent_to_share",
}


def task_json(task: task_store.Task) -> dict:
    return {
        "id": task.id,
        "kind": task.kind.value,
        "family_id": task.family_id,
        "family_reference": task.family_reference,
        "parent_id": task.parent_id,
        "owner_id": task.owner_id,
        "reason": task.reason,
        "due_on": task.due_on.isoformat(),
        "status": task.status,
        "outcome": task.outcome,
        "counts_as_contact_attempt": task.counts_as_attempt,
        "done_at": ts(task.done_at) if task.done_at else None,
    }


def professional_json(p: Professional) -> dict:
    return {
        "id": p.id,
        "family_id": p.family_id,
        "kind": p.kind.value,
        "name": p.name,
        "role": p.role,
        "organisation": p.organisation,
        "address": p.address,
        "phone": p.phone,
        "secure_email": p.secure_email,
        "consent_to_share": p.consent_to_share,
        "consent_recorded_at": ts(p.consent_recorded_at) if p.consent_recorded_at else None,
        "consent_recorded_by": p.consent_recorded_by,
    }


async def _may_open(request: web.Request, family_id: int) -> None:
    """A token acting for a member of staff reaches only the families they may open today
    (an administrator's: the families' work, never messages); anything else is a 404."""
    who = await api_caller(request)
    if who.staff is None or who.staff.role is Role.ADMINISTRATOR:
        return
    service = request.app[SERVICE]
    family = await families.get(service.db, family_id)
    duty = (await viewer_for(service, who.staff)).duty
    if family is None or not access.may_open_family(duty, family.id, family.practitioner_id):
        raise ApiError(404, "not found", "id")


async def _appointment_family(request: web.Request) -> None:
    found = await appointment_store.get(request.app[SERVICE].db, _id(request))
    if found is None:
        raise ApiError(404, "no such appointment", "id")
    await _may_open(request, found.family_id)


def _conflict(exc: Conflict) -> ApiError:
    return ApiError(409, str(exc), exc.field)


@routes.get("/api/v1/tasks")
async def list_tasks(request: web.Request) -> web.Response:
    """Open tasks of one person (?owner_id=) or the administrator's (?audience=administrator)."""
    who = await api_caller(request)
    service = request.app[SERVICE]
    owner_raw = request.query.get("owner_id")
    owner: int | None = None
    if owner_raw is not None:
        if not owner_raw.isdigit():
            raise ApiError(400, "owner_id must be a whole number", "owner_id")
        owner = int(owner_raw)
    elif request.query.get("audience") != "administrator":
        raise ApiError(400, "give owner_id or audience=administrator", "owner_id")
    if who.staff is not None:  # a person's token: their own list, as their queue
        duty = (await viewer_for(service, who.staff)).duty
        if not access.may_see_queue(duty, practitioner_id=owner, audience="administrator"):
            raise ApiError(404, "no such task list", "owner_id")
    found = await task_store.open_for_owner(service.db, owner)
    return web.json_response({"tasks": [task_json(t) for t in found]})


@routes.get("/api/v1/families/{id}/tasks")
async def family_tasks(request: web.Request) -> web.Response:
    family = await family_for_caller(request, messages=False)
    assert family.id is not None
    found = await task_store.for_family(request.app[SERVICE].db, family.id)
    return web.json_response({"tasks": [task_json(t) for t in found]})


@routes.post("/api/v1/tasks/{id}/done")
async def task_done(request: web.Request) -> web.Response:
    """Log the outcome; `call_made: true` on a call counts as a contact attempt."""
    actor = await caller(request)
    data = await read_json(request)
    for key in data:
        if key not in ("outcome", "call_made"):
            raise ApiError(422, f"unknown field {key!r}", key)
    outcome = text(data, "outcome", required=True, max_len=1000)
    task = await task_store.get(request.app[SERVICE].db, _id(request))
    if task is None:
        raise ApiError(404, "no such task", "id")
    await _may_open(request, task.family_id)
    try:
        done = await tasks.complete_task(
            request.app[SERVICE],
            _id(request),
            outcome,
            actor,
            call_made=flag(data, "call_made", False),
        )
    except NotFound:
        raise ApiError(404, "no such task", "id") from None
    except Conflict as exc:
        raise _conflict(exc) from None
    return web.json_response(task_json(done))


def professional_from(data: dict, family_id: int) -> Professional:
    for key in data:
        if key not in PROFESSIONAL_FIELDS:
            raise ApiError(422, f"unknown field {key!r}", key)
    try:
        kind = ProfessionalKind(text(data, "kind", required=True))
    except ValueError:
        kinds = ", ".join(k.value for k in KIND_TITLES)
        raise ApiError(422, f"kind must be one of {kinds}", "kind") from None
    p = Professional(
        None,
        family_id,
        kind,
        name=text(data, "name"),
        role=text(data, "role"),
        organisation=text(data, "organisation"),
        address=text(data, "address", max_len=500),
        phone=text(data, "phone", max_len=40),
        secure_email=text(data, "secure_email"),
        consent_to_share=flag(data, "consent_to_share", False),
    )
    if not (p.name or p.organisation):
        raise ApiError(422, "give a name or an organisation", "name")
    if p.secure_email and "@" not in p.secure_email:
        raise ApiError(422, "secure_email must be an email address", "secure_email")
    return p


@routes.get("/api/v1/families/{id}/professionals")
async def list_professionals(request: web.Request) -> web.Response:
    family = await family_for_caller(request, messages=False)
    assert family.id is not None
    found = await professional_store.for_family(request.app[SERVICE].db, family.id)
    return web.json_response({"professionals": [professional_json(p) for p in found]})


@routes.post("/api/v1/families/{id}/professionals")
async def add_professional(request: web.Request) -> web.Response:
    actor = await caller(request)
    service = request.app[SERVICE]
    await family_for_caller(request, messages=False)
    professional = professional_from(await read_json(request), _id(request))
    try:
        new_id = await network.add_professional(service, professional, actor)
    except NotFound:
        raise ApiError(404, "no such family", "id") from None
    stored = await professional_store.get(service.db, new_id)
    assert stored is not None
    return web.json_response(professional_json(stored), status=201)


@routes.post("/api/v1/professionals/{id}/consent")
async def professional_consent(request: web.Request) -> web.Response:
    """The parents' consent to share with this professional (true or false), dated."""
    actor = await caller(request)
    service = request.app[SERVICE]
    data = await read_json(request)
    if "consent_to_share" not in data:
        raise ApiError(422, "consent_to_share is required", "consent_to_share")
    found = await professional_store.get(service.db, _id(request))
    if found is None:
        raise ApiError(404, "no such professional", "id")
    await _may_open(request, found.family_id)
    try:
        await network.record_consent(
            service, _id(request), flag(data, "consent_to_share", False), actor
        )
    except NotFound:
        raise ApiError(404, "no such professional", "id") from None
    stored = await professional_store.get(service.db, _id(request))
    assert stored is not None
    return web.json_response(professional_json(stored))


@routes.post("/api/v1/appointments/{id}/letters")
async def letters_after(request: web.Request) -> web.Response:
    """{"summary": ..., "professionals": [ids]}: one letter per recipient, waiting to print."""
    actor = await caller(request)
    data = await read_json(request)
    for key in data:
        if key not in ("summary", "professionals"):
            raise ApiError(422, f"unknown field {key!r}", key)
    summary = text(data, "summary", required=True, max_len=3000)
    ticked = data.get("professionals", [])
    if not isinstance(ticked, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ticked
    ):
        raise ApiError(422, "professionals must be a list of ids", "professionals")
    await _appointment_family(request)
    try:
        ids = await network.letters_after_appointment(
            request.app[SERVICE], _id(request), summary, ticked, actor
        )
    except NotFound:
        raise ApiError(404, "no such appointment", "id") from None
    except Conflict as exc:
        raise _conflict(exc) from None
    return web.json_response({"letters": ids}, status=201)


@routes.post("/api/v1/appointments/{id}/invite-referrer")
async def invite_referrer(request: web.Request) -> web.Response:
    actor = await caller(request)
    await _appointment_family(request)
    try:
        letter_id = await network.invite_referrer(request.app[SERVICE], _id(request), actor)
    except NotFound:
        raise ApiError(404, "no such appointment", "id") from None
    except Conflict as exc:
        raise _conflict(exc) from None
    return web.json_response({"letter": letter_id}, status=201)
