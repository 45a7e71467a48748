"""/api/v1: the JSON API for the team's own systems (bearer token)."""

from __future__ import annotations

import hmac
from dataclasses import asdict, dataclass
from datetime import timedelta

from aiohttp import web

from bot.core import access
from bot.core.model import Family, Role, Staff
from bot.runtime import escalations as escalation_runtime
from bot.runtime.families import Conflict, NotFound, allocate, create_family
from bot.runtime.service import Service
from bot.store import (
    audit,
    escalations,
    families,
    inbound,
    outbox,
    queue,
    tokens,
)
from bot.store import (
    staff as staff_store,
)
from bot.store.db import ts
from bot.web.console import viewer_for
from bot.web.errors import LARGEST_ID, ApiError, id_in_path, read_json
from bot.web.keys import SERVICE
from bot.web.validation import family_from, practitioner_from, whole_number

routes = web.RouteTableDef()


@dataclass(frozen=True)
class Caller:
    """Who is calling: a team system's token, or a token that acts for one member of staff."""

    actor: str
    staff: Staff | None = None


_CALLER = web.RequestKey("cradle_api_caller", Caller)
_TOUCH_EVERY = timedelta(minutes=1)


async def api_caller(request: web.Request) -> Caller:
    """The caller, or a 401 JSON error (revoked, expired and unknown tokens alike)."""
    if _CALLER in request:
        return request[_CALLER]
    service = request.app[SERVICE]
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise ApiError(401, "a bearer token is required", "Authorization")
    token = header.removeprefix("Bearer ").strip()
    configured = service.settings.api_token
    if configured and hmac.compare_digest(token.encode(), configured.encode()):
        found = Caller("api:configured-token")
    else:
        now = service.now()
        row = await tokens.find(service.db, token, now)
        if row is None:
            raise ApiError(401, "the bearer token is not valid", "Authorization")
        member = await staff_store.get(service.db, row.staff_id) if row.staff_id else None
        if row.staff_id is not None and (member is None or not member.active):
            raise ApiError(401, "the bearer token is not valid", "Authorization")
        if row.last_used_at is None or now - row.last_used_at >= _TOUCH_EVERY:
            async with service.db.transaction() as conn:
                await tokens.mark_used(conn, row.id, now)
        found = Caller(f"api:{row.name}", member)
    request[_CALLER] = found
    return found


async def caller(request: web.Request) -> str:
    """The caller's name for the audit log, or a 401 JSON error."""
    return (await api_caller(request)).actor


def _id(request: web.Request, name: str = "id") -> int:
    found = id_in_path(request, name)
    if found is None:
        raise ApiError(404, "not found", name)
    return found


def staff_json(member: Staff) -> dict:
    return {
        "id": member.id,
        "name": member.name,
        "role": member.role.value,
        "email": member.email,
        "active": member.active,
    }


def family_json(family: Family) -> dict:
    return {
        "id": family.id,
        "reference": family.reference,
        "baby": family.baby_display_name,
        "due_date": family.due_date.isoformat() if family.due_date else None,
        "birth_date": family.birth_date.isoformat() if family.birth_date else None,
        "practitioner_id": family.practitioner_id,
        "status": family.status,
        "self_referral": family.self_referral,
        "referrer": asdict(family.referrer),
        "parents": [
            {
                "id": p.id,
                "name": p.name,
                "relationship": p.relationship,
                "mobile": p.mobile,
                "language": p.language,
                "channel": p.channel.value,
                "wants_letters": p.wants_letters,
                "prefers_phone_call": p.prefers_phone_call,
                "consent_to_text": p.consent_to_text,
                "do_not_contact": p.do_not_contact,
                "opted_out": p.opted_out,
                "telegram_linked": p.telegram_chat_id is not None,
            }
            for p in family.parents
        ],
    }


@routes.post("/api/v1/practitioners")
async def add_practitioner(request: web.Request) -> web.Response:
    actor = await caller(request)
    service = request.app[SERVICE]
    name, role, email, mobile = practitioner_from(await read_json(request))
    now = service.now()
    async with service.db.transaction() as conn:
        if email and await staff_store.email_taken(conn, email):
            raise ApiError(409, "a member of staff with that email already exists", "email")
        staff_id = await staff_store.add(conn, Staff(None, name, role, email, mobile), now)
        await audit.record(conn, now, actor, "staff_added", "staff", staff_id, role=role.value)
    member = await staff_store.get(service.db, staff_id)
    assert member is not None
    return web.json_response(staff_json(member), status=201)


