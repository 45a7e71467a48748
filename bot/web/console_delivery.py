"""The administrator's delivery dashboard, in the manner of GOV.UK Notify's."""

from __future__ import annotations

from datetime import timedelta

from aiohttp import web

from bot.core.delivery import Acknowledgement, Totals, failure_reason, period_starts
from bot.core.model import Role
from bot.store import delivery as store
from bot.web import auth
from bot.web.console import signed_in_viewer
from bot.web.keys import SERVICE

routes = web.RouteTableDef()

KEEP_FAILING = 2  # failed texts, the latest among them, before a parent is listed
LOOK_BACK = timedelta(days=28)


@routes.get("/admin/delivery")
@auth.page
async def delivery(request: web.Request) -> web.StreamResponse:
    await signed_in_viewer(request, Role.ADMINISTRATOR)
    service = request.app[SERVICE]
    now, tz = service.now(), service.team_timezone()
    starts = period_starts(now, tz)
    periods = [
        (name, Totals.from_statuses(await store.statuses_since(service.db, since)))
        for name, since in starts.items()
    ]
    week = starts["this week"]
    reasons = [
        (failure_reason(code), n) for code, n in await store.failures_by_code(service.db, week)
    ]
    failing = await store.parents_failing(service.db, now - LOOK_BACK, KEEP_FAILING)
    for parent in failing:
        parent["reason"] = failure_reason(parent["last_code"])
    acknowledged = [
        (name, Acknowledgement(**await store.acknowledgements(service.db, since)))
        for name, since in (*starts.items(), ("the last 28 days", now - LOOK_BACK))
    ]
    return auth.render(
        request,
        "console/admin_delivery.html",
        periods=periods,
        reasons=reasons,
        failing=failing,
        acknowledged=acknowledged,
        keep_failing=KEEP_FAILING,
    )
