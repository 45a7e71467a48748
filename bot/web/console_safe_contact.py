"""Marking a parent's phone not safe to text from the console (practitioner or administrator)."""

from __future__ import annotations

from aiohttp import web

from bot.core.model import Family, Role
from bot.runtime import safe_contact
from bot.store import families
from bot.web import auth
from bot.web.console import Viewer, signed_in_viewer
from bot.web.console_family import visible_family
from bot.web.keys import SERVICE

routes = web.RouteTableDef()


async def _family_and_viewer(request: web.Request) -> tuple[Family, Viewer, str]:
    """The family, the viewer, and the page to go back to (admin pages for the administrator)."""
    if request.path.startswith("/admin/"):
        viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
        family = await families.get(request.app[SERVICE].db, int(request.match_info["id"]))
        if family is None:
            auth.not_found(request)
        return family, viewer, f"/admin/families/{family.id}"
    viewer = await signed_in_viewer(request, *auth.CLINICAL)
    family = await visible_family(request, viewer)
    return family, viewer, f"/families/{family.id}"


def _parent_id(request: web.Request, family: Family) -> int:
    parent_id = int(request.match_info["parent_id"])
    if not any(p.id == parent_id for p in family.parents):
        auth.not_found(request)
    return parent_id


@routes.post("/families/{id:\\d+}/parents/{parent_id:\\d+}/not-safe-to-text")
@routes.post("/admin/families/{id:\\d+}/parents/{parent_id:\\d+}/not-safe-to-text")
@auth.page
async def mark_not_safe(request: web.Request) -> web.StreamResponse:
    family, viewer, back = await _family_and_viewer(request)
    parent_id = _parent_id(request, family)
    form = await request.post()
    reason = str(form.get("reason", "")).strip()[: safe_contact.MAX_REASON]
    parent = await safe_contact.mark_not_safe(
        request.app[SERVICE],
        parent_id,
        by=viewer.staff.name,
        actor=f"staff:{viewer.id}",
        reason=reason or "marked in the console",
    )
    auth.flash(request, f"Texts to {parent.name} are stopped: not safe to text.")
    return auth.redirect(back)


@routes.post("/families/{id:\\d+}/parents/{parent_id:\\d+}/safe-to-text")
@routes.post("/admin/families/{id:\\d+}/parents/{parent_id:\\d+}/safe-to-text")
@auth.page
async def mark_safe_again(request: web.Request) -> web.StreamResponse:
    family, viewer, back = await _family_and_viewer(request)
    parent_id = _parent_id(request, family)
    parent = await safe_contact.mark_safe_again(
        request.app[SERVICE], parent_id, actor=f"staff:{viewer.id}"
    )
    auth.flash(request, f"{parent.name} may be texted again.")
    return auth.redirect(back)
