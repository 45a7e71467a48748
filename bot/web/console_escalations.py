"""The duty view (/escalations) and one escalation (/escalations/{id}): acknowledge, then close
with the action taken."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiohttp import web

from bot.core import duty
from bot.core.model import ChannelName, Family, Role, Staff
from bot.runtime import escalations as escalation_runtime
from bot.runtime.service import Service
from bot.store import console as console_store
from bot.store import escalations, families, inbound
from bot.store.db import from_ts
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
# From a number Cradle cannot match, nobody knows yet who wrote: no "phoned the parent".
UNMATCHED_ACTIONS = {
    "phoned_number": "Phoned the number and spoke to the sender",
    "no_answer": "Phoned the number: no answer",
    "called_999": "Called 999",
    "safeguarding_referral": "Made a safeguarding referral",
    "wrong_number": "Not one of our families: advised them where to get help",
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
    sender: str | None = None  # the number (or Telegram chat) that wrote
    sender_href: str | None = None  # tel: link for an SMS number
    words: str = ""  # what the parent wrote (shown only to those who may read it)
    ago: str = ""  # "4 minutes ago"
    history: tuple[str, ...] = ()  # the chain so far, step by step
    closed_by: str | None = None

    @property
    def matched(self) -> bool:
        return self.row.parent_id is not None

    def actions(self) -> dict[str, str]:
        return ACTIONS if self.matched else UNMATCHED_ACTIONS


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
    history: list[duty.Told] = []
    for notice in await escalations.notices(service.db, row.id):
        member = everyone.get(notice["staff_id"] or -1)
        name = member.name if member else "On call"
        if notice["step"] == row.step and name not in told:
            told.append(name)
        history.append(duty.Told(notice["step"], _who(member, family), from_ts(notice["at"])))  # type: ignore[arg-type]
    acknowledger = everyone.get(row.acknowledged_by or -1)
    closer = everyone.get(row.closed_by or -1)
    stored = await inbound.get(service.db, row.inbound_id) if row.inbound_id else None
    sender = href = None
    if stored is not None:
        sender = stored.message.sender
        if stored.message.channel is ChannelName.SMS:
            href = duty.tel_href(sender)
        else:
            sender = f"Telegram chat {sender}"
    return EscalationView(
        row=row,
        family=family,
        parent_name=parent_name(family, row.parent_id),
        time_left=time_left(row.deadline, now),
        overdue=row.deadline < now,
        position=chain_position(service, row),
        told=told,
        acknowledged_by=acknowledger.name if acknowledger else None,
        sender=sender,
        sender_href=href,
        words=stored.message.body if stored else "",
        ago=duty.how_long_ago(row.created_at, now),
        history=tuple(duty.chain_history(history, row.step, service.team_timezone())),
        closed_by=closer.name if closer else None,
    )


_ROLE_WORDS = {
    Role.DUTY_CLINICIAN: "the duty clinician",
    Role.CLINICAL_LEAD: "the clinical lead",
    Role.PRACTITIONER: "a practitioner",
    Role.ADMINISTRATOR: "the administrator",
}


def _who(member: Staff | None, family: Family | None) -> str:
    if member is None:
        return "on call"
    if family is not None and family.practitioner_id == member.id:
        return f"the practitioner ({member.name})"
    return f"{_ROLE_WORDS.get(member.role, member.role.value)} ({member.name})"


async def _duty_context(service: Service) -> dict:
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
    count = len(waiting)
    title = f"({count} open) Escalations – Cradle" if count else "Escalations – Cradle"
    return {
        "waiting": waiting,
        "acknowledged": acknowledged,
        "closed": closed,
        "page_title": title,
        "now": now,
        "tz": service.team_timezone(),
    }


@routes.get("/escalations")
@auth.page
async def duty_view(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, *DUTY_ROLES)
    await auth.audit_read(request, "escalations_viewed", "escalation")
    context = await _duty_context(request.app[SERVICE])
    return auth.render(request, "console/escalations.html", **context)


@routes.get("/escalations/live")
@auth.page
async def duty_view_live(request: web.Request) -> web.StreamResponse:
    """The self-updating part of the duty view, fetched every few seconds by the page."""
    await signed_in_viewer(request, *DUTY_ROLES)
    context = await _duty_context(request.app[SERVICE])
    response = auth.render(request, "console/_duty_live.html", **context)
    response.headers["Cache-Control"] = "no-store"
    return response


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
    may_link = not view.matched and readable and stored is not None
    return auth.render(
        request,
        "console/escalation.html",
        status=status,
        e=view,
        message=stored.message if stored and readable else None,
        may_read=readable,
        may_open_family=view.family is not None and viewer.may_open_family(view.family),
        may_close=viewer.staff.role is not Role.ADMINISTRATOR,
        actions=view.actions(),
        link_choices=await families.open_parents(service.db) if may_link else [],
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


def action_taken(
    form: dict[str, str], actions: dict[str, str] = ACTIONS
) -> tuple[str | None, dict[str, str]]:
    """The action as recorded ('Called 999: ambulance sent'), or the errors by field."""
    choice = form.get("action", "")
    details = form.get("details", "").strip()
    if choice not in actions:
        return None, {"action": "Select what was done"}
    if choice == "other" and not details:
        return None, {"details": "Describe what was done"}
    if len(details) > 1000:
        return None, {"details": "Describe what was done in 1000 characters or fewer"}
    return actions[choice] + (f": {details}" if details else ""), {}


@routes.post("/escalations/{id:\\d+}/close")
@auth.page
async def close(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    row = await visible_escalation(request, viewer)
    service = request.app[SERVICE]
    form = {k: str(v) for k, v in (await request.post()).items() if k != auth.CSRF_FIELD}
    taken, errors = action_taken(form, ACTIONS if row.parent_id is not None else UNMATCHED_ACTIONS)
    if taken is None:
        return await escalation_page(request, viewer, row, errors=errors, form=form, status=422)
    if await escalation_runtime.close(service, row.id, viewer.id, taken):
        auth.flash(request, "Escalation closed.")
    else:
        auth.flash(request, "This escalation was already closed.")
    return auth.redirect("/escalations" if viewer.on_duty_rota else "/queue")


@routes.post("/escalations/{id:\\d+}/link")
@auth.page
async def link_sender(request: web.Request) -> web.StreamResponse:
    """The unmatched number that wrote is this parent's: link it from the escalation itself."""
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    row = await visible_escalation(request, viewer)
    service = request.app[SERVICE]
    form = {k: str(v) for k, v in (await request.post()).items() if k != auth.CSRF_FIELD}
    parent_id = int(form["parent_id"]) if form.get("parent_id", "").isdigit() else None
    if parent_id is None:
        errors = {"parent_id": "Select the parent who wrote from this number"}
        return await escalation_page(request, viewer, row, errors=errors, form=form, status=422)
    try:
        parent = await escalation_runtime.link_sender(service, row.id, parent_id, viewer.id)
    except escalation_runtime.CannotLink as exc:
        errors = {"parent_id": str(exc)}
        return await escalation_page(request, viewer, row, errors=errors, form=form, status=409)
    auth.flash(request, f"The number is now {parent.name}'s: this escalation is linked to them.")
    return auth.redirect(f"/escalations/{row.id}")
