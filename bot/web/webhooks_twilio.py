"""Twilio's webhooks: inbound SMS and delivery receipts. Check the signature, store, answer."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

from aiohttp import web
from multidict import MultiDict
from twilio.request_validator import RequestValidator

from bot.channels.twilio_sms import MalformedWebhook, inbound_from_form, receipt_from_form
from bot.runtime import dispatcher, pipeline
from bot.web.keys import SERVICE

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

MAX_BODY = 64 * 1024
MAX_FIELDS = 1000
FORM = "application/x-www-form-urlencoded"
# Replies to the parent go through the outbox, never TwiML: the empty answer says "received".
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _refuse(status: int, reason: str) -> web.Response:
    return web.Response(status=status, text=reason + "\n")


async def _signed_form(request: web.Request) -> MultiDict[str] | web.Response:
    """Every field Twilio posted, once the signature over the public URL holds; else the refusal."""
    token = request.app[SERVICE].settings.twilio_auth_token
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _refuse(413, "request body too large")
    if not token:
        log.warning("Twilio webhook refused: TWILIO_AUTH_TOKEN is not set")
        return _refuse(403, "Twilio is not configured")
    signature = request.headers.get("X-Twilio-Signature")
    if not signature:
        return _refuse(403, "missing X-Twilio-Signature")
    try:
        raw = await request.read()  # aiohttp stops at client_max_size (64 KiB) with a 413
    except web.HTTPRequestEntityTooLarge:
        return _refuse(413, "request body too large")
    if request.content_type != FORM:
        return _refuse(400, f"expected {FORM}")
    try:
        form = MultiDict(
            parse_qsl(
                raw.decode("utf-8"),
                keep_blank_values=True,
                errors="strict",
                max_num_fields=MAX_FIELDS,
            )
        )
    except (UnicodeDecodeError, ValueError):
        return _refuse(400, "malformed form data")
    # Twilio signs the URL it called (ours, as configured), not the one a proxy hands us.
    url = request.app[SERVICE].settings.public_url.rstrip("/") + str(request.rel_url)
    if not RequestValidator(token).validate(url, form, signature):
        log.warning("Twilio webhook refused: bad signature for %s", request.path)
        return _refuse(403, "bad X-Twilio-Signature")
    return form


@routes.post("/webhooks/twilio/sms")
async def inbound_sms(request: web.Request) -> web.Response:
    form = await _signed_form(request)
    if isinstance(form, web.Response):
        return form
    service = request.app[SERVICE]
    try:
        message = inbound_from_form(form, service.now())
    except MalformedWebhook as exc:
        return _refuse(400, str(exc))
    # Stored (and committed) before we answer; triage runs afterwards from the stored row.
    await pipeline.receive(service, message)
    return web.Response(text=EMPTY_TWIML, content_type="text/xml")


@routes.post("/webhooks/twilio/status")
async def status_callback(request: web.Request) -> web.Response:
    form = await _signed_form(request)
    if isinstance(form, web.Response):
        return form
    try:
        receipt = receipt_from_form(form)
    except MalformedWebhook as exc:
        return _refuse(400, str(exc))
    if not receipt.known:
        log.warning("Twilio status %r not known: nothing recorded", receipt.reported)
    elif receipt.status is not None:
        await dispatcher.record_delivery(
            request.app[SERVICE], receipt.message_sid, receipt.status, receipt.error_code
        )
    return web.Response(text=EMPTY_TWIML, content_type="text/xml")
