"""Staff phones (/admin/staff): can every escalation reach someone? The administrator sees
the same warnings as `cradle policy check` and corrects a mobile, validated as it enters."""

from __future__ import annotations

from aiohttp import web

from bot.core.model import Role
from bot.core.phones import PhoneNumberError, can_receive_texts, normalise_staff_mobile
from bot.core.reachability import reachability_warnings
from bot.runtime.service import Service
from bot.store import audit
from bot.store import staff as staff_store
from bot.web import auth
from bot.web.console import signed_in_viewer
from bot.web.keys import SERVICE

routes = web.RouteTableDef()


async def warnings_for(service: Service) -> list[str]:
    staff = await staff_store.all_staff(service.db)
    return reachability_warnings(
        service.policies, staff, can_receive_texts, service.settings.telegram_enabled
    )


async def _page(
    request: web.Request, *, errors: dict[str, str] | None = None, status: int = 200
) -> web.Response:
    service = request.app[SERVICE]
    staff = [m for m in await staff_store.all_staff(service.db) if m.active]
    staff.sort(key=lambda m: (m.role.value, m.name))
    return auth.render(
        request,
        "console/admin_staff.html",
        status=status,
        members=[(m, can_receive_texts(m.mobile)) for m in staff],
        warnings=await warnings_for(service),
        errors=errors or {},
    )


@routes.get("/admin/staff")
@auth.page
async def staff_phones(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    return await _page(request)


@routes.post("/admin/staff/{id:\\d+}/mobile")
@auth.page
async def set_mobile(request: web.Request) -> web.StreamResponse:
    viewer = await signed_in_viewer(request, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    staff_id = int(request.match_info["id"])
    member = await staff_store.get(service.db, staff_id)
    if member is None:
        auth.not_found(request)
    raw = str((await request.post()).get("mobile", "")).strip()
    mobile = None
    if raw:
        try:
            mobile = normalise_staff_mobile(raw)
        except PhoneNumberError as exc:
            problem = f"{member.name}'s mobile: {exc}; give it like 07700 900123"
            return await _page(request, errors={f"mobile-{staff_id}": problem}, status=422)
    now = service.now()
    async with service.db.transaction() as conn:
        await staff_store.set_mobile(conn, staff_id, mobile)
        # Who changed whose number, never the number itself.
        await audit.record(conn, now, f"staff:{viewer.id}", "staff_mobile_set", "staff", staff_id)
    auth.flash(request, f"{member.name}'s mobile is now {mobile or 'not set'}.")
    return auth.redirect("/admin/staff")
