"""The staff console (grows into the full console: login, queues, escalations, administration)."""

from __future__ import annotations

from aiohttp import web

from bot.store import families, queue, staff as staff_store
from bot.web.keys import SERVICE
from bot.web.pages import render

routes = web.RouteTableDef()


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    return render("index.html", demo=service.settings.demo)


@routes.get("/queue")
async def practitioner_queue(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    if not service.settings.demo:
        raise web.HTTPNotFound()
    members = [m for m in await staff_store.all_staff(service.db) if m.role.value != "administrator"]
    sections = []
    for member in members:
        items = await queue.open_items(service.db, audience="practitioner", practitioner_id=member.id)
        sections.append({"title": f"{member.name}'s queue", "items": items})
    sections.append({"title": "Unassigned", "items": await queue.open_items(service.db, audience="unassigned")})
    refs = {f.id: f.reference for f in await families.list_families(service.db)}
    return render("queue.html", sections=sections, refs=refs, tz=service.team_timezone())
