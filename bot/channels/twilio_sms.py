"""SMS through Twilio: send with the real client, read Twilio's webhook forms. Nothing more."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client

from bot.config import Settings
from bot.core.model import ChannelName, InboundMessage, OutboundText, OutboxStatus, SendResult
from bot.core.phones import PhoneNumberError, normalise_mobile

log = logging.getLogger(__name__)

STATUS_CALLBACK_PATH = "/webhooks/twilio/status"
E164 = re.compile(r"\+[1-9]\d{6,14}")
# Well inside the dispatcher's lease, so a slow send is never sent twice.
SEND_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class SendError:
    temporary: bool
    description: str  # ours, not Twilio's message: theirs repeats the phone number


# Twilio error codes a send can meet (https://www.twilio.com/docs/api/errors).
SEND_ERRORS: dict[int, SendError] = {
    20003: SendError(False, "Twilio refused our credentials"),
    20429: SendError(True, "Twilio asked us to slow down"),
    20500: SendError(True, "Twilio had an internal error"),
    20503: SendError(True, "Twilio was temporarily unavailable"),
    21211: SendError(False, "the number is not a valid phone number"),
    21408: SendError(False, "texts to this country are not enabled on the account"),
    21610: SendError(False, "the parent has blocked texts from us by replying STOP"),
    21612: SendError(False, "the number cannot be reached from our sending number"),
    21614: SendError(False, "the number is not a mobile and cannot receive texts"),
}

# When Twilio's reply carries no code we know: worth trying again, or not.
TEMPORARY_HTTP_STATUSES = frozenset({408, 429})

# MessageStatus in a status callback -> the outbox status it means. None: still on its way.
DELIVERY_STATUSES: dict[str, OutboxStatus | None] = {
    "accepted": None,
    "scheduled": None,
    "queued": None,
    "sending": None,
    "sent": OutboxStatus.SENT,
    "delivered": OutboxStatus.DELIVERED,
    "read": OutboxStatus.DELIVERED,
    "undelivered": OutboxStatus.UNDELIVERED,
    "failed": OutboxStatus.FAILED,
    "canceled": OutboxStatus.FAILED,
}

# What staff see instead of a media link, by content type, then by its first half.
MEDIA_KINDS = {
    "text/vcard": "contact card",
    "text/x-vcard": "contact card",
    "image": "photo",
    "audio": "voice note",
    "video": "video",
}


def result_for_error(exc: TwilioRestException) -> SendResult:
    """A Twilio error reply as a SendResult: known codes by table, the rest by HTTP status."""
    code = str(exc.code) if exc.code else None
    known = SEND_ERRORS.get(exc.code) if isinstance(exc.code, int) else None
    if known is not None:
        temporary, description = known.temporary, known.description
    else:
        temporary = exc.status in TEMPORARY_HTTP_STATUSES or exc.status >= 500
        description = f"Twilio answered {exc.status}"
    return SendResult(
        ok=False, temporary=temporary, error_code=code or f"http_{exc.status}", error=description
    )


class TwilioTransport:
    """Sends texts with the real twilio client; `base_url` comes from CRADLE_TWILIO_API_URL."""

    name = "twilio"

    def __init__(self, settings: Settings, timeout: float = SEND_TIMEOUT_SECONDS) -> None:
        assert settings.twilio_account_sid and settings.twilio_auth_token
        self._settings = settings
        self._timeout = timeout
        self._client: Client | None = None
        self._http: AsyncTwilioHttpClient | None = None
        self.send_rate = settings.twilio_send_rate  # per sender; the dispatcher keeps to it
        self.status_callback = settings.public_url.rstrip("/") + STATUS_CALLBACK_PATH

    def _ensure_client(self) -> Client:
        # AsyncTwilioHttpClient opens an aiohttp session, which needs the running loop.
        if self._client is None:
            self._http = AsyncTwilioHttpClient()
            client = Client(
                self._settings.twilio_account_sid,
                self._settings.twilio_auth_token,
                http_client=self._http,
            )
            client.api.base_url = self._settings.twilio_api_url.rstrip("/")
            self._client = client
        return self._client

    def _sender_fields(self) -> dict[str, str]:
        fields = {}
        if self._settings.twilio_from:
            fields["from_"] = self._settings.twilio_from.replace(" ", "")
        if self._settings.twilio_messaging_service_sid:
            fields["messaging_service_sid"] = self._settings.twilio_messaging_service_sid
        return fields

    async def send(self, text: OutboundText) -> SendResult:
        client = self._ensure_client()
        try:
            async with asyncio.timeout(self._timeout):
                message = await client.messages.create_async(
                    to=text.recipient,
                    body=text.body,
                    status_callback=self.status_callback,
                    **self._sender_fields(),
                )
        except TwilioRestException as exc:
            return result_for_error(exc)
        except TimeoutError:
            return SendResult(
                ok=False,
                temporary=True,
                error_code="timeout",
                error=f"no answer from Twilio within {self._timeout:g} s",
            )
        except (aiohttp.ClientError, OSError) as exc:
            return SendResult(
                ok=False, temporary=True, error_code="network", error=type(exc).__name__
            )
        return SendResult(ok=True, provider_id=message.sid)

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._client = self._http = None


class MalformedWebhook(ValueError):
    """A Twilio form that lacks what every such request carries; `field` names it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


