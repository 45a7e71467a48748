"""The duty view (/escalations) and one escalation (/escalations/{id}): acknowledge, then close
with the action taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.core.model import Family, Role, Staff
from bot.runtime import escalations as escalation_runtime
from bot.runtime.service import Service
from bot.store import console as console_store
from bot.store import escalations, families, inbound
from bot.store.escalations import EscalationRow
from bot.web import auth
from bot.web.console import DUTY_ROLES, Viewer, signed_in_viewer, staff_by_id, time_left
from bot.web.console_queue import FamilyCache, parent_name
from bot.web.keys import SERVICE

routes = web.RouteTableDef()

ACTIONS = {
    "phoned_parent": "Phoned the parent",
    "called_999": "Called 999",
    "safeguarding_referral": "Made a safeguarding referral",
    "texted_parent": "Texted the parent",
    "no_risk": "Checked: no risk found",
    "other": "Something else",
}
CHAINS = {"in_hours": "in-hours chain", "out_of_hours": "out-of-hours chain"}
CLOSED_SHOWN = 10


@dataclass(frozen=True)
class EscalationView:
    row: EscalationRow
    family: Family | None
    parent_name: str
    time_left: str
    overdue: bool
    position: str  # "step 1 of 2, in-hours chain"
    told: list[str]  # names of the people told at the current step
    acknowledged_by: str | None


def chain_position(service: Service, row: EscalationRow) -> str:
    try:
        steps = len(service.policies.escalation.chain(row.level, row.chain))
    except ValueError:
        steps = row.step + 1
    step = min(row.step, steps - 1) + 1
    return f"step {step} of {steps}, {CHAINS.get(row.chain, row.chain)}"


async def view_of(
    service: Service,
    row: EscalationRow,
    cache: FamilyCache,
    everyone: dict[int, Staff],
    now: datetime,
) -> EscalationView:
    family = await cache.get(row.family_id)
    told = []
    for notice in await escalations.notices(service.db, row.id):
        if notice["step"] != row.step:
            continue
        name = everyone[notice["staff_id"]].name if notice["staff_id"] in everyone else "On call"
        if name not in told:
            told.append(name)
    acknowledger = everyone.get(row.acknowledged_by or -1)
    return EscalationView(
        row=row,
        family=family,
        parent_name=parent_name(family, row.parent_id),
        time_left=time_left(row.deadline, now),
        overdue=row.deadline < now,
        position=chain_position(service, row),
        told=told,
        acknowledged_by=acknowledger.name if acknowledger else None,
    )


@routes.get("/escalations")
@auth.page
async def duty_view(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, *DUTY_ROLES)
    await auth.audit_read(request, "escalations_viewed", "escalation")
    service = request.app[SERVICE]
    now = service.now()
    cache, everyone = FamilyCache(service), await staff_by_id(service)
    waiting = [
        await view_of(service, row, cache, everyone, now)
        for row in await console_store.escalations_with_status(service.db, "open")
    ]
    acknowledged = [
        await view_of(service, row, cache, everyone, now)
        for row in await console_store.escalations_with_status(service.db, "acknowledged")
    ]
    closed = [
        await view_of(service, row, cache, everyone, now)
        for row in (await escalations.listing(service.db, "closed"))[-CLOSED_SHOWN:][::-1]
    ]
    return auth.render(
        request,
        "console/escalations.html",
        waiting=waiting,
        acknowledged=acknowledged,
        closed=closed,
        tz=service.team_timezone(),
    )


async def visible_escalation(request: web.Request, viewer: Viewer) -> EscalationRow:
    """The escalation in the URL if this person may see it, else the one 404."""
    service = request.app[SERVICE]
    row = await escalations.get(service.db, int(request.match_info["id"]))
    if row is None:
        auth.not_found(request)
    family = await families.get(service.db, row.family_id) if row.family_id else None
    notified = await console_store.was_notified(service.db, viewer.id, row.id)
    if not viewer.may_see_escalation(row, family, notified):
        auth.not_found(request)
    return row


async def escalation_page(
    request: web.Request,
    viewer: Viewer,
    row: EscalationRow,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    service = request.app[SERVICE]
    now = service.now()
    view = await view_of(service, row, FamilyCache(service), await staff_by_id(service), now)
    stored = await inbound.get(service.db, row.inbound_id) if row.inbound_id else None
    readable = viewer.may_read_escalation_message(view.family)
    return auth.render(
        request,
        "console/escalation.html",
        status=status,
        e=view,
        message=stored.message if stored and readable else None,
        may_read=readable,
        may_open_family=view.family is not None and viewer.may_open_family(view.family),
        may_close=viewer.staff.role is not Role.ADMINISTRATOR,
        actions=ACTIONS,
        errors=errors or {},
        form=form or {},
        tz=service.team_timezone(),
    )


@routes.get("/escalations/{id:\\d+}")
@auth.page
async def one_escalation(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL, Role.ADMINISTRATOR)
    row = await visible_escalation(request, viewer)
    await auth.audit_read(request, "escalation_viewed", "escalation", row.id)
    return await escalation_page(request, viewer, row)


@routes.post("/escalations/{id:\\d+}/acknowledge")
@auth.page
async def acknowledge(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL, Role.ADMINISTRATOR)
    row = await visible_escalation(request, viewer)
    service = request.app[SERVICE]
    if await escalation_runtime.acknowledge(service, row.id, viewer.id, via="console"):
        auth.flash(request, "Escalation acknowledged. When it is dealt with, record what was done.")
    else:
        auth.flash(request, f"This escalation was already {row.status}.")
    form = await request.post()
    default = "/escalations" if viewer.on_duty_rota else f"/escalations/{row.id}"
    return auth.redirect(auth.safe_next(str(form.get("next", "")) or default, viewer.staff))


def action_taken(form: dict[str, str]) -> tuple[str | None, dict[str, str]]:
    """The action as recorded ('Called 999: ambulance sent'), or the errors by field."""
    choice = form.get("action", "")
    details = form.get("details", "").strip()
    if choice not in ACTIONS:
        return None, {"action": "Select what was done"}
    if choice == "other" and not details:
        return None, {"details": "Describe what was done"}
    if len(details) > 1000:
        return None, {"details": "Describe what was done in 1000 characters or fewer"}
    return ACTIONS[choice] + (f": {details}" if details else ""), {}


@routes.post("/escalations/{id:\\d+}/close")
@auth.page
async def close(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    row = await visible_escalation(request, viewer)
    service = request.app[SERVICE]
    form = {k: str(v) for k, v in (await request.post()).items() if k != auth.CSRF_FIELD}
    taken, errors = action_taken(form)
    if taken is None:
        return await escalation_page(request, viewer, row, errors=errors, form=form, status=422)
    if await escalation_runtime.close(service, row.id, viewer.id, taken):
        auth.flash(request, "Escalation closed.")
    else:
        auth.flash(request, "This escalation was already closed.")
    return auth.redirect("/escalations" if viewer.on_duty_rota else "/queue")
