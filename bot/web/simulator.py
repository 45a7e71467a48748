"""/simulator: every parent's and staff member's phone on one page, kept up to date.

Typing a reply as a parent sends it in as a real SMS would. Staff phones show the alerts
a risk message sends them; a Telegram alert's Acknowledge button runs the same
acknowledgement as the button under a real Telegram alert. In the demo, a button runs the
scheduler as if it were tomorrow at 10:00. Every form is CSRF-checked like the console's.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from aiohttp import web

from bot.core.model import ChannelName, InboundMessage, Role
from bot.core.phones import PhoneNumberError, normalise_mobile
from bot.runtime import pipeline, scheduler
from bot.runtime import telegram as telegram_runtime
from bot.runtime.service import Service
from bot.store import families, threads
from bot.store import staff as staff_store
from bot.web import auth
from bot.web.keys import SERVICE

routes = web.RouteTableDef()

_PHONE_KEY = re.compile(r"[+0-9A-Za-z_-]{1,40}")  # a phone's element id, safe in a Location header
TIME_TRAVEL_TO = time(10, 0)  # "tomorrow at 10:00": reminders go at 10:00 by default
STAFF_ORDER = {
    Role.DUTY_CLINICIAN: 0,
    Role.CLINICAL_LEAD: 1,
    Role.PRACTITIONER: 2,
    Role.ADMINISTRATOR: 3,
}


def simulator_enabled(service: Service) -> bool:
    """Only in the demo or with CRADLE_SIMULATOR set (tests, training): it needs no sign-in."""
    transport = service.transports.get(ChannelName.SMS)
    return transport is not None and transport.name == "simulator"


def telegram_simulated(service: Service) -> bool:
    transport = service.transports.get(ChannelName.TELEGRAM)
    return transport is not None and transport.name == "simulator"


def _open(request: web.Request) -> Service:
    service = request.app[SERVICE]
    if not simulator_enabled(service):
        auth.not_found(request)
    return service


@dataclass
class Phone:
    key: str  # the element id: the mobile number, as the page has always used
    owner: str
    detail: str
    addresses: list[tuple[str, str]]
    mobile: str | None = None
    telegram_chat: int | None = None
    staff: bool = False
    texts: list[threads.PhoneText] = field(default_factory=list)


async def parent_phones(service: Service) -> list[Phone]:
    found = []
    for family in await families.list_families(service.db):
        for parent in family.parents:
            addresses = []
            if parent.mobile:
                addresses.append((ChannelName.SMS.value, parent.mobile))
            if parent.telegram_chat_id:
                addresses.append((ChannelName.TELEGRAM.value, str(parent.telegram_chat_id)))
            if not addresses:
                continue
            notes = [parent.relationship, family.reference]
            if parent.do_not_contact:
                notes.append("do not contact: Cradle never texts this parent")
            if parent.opted_out:
                notes.append("opted out")
            found.append(
                Phone(
                    key=parent.mobile or f"parent-{parent.id}",
                    owner=parent.name,
                    detail=" · ".join(notes),
                    addresses=addresses,
                    mobile=parent.mobile,
                )
            )
    return found


async def staff_phones(service: Service) -> list[Phone]:
    found = []
    members = [m for m in await staff_store.all_staff(service.db) if m.active]
    for member in sorted(members, key=lambda m: (STAFF_ORDER.get(m.role, 9), m.name)):
        addresses = []
        if member.mobile:
            addresses.append((ChannelName.SMS.value, member.mobile))
        if member.telegram_chat_id and telegram_simulated(service):
            addresses.append((ChannelName.TELEGRAM.value, str(member.telegram_chat_id)))
        if not addresses:
            continue
        found.append(
            Phone(
                key=member.mobile or f"staff-{member.id}",
                owner=member.name,
                detail=auth.role_label(member.role),
                addresses=addresses,
                mobile=member.mobile,
                telegram_chat=member.telegram_chat_id if telegram_simulated(service) else None,
                staff=True,
            )
        )
    return found


async def _fill(service: Service, found: list[Phone]) -> list[Phone]:
    for phone in found:
        phone.texts = await threads.thread(service.db, phone.addresses)
    return found


def tomorrow_at_ten(service: Service) -> datetime:
    tz = service.team_timezone()
    day = service.now().astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(day, TIME_TRAVEL_TO, tzinfo=tz)


@routes.get("/simulator")
@auth.page
async def page(request: web.Request) -> web.StreamResponse:
    service = _open(request)
    guide = None
    if service.settings.demo:
        from bot import demo

        guide = {"who": demo.WHO_IS_WHO, "try": demo.THINGS_TO_TRY}
    return auth.render(
        request,
        "simulator.html",
        parents=await _fill(service, await parent_phones(service)),
        staff_phones=await _fill(service, await staff_phones(service)),
        tz=service.team_timezone(),
        now=service.now(),
        error=request.query.get("error"),
        guide=guide,
        time_travel=tomorrow_at_ten(service) if service.settings.demo else None,
    )


@routes.post("/simulator/send")
@auth.page
async def send(request: web.Request) -> web.StreamResponse:
    """A reply typed as a parent enters through the same inbound path as a real SMS."""
    service = _open(request)
    form = await request.post()
    body = str(form.get("body", "")).strip()
    try:
        number = normalise_mobile(str(form.get("number", "")), strict=False)
    except PhoneNumberError:
        return auth.redirect("/simulator?error=number#unknown-number")
    if not body:
        return auth.redirect(f"/simulator#{number}")
    message = InboundMessage(
        channel=ChannelName.SMS,
        external_id=f"SIM{uuid.uuid4().hex}",
        sender=number,
        body=body,
        received_at=service.now(),
    )
    await pipeline.receive(service, message)
    return auth.redirect(f"/simulator#{number}")


def _whole(value: object) -> int | None:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 19 else None


@routes.post("/simulator/telegram/acknowledge")
@auth.page
async def acknowledge(request: web.Request) -> web.StreamResponse:
    """The Acknowledge button under a simulated Telegram alert: as if pressed in that chat."""
    service = _open(request)
    if not telegram_simulated(service):
        auth.not_found(request)
    form = await request.post()
    chat, escalation_id = _whole(form.get("chat")), _whole(form.get("escalation"))
    if chat is None or escalation_id is None:
        auth.not_found(request)
    outcome = await telegram_runtime.acknowledge_from_chat(service, escalation_id, chat)
    auth.flash(request, f"Telegram: {outcome.text}")
    phone = str(form.get("phone", ""))
    return auth.redirect("/simulator" + (f"#{phone}" if _PHONE_KEY.fullmatch(phone) else ""))


@routes.post("/simulator/time-travel")
@auth.page
async def time_travel(request: web.Request) -> web.StreamResponse:
    """Demo only: the scheduler's pass at tomorrow 10:00 (as `cradle tick --at`); the
    service's clock then goes on from there, so everything after it is in order."""
    service = _open(request)
    if not service.settings.demo:
        auth.not_found(request)
    at = tomorrow_at_ten(service)
    service.clock.travel_to(at)
    report = await scheduler.tick(service, at)
    counts = report.counts
    local = at.astimezone(service.team_timezone())
    auth.flash(
        request,
        f"It is now {local:%A} {local.day} {local:%B}, 10:00. The scheduler queued"
        f" {_count(counts.get('reminders', 0), 'reminder')} and"
        f" {_count(counts.get('engagement', 0), 'engagement follow-up')};"
        f" {_count(counts.get('escalations_climbed', 0), 'escalation')} climbed to the next"
        " person.",
    )
    return auth.redirect("/simulator")


def _count(number: int, thing: str) -> str:
    return f"{number or 'no'} {thing}{'' if number == 1 else 's'}"
