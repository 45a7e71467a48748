"""Telegram's door into Cradle: the webhook, and the API routes that make link tokens.

The webhook checks the secret, stores the update, acts on it from the stored row, then
answers: an update is never acknowledged to Telegram before it is safe on disk (aiogram's
SimpleRequestHandler answers first by default, and a crash would lose the update).
aiogram itself is imported only when an update is acted on.
"""

from __future__ import annotations

import hmac
import logging

from aiohttp import web

from bot.core.model import ChannelName
from bot.runtime import telegram
from bot.runtime.service import Service
from bot.web.api import caller
from bot.web.errors import ApiError, id_in_path, parse_json, read_json
from bot.web.keys import SERVICE

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _check_secret(request: web.Request, service: Service) -> None:
    """401 without the header, 403 with a wrong one, and 403 for all while no secret is set."""
    secret = service.settings.telegram_webhook_secret
    if not secret:
        raise web.HTTPForbidden(text="the Telegram webhook secret is not configured")
    given = request.headers.get(SECRET_HEADER)
    if given is None:
        raise web.HTTPUnauthorized(text="missing secret token")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        raise web.HTTPForbidden(text="wrong secret token")


async def _update_json(request: web.Request) -> dict:
    raw = parse_json(await request.read())
    update_id = raw.get("update_id") if isinstance(raw, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        raise ApiError(400, "not a Telegram update: no update_id", "update_id")
    return raw


@routes.post(telegram.WEBHOOK_PATH)
async def telegram_update(request: web.Request) -> web.Response:
    service = request.app[SERVICE]
    if ChannelName.TELEGRAM not in service.transports:
        raise web.HTTPNotFound()
    _check_secret(request, service)
    raw = await _update_json(request)
    await telegram.store_update(service, raw)
    # A repeat is acted on too if the first delivery was stored but never finished.
    await telegram.process_update(service, raw["update_id"])
    await telegram.process_pending_updates(service, failed_only=True)
    return web.Response(status=200)


def _id(request: web.Request) -> int:
    found = id_in_path(request)
    if found is None:
        raise ApiError(404, "not found", "id")
    return found


async def _options(request: web.Request, allowed: set[str]) -> dict:
    if not request.can_read_body:
        return {}
    data = await read_json(request)
    for key in data:
        if key not in allowed:
            raise ApiError(400, f"unknown field {key!r}", key)
    return data


@routes.post("/api/v1/parents/{id}/telegram-link")
async def parent_telegram_link(request: web.Request) -> web.Response:
    """A one-time deep link for a parent; with {"send_by_sms": true} it is texted to them too."""
    actor = await caller(request)
    service = request.app[SERVICE]
    parent_id = _id(request)
    data = await _options(request, {"send_by_sms"})
    send = data.get("send_by_sms", False)
    if not isinstance(send, bool):
        raise ApiError(422, "send_by_sms must be true or false", "send_by_sms")
    try:
        if send:  # refuse before a link is made that could not be sent
            await telegram.textable_parent(service, parent_id)
        link = await telegram.issue_parent_link(service, parent_id, actor=actor)
        body = {"parent_id": parent_id, "link": link.url, "expires_at": link.expires_at.isoformat()}
        if send:
            body["outbox_id"] = await telegram.text_parent_link(
                service, parent_id, link.url, actor=actor
            )
    except telegram.TelegramNotConfigured as exc:
        raise ApiError(409, str(exc), "id") from None
    except LookupError:
        raise ApiError(404, "no such parent", "id") from None
    except telegram.LinkRefused as exc:
        raise ApiError(422, str(exc), "send_by_sms" if send else "id") from None
    return web.json_response(body, status=201)


@routes.post("/api/v1/staff/{id}/telegram-code")
async def staff_telegram_code(request: web.Request) -> web.Response:
    """A one-time code a member of staff sends to the bot (/link CODE) to get alerts there."""
    actor = await caller(request)
    service = request.app[SERVICE]
    staff_id = _id(request)
    await _options(request, set())
    try:
        code = await telegram.create_staff_link_code(service, staff_id, actor=actor)
        link = await telegram.staff_link_url(service, code)
    except telegram.TelegramNotConfigured as exc:
        raise ApiError(409, str(exc), "id") from None
    except LookupError:
        raise ApiError(404, "no active member of staff with that id", "id") from None
    expires_at = service.now() + telegram.STAFF_CODE_LIFETIME
    return web.json_response(
        {"staff_id": staff_id, "code": code, "link": link, "expires_at": expires_at.isoformat()},
        status=201,
    )
