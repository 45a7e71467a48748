"""/simulator: every parent's phone on one page; typing a reply sends it in as a real SMS would."""

from __future__ import annotations

import uuid

from aiohttp import web

from bot.core.model import ChannelName, InboundMessage
from bot.core.phones import PhoneNumberError, normalise_mobile
from bot.runtime import pipeline
from bot.runtime.service import Service
from bot.store import families, inbound, outbox
from bot.web.keys import SERVICE
from bot.web.pages import render

routes = web.RouteTableDef()


def simulator_enabled(request: web.Request) -> bool:
    """Only in the demo or with CRADLE_SIMULATOR set (tests, training): it needs no sign-in."""
    service = request.app[SERVICE]
    transport = service.transports.get(ChannelName.SMS)
    return transport is not None and transport.name == "simulator"


async def _phone(service: Service, number: str, label: str, detail: str) -> dict:
    texts = [
        {"direction": "in", "body": o.body, "at": o.created_at, "status": o.status.value}
        for o in await outbox.for_recipient(service.db, "sms", number)
        if o.status.value in ("sent", "delivered")
    ] + [
        {"direction": "out", "body": m.message.body, "at": m.message.received_at, "status": ""}
        for m in await inbound.for_sender(service.db, "sms", number)
    ]
    texts.sort(key=lambda t: t["at"])
    return {"number": number, "label": label, "detail": detail, "texts": texts}


@routes.get("/simulator")
async def page(request: web.Request) -> web.Response:
    if not simulator_enabled(request):
        raise web.HTTPNotFound()
    service = request.app[SERVICE]
    phones = []
    for family in await families.list_families(service.db):
        for parent in family.parents:
            if not parent.mobile:
                continue
            notes = []
            if parent.do_not_contact:
                notes.append("do not contact")
            if parent.opted_out:
                notes.append("opted out")
            detail = f"{family.reference} · {parent.relationship}" + (
                f" · {', '.join(notes)}" if notes else ""
            )
            phones.append(await _phone(service, parent.mobile, parent.name, detail))
    return render(
        "simulator.html",
        phones=phones,
        tz=service.team_timezone(),
        error=request.query.get("error"),
    )


@routes.post("/simulator/send")
async def send(request: web.Request) -> web.Response:
    """A reply typed as a parent enters through the same inbound path as a real SMS."""
    if not simulator_enabled(request):
        raise web.HTTPNotFound()
    service = request.app[SERVICE]
    form = await request.post()
    body = str(form.get("body", "")).strip()
    try:
        number = normalise_mobile(str(form.get("number", "")), strict=False)
    except PhoneNumberError:
        raise web.HTTPSeeOther("/simulator?error=number") from None
    if not body:
        raise web.HTTPSeeOther(f"/simulator#{number}")
    message = InboundMessage(
        channel=ChannelName.SMS,
        external_id=f"SIM{uuid.uuid4().hex}",
        sender=number,
        body=body,
        received_at=service.now(),
    )
    await pipeline.receive(service, message)
    raise web.HTTPSeeOther(f"/simulator#{number}")