def media_kind(content_types: list[str]) -> str | None:
    """'photo', 'voice note', '2 attachments' ...: what staff see in place of the media."""
    if not content_types:
        return None
    if len(content_types) > 1:
        return f"{len(content_types)} attachments"
    kind = content_types[0].split(";", 1)[0].strip().lower()
    return MEDIA_KINDS.get(kind) or MEDIA_KINDS.get(kind.split("/", 1)[0], "attachment")


def _sender(raw: str) -> str:
    """Twilio sends E.164 already; anything else (a short code) is kept as it came."""
    if E164.fullmatch(raw):
        return raw  # parsing with phonenumbers costs more than the rest of the intake
    try:
        return normalise_mobile(raw, strict=False)
    except PhoneNumberError:
        return raw


def _required(form: Mapping[str, str], field: str) -> str:
    value = form.get(field, "").strip()
    if not value:
        raise MalformedWebhook(field, "missing")
    return value


def inbound_from_form(form: Mapping[str, str], received_at: datetime) -> InboundMessage:
    """One inbound SMS or MMS from the fields Twilio posts (MessageSid, From, Body, NumMedia)."""
    sid = _required(form, "MessageSid")
    sender = _sender(_required(form, "From"))
    try:
        count = int(form.get("NumMedia", "0") or "0")
    except ValueError:
        raise MalformedWebhook("NumMedia", "not a whole number") from None
    if not 0 <= count <= 100:
        raise MalformedWebhook("NumMedia", "out of range")
    urls, types = [], []
    for index in range(count):
        url = form.get(f"MediaUrl{index}")
        if url:
            urls.append(url)
            types.append(form.get(f"MediaContentType{index}", ""))
    return InboundMessage(
        channel=ChannelName.SMS,
        external_id=sid,
        sender=sender,
        body=form.get("Body", ""),
        received_at=received_at,
        media=tuple(urls),
        media_kind=media_kind(types),
    )


@dataclass(frozen=True)
class DeliveryReceipt:
    message_sid: str
    status: OutboxStatus | None  # None: still on its way (or a status we do not know)
    reported: str  # MessageStatus as Twilio sent it
    error_code: str | None

    @property
    def known(self) -> bool:
        return self.reported in DELIVERY_STATUSES


def receipt_from_form(form: Mapping[str, str]) -> DeliveryReceipt:
    """A status callback's MessageSid, MessageStatus and ErrorCode, with the status translated."""
    sid = _required(form, "MessageSid")
    reported = _required(form, "MessageStatus").lower()
    code = form.get("ErrorCode", "").strip() or None
    # A status Twilio adds later is recorded as nothing, not refused: the webhook logs it.
    return DeliveryReceipt(sid, DELIVERY_STATUSES.get(reported), reported, code)
