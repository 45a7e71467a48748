"""The administrator's information governance pages: subject access exports and erasure."""

from __future__ import annotations

import json

from aiohttp import web

from bot.core.erasure import confirmation_matches
from bot.core.model import Role
from bot.runtime.erasure import ErasureRefused, erase_parent
from bot.runtime.subject_access import UnknownSubject, export
from bot.store import erasure as erasure_store
from bot.store import families
from bot.web import auth
from bot.web.console import signed_in_viewer
from bot.web.keys import SERVICE
from bot.web.pages import html_text

routes = web.RouteTableDef()


def _id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not raw.isdigit():
        auth.not_found(request)
    return int(raw)


def printable(data: dict, tz: object) -> str:
    """The export as a page to print or save as PDF: the same content as the JSON."""
    from datetime import datetime

    return html_text(
        "console/subject_access_print.html",
        data=data,
        tz=tz,
        when=lambda text: datetime.fromisoformat(text) if text else None,
    )


@routes.get("/admin/families/{id}/records")
@auth.page
async def records(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    family = await families.get(service.db, _id(request))
    if family is None:
        auth.not_found(request)
    erased = {
        p.id: bool((await erasure_store.parent(service.db, p.id) or {}).get("erased_at"))
        for p in family.parents
    }
    open_escalations = await erasure_store.count_open_escalations(service.db, family.id)
    return auth.render(
        request,
        "console/admin_records.html",
        family=family,
        erased=erased,
        open_escalations=open_escalations,
    )


@routes.get("/admin/export")
@auth.page
async def export_page(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    family, parent = request.query.get("family", ""), request.query.get("parent", "")
    if not (family.isdigit() or parent.isdigit()):
        auth.not_found(request)
    try:
        data = await export(
            service,
            f"staff:{viewer.staff.id}",
            family_id=int(family) if family.isdigit() else None,
            parent_id=int(parent) if parent.isdigit() and not family.isdigit() else None,
        )
    except UnknownSubject:
        auth.not_found(request)
    name = f"cradle-{data['subject']['kind']}-{data['subject']['id']}"
    if request.query.get("format") == "html":
        return web.Response(
            text=printable(data, service.team_timezone()),
            content_type="text/html",
            charset="utf-8",
            headers={"Cache-Control": "no-store"},
        )
    return web.Response(
        text=json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json",
        charset="utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}.json"',
            "Cache-Control": "no-store",
        },
    )


async def _erase_context(request: web.Request) -> dict:
    service = request.app[SERVICE]
    parent = await erasure_store.parent(service.db, _id(request))
    if parent is None or parent["erased_at"]:
        auth.not_found(request)
    family = await families.get(service.db, parent["family_id"])
    open_escalations = await erasure_store.count_open_escalations(service.db, parent["family_id"])
    return {"parent": parent, "family": family, "open_escalations": open_escalations}


@routes.get("/admin/parents/{id}/erase")
@auth.page
async def erase_form(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    context = await _erase_context(request)
    return auth.render(request, "console/admin_erase.html", errors={}, form={}, **context)


@routes.post("/admin/parents/{id}/erase")
@auth.page
async def erase(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    context = await _erase_context(request)
    form = await request.post()
    reason, typed = str(form.get("reason", "")).strip(), str(form.get("confirm_name", ""))
    errors = {}
    if not reason:
        errors["reason"] = "Give the reason for erasing, for example the parent's request"
    if not confirmation_matches(typed, context["parent"]["name"]):
        errors["confirm_name"] = "Type the parent's name exactly as shown to confirm"
    if not errors:
        try:
            await erase_parent(
                request.app[SERVICE], context["parent"]["id"], f"staff:{viewer.staff.id}", reason
            )
        except ErasureRefused as refused:
            errors["reason"] = str(refused)
    if errors:
        shown = {"reason": reason}
        return auth.render(
            request, "console/admin_erase.html", status=422, errors=errors, form=shown, **context
        )
    auth.flash(request, "The parent's personal data and the words of their texts were erased")
    return auth.redirect(f"/admin/families/{context['family'].id}/records")
