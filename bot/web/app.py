"""The aiohttp application: routes and the service in one place."""

from __future__ import annotations

from importlib import resources

from aiohttp import web

from bot import log_redaction
from bot.runtime.service import Service
from bot.web import (
    api,
    api_appointments,
    auth,
    console,
    console_accounts,
    console_admin,
    console_admin_appointments,
    console_admin_families,
    console_delivery,
    console_escalations,
    console_family,
    console_governance,
    console_queue,
    console_templates,
    metrics,
    simulator,
    webhooks_telegram,
    webhooks_twilio,
)
from bot.web.errors import api_errors
from bot.web.keys import SERVICE
from bot.web.throttle import THROTTLE, AddressThrottle

MAX_BODY = 64 * 1024  # webhooks and API bodies; Twilio's own are far smaller


async def healthz(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    try:
        await service.db.fetch_one("SELECT 1")
    except Exception:
        return web.json_response({"status": "database unavailable"}, status=503)
    return web.json_response({"status": "ok"})


def make_app(service: Service) -> web.Application:
    log_redaction.install()  # no token, phone number or parent's words in any log line
    app = web.Application(middlewares=[api_errors], client_max_size=MAX_BODY)
    app[SERVICE] = service
    app[THROTTLE] = AddressThrottle()
    app.router.add_get("/healthz", healthz)
    metrics.install(app)  # /metrics, /readyz and the webhook latency timer
    consoles = (auth, console, console_queue, console_family, console_escalations)
    consoles += (console_admin, console_admin_families, console_admin_appointments)
    consoles += (console_templates, console_governance, console_delivery, console_accounts)
    for module in (api, api_appointments, webhooks_twilio, webhooks_telegram, simulator, *consoles):
        app.router.add_routes(module.routes)
    static = resources.files("bot.web").joinpath("static")
    app.router.add_static("/static", str(static))
    return app