@routes.post("/api/v1/families")
async def add_family(request: web.Request) -> web.Response:
    actor = await caller(request)
    service = request.app[SERVICE]
    family, practitioner_id = family_from(await read_json(request))
    if practitioner_id is not None and await staff_store.get(service.db, practitioner_id) is None:
        raise ApiError(422, "no such practitioner", "practitioner_id")
    try:
        family_id = await create_family(service, family, actor)
    except Conflict as exc:
        raise ApiError(409, str(exc), exc.field) from None
    body: dict = {}
    if practitioner_id is not None:
        body["first_contact"] = await _allocate(service, family_id, practitioner_id, actor)
    stored = await families.get(service.db, family_id)
    assert stored is not None
    return web.json_response({**family_json(stored), **body}, status=201)


async def _allocate(service: Service, family_id: int, practitioner_id: int, actor: str) -> dict:
    try:
        result = await allocate(service, family_id, practitioner_id, actor)
    except NotFound as exc:
        raise ApiError(
            422 if str(exc) == "practitioner_id" else 404, f"no such {exc}", str(exc)
        ) from None
    except Conflict as exc:
        raise ApiError(422, str(exc), exc.field) from None
    return {
        "queued": len(result.queued),
        "not_sent": [{"parent_id": p.id, "reason": reason} for p, reason in result.skipped],
    }


@routes.post("/api/v1/families/{id}/allocate")
async def allocate_family(request: web.Request) -> web.Response:
    actor = await caller(request)
    service = request.app[SERVICE]
    family_id = _id(request)
    data = await read_json(request)
    practitioner_id = whole_number(data, "practitioner_id", required=True)
    assert practitioner_id is not None
    if await families.get(service.db, family_id) is None:
        raise ApiError(404, "no such family", "id")
    return web.json_response(
        {"first_contact": await _allocate(service, family_id, practitioner_id, actor)}
    )


async def family_for_caller(request: web.Request, *, messages: bool) -> Family:
    """The family in the path, if this caller may see it: a token acting for a member of staff
    sees what they may open today (bot/core/access); an administrator's token sees a family's
    details but never its messages. Anything else is the same 404 as a family that does not
    exist."""
    who = await api_caller(request)
    service = request.app[SERVICE]
    family = await families.get(service.db, _id(request))
    if family is None:
        raise ApiError(404, "no such family", "id")
    if who.staff is not None and (messages or who.staff.role is not Role.ADMINISTRATOR):
        duty = (await viewer_for(service, who.staff)).duty
        if not access.may_open_family(duty, family.id, family.practitioner_id):
            raise ApiError(404, "no such family", "id")
    return family


@routes.get("/api/v1/families/{id}")
async def get_family(request: web.Request) -> web.Response:
    family = await family_for_caller(request, messages=False)
    service = request.app[SERVICE]
    async with service.db.transaction() as conn:
        await audit.record(
            conn, service.now(), await caller(request), "family_viewed", "family", family.id
        )
    return web.json_response(family_json(family))


@routes.get("/api/v1/families/{id}/messages")
async def family_messages(request: web.Request) -> web.Response:
    actor = await caller(request)
    service = request.app[SERVICE]
    family = await family_for_caller(request, messages=True)
    assert family.id is not None
    family_id = family.id
    items = [
        {
            "direction": "in",
            "id": m.id,
            "parent_id": m.parent_id,
            "channel": m.message.channel.value,
            "body": m.message.body,
            "at": ts(m.message.received_at),
            "risk": m.risk,
            "intent": m.intent,
            "out_of_hours": m.out_of_hours,
            "media": list(m.message.media),
        }
        for m in await inbound.for_family(service.db, family_id)
    ] + [
        {
            "direction": "out",
            "id": o.id,
            "parent_id": o.parent_id,
            "channel": o.channel.value,
            "body": o.body,
            "at": ts(o.created_at),
            "status": o.status.value,
            "purpose": o.purpose,
            "segments": o.segments,
            "error_code": o.error_code,
        }
        for o in await outbox.for_family(service.db, family_id)
        if o.parent_id is not None
    ]
    items.sort(key=lambda m: (m["at"], m["direction"], m["id"]))
    async with service.db.transaction() as conn:
        await audit.record(
            conn, service.now(), actor, "family_messages_viewed", "family", family_id
        )
    return web.json_response({"family_id": family_id, "messages": items})


async def audit_api_read(
    request: web.Request,
    action: str,
    subject_type: str = "",
    subject_id: int | None = None,
    **detail: object,
) -> None:
    service = request.app[SERVICE]
    actor = await caller(request)
    async with service.db.transaction() as conn:
        await audit.record(conn, service.now(), actor, action, subject_type, subject_id, **detail)


@routes.get("/api/v1/queue")
async def get_queue(request: web.Request) -> web.Response:
    await caller(request)
    service = request.app[SERVICE]
    raw = request.query.get("practitioner_id")
    audience = request.query.get("audience")
    if raw is not None:
        try:
            practitioner_id = int(raw)
            if not 0 < practitioner_id <= LARGEST_ID:
                raise ValueError(raw)
        except ValueError:
            raise ApiError(
                400, "practitioner_id must be a whole number", "practitioner_id"
            ) from None
        items = await queue.open_items(
            service.db, audience="practitioner", practitioner_id=practitioner_id
        )
    elif audience in ("unassigned", "administrator"):
        items = await queue.open_items(service.db, audience=audience)
    else:
        raise ApiError(
            400, "give practitioner_id, or audience=unassigned or administrator", "practitioner_id"
        )
    who = await api_caller(request)
    if who.staff is not None:
        duty = (await viewer_for(service, who.staff)).duty
        wanted = practitioner_id if raw is not None else None
        if not access.may_see_queue(duty, practitioner_id=wanted, audience=audience or ""):
            raise ApiError(404, "no such queue", "practitioner_id")
    await audit_api_read(request, "queue_viewed", "queue", None, items=len(items))
    return web.json_response(
        {
            "items": [
                {
                    "id": i.id,
                    "kind": i.kind.value,
                    "audience": i.audience,
                    "family_id": i.family_id,
                    "parent_id": i.parent_id,
                    "inbound_id": i.inbound_id,
                    "summary": i.summary,
                    "out_of_hours": i.out_of_hours,
                    "created_at": ts(i.created_at),
                }
                for i in items
            ]
        }
    )


def escalation_json(row) -> dict:  # noqa: ANN001
    return {
        "id": row.id,
        "level": row.level.value,
        "status": row.status,
        "family_id": row.family_id,
        "parent_id": row.parent_id,
        "inbound_id": row.inbound_id,
        "reasons": row.reasons,
        "chain": row.chain,
        "step": row.step,
        "deadline": ts(row.deadline),
        "created_at": ts(row.created_at),
        "acknowledged_by": row.acknowledged_by,
    }


@routes.get("/api/v1/escalations")
async def list_escalations(request: web.Request) -> web.Response:
    await caller(request)
    status = request.query.get("status")
    if status not in (None, "open", "acknowledged", "closed"):
        raise ApiError(400, "status must be open, acknowledged or closed", "status")
    service = request.app[SERVICE]
    rows = await escalations.listing(service.db, status)
    who = await api_caller(request)
    if who.staff is not None and who.staff.role is Role.PRACTITIONER:
        duty = (await viewer_for(service, who.staff)).duty
        shown = []
        for row in rows:
            family = await families.get(service.db, row.family_id) if row.family_id else None
            if family and access.may_open_family(duty, family.id, family.practitioner_id):
                shown.append(row)
        rows = shown
    await audit_api_read(request, "escalations_viewed", "escalation", None, count=len(rows))
    return web.json_response({"escalations": [escalation_json(r) for r in rows]})


@routes.post("/api/v1/escalations/{id}/acknowledge")
async def acknowledge(request: web.Request) -> web.Response:
    await caller(request)
    service = request.app[SERVICE]
    escalation_id = _id(request)
    data = await read_json(request)
    staff_id = whole_number(data, "staff_id", required=True)
    assert staff_id is not None
    if await staff_store.get(service.db, staff_id) is None:
        raise ApiError(422, "no such member of staff", "staff_id")
    row = await escalations.get(service.db, escalation_id)
    if row is None:
        raise ApiError(404, "no such escalation", "id")
    if not await escalation_runtime.acknowledge(service, escalation_id, staff_id, via="api"):
        raise ApiError(409, f"the escalation is already {row.status}", "id")
    return web.json_response(escalation_json(await escalations.get(service.db, escalation_id)))
