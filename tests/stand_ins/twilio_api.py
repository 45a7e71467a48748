"""A loopback stand-in for the Twilio REST API (Messages), and Twilio's signed webhooks.

It answers `POST /2010-04-01/Accounts/{sid}/Messages.json` as Twilio does: Basic auth
checked, the message resource as JSON (201), and error bodies the real client turns into
`TwilioRestException`. Failures are switched on per test: the next N requests, or every
request to a number. Every request is recorded.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import aiohttp
from aiohttp import web
from twilio.request_validator import RequestValidator

from bot.channels.twilio_sms import TwilioTransport
from bot.clock import Clock, parse_instant
from bot.core.model import ChannelName
from bot.runtime.service import Service
from bot.server import start_site
from tests.conftest import OPEN_TIME, Live, free_port, make_settings

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "stand-in-auth-token-5f2b"
API_VERSION = "2010-04-01"

# What the real API answers for each failure mode: (HTTP status, Twilio code, message).
FAILURES: dict[str, tuple[int, int | None, str]] = {
    "429": (429, 20429, "Too Many Requests"),
    "500": (500, 20500, "An internal server error has occurred"),
    "503": (503, None, "Service Unavailable"),
    "21211": (400, 21211, "The 'To' number {to} is not a valid phone number."),
    "21610": (
        400,
        21610,
        "Attempt to send to unsubscribed recipient",
    ),
    "21614": (400, 21614, "'To' number {to} is not a mobile number"),
}
TIMEOUT = "timeout"  # hold the request open until the stand-in stops: the client gives up


@dataclass(frozen=True)
class SentMessage:
    """One request the stand-in received, as the form the client posted."""

    sid: str | None  # the message sid answered, None when it answered with an error
    account_sid: str
    to: str
    body: str
    from_: str | None
    messaging_service_sid: str | None
    status_callback: str | None
    authorised: bool
    outcome: str  # "created", a failure mode, or "unauthorised"


@dataclass
class TwilioStandIn:
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    requests: list[SentMessage] = field(default_factory=list)
    _next: list[str] = field(default_factory=list)
    _by_number: dict[str, str] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _release: asyncio.Event = field(default_factory=asyncio.Event)
    port: int = 0
    account_status: str = "active"
    # The account's phone numbers and where each sends incoming texts (its SMS webhook).
    numbers: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def created(self) -> list[SentMessage]:
        return [r for r in self.requests if r.sid is not None]

    def fail_next(self, mode: str, times: int = 1) -> None:
        """The next `times` requests fail this way ("429", "500", "timeout", "21211" ...)."""
        assert mode in FAILURES or mode == TIMEOUT, mode
        self._next.extend([mode] * times)

    def fail_for(self, number: str, mode: str) -> None:
        """Every request to this number fails this way (e.g. "21610" once they replied STOP)."""
        assert mode in FAILURES or mode == TIMEOUT, mode
        self._by_number[number] = mode

    def _authorised(self, request: web.Request, sid: str) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False
        return user == sid == self.account_sid and secrets.compare_digest(password, self.auth_token)

    async def _messages(self, request: web.Request) -> web.Response:
        sid = request.match_info["sid"]
        form = await request.post()
        to = str(form.get("To", ""))

        def record(outcome: str, message_sid: str | None = None) -> None:
            self.requests.append(
                SentMessage(
                    sid=message_sid,
                    account_sid=sid,
                    to=to,
                    body=str(form.get("Body", "")),
                    from_=_text(form.get("From")),
                    messaging_service_sid=_text(form.get("MessagingServiceSid")),
                    status_callback=_text(form.get("StatusCallback")),
                    authorised=outcome != "unauthorised",
                    outcome=outcome,
                )
            )

        if not self._authorised(request, sid):
            record("unauthorised")
            return _error(401, 20003, "Authenticate")
        mode = self._by_number.get(to) or (self._next.pop(0) if self._next else None)
        if mode == TIMEOUT:
            record(TIMEOUT)
            await self._release.wait()
            return _error(504, None, "Gateway Timeout")
        if mode is not None:
            record(mode)
            status, code, message = FAILURES[mode]
            return _error(status, code, message.format(to=to))
        if not to:
            record("21604")
            return _error(400, 21604, "A 'To' phone number is required.")
        if not (form.get("From") or form.get("MessagingServiceSid")):
            record("21603")
            return _error(400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required")
        message_sid = "SM" + secrets.token_hex(16)
        record("created", message_sid)
        return web.json_response(_resource(sid, message_sid, form), status=201)

    async def _account(self, request: web.Request) -> web.Response:
        """GET the account resource: a read-only call, as `cradle doctor` makes."""
        sid = request.match_info["sid"]
        if not self._authorised(request, sid):
            return _error(401, 20003, "Authenticate")
        uri = f"/{API_VERSION}/Accounts/{sid}"
        now = format_datetime(datetime.now(UTC), usegmt=True)
        return web.json_response(
            {
                "auth_token": self.auth_token,
                "date_created": now,
                "date_updated": now,
                "friendly_name": "Cradle stand-in",
                "owner_account_sid": sid,
                "sid": sid,
                "status": self.account_status,
                "subresource_uris": {
                    "incoming_phone_numbers": uri + "/IncomingPhoneNumbers.json",
                    "messages": uri + "/Messages.json",
                },
                "type": "Full",
                "uri": uri + ".json",
            }
        )

    async def _incoming_numbers(self, request: web.Request) -> web.Response:
        """GET IncomingPhoneNumbers.json, filtered by PhoneNumber as the real API does."""
        sid = request.match_info["sid"]
        if not self._authorised(request, sid):
            return _error(401, 20003, "Authenticate")
        wanted = request.query.get("PhoneNumber")
        uri = f"/{API_VERSION}/Accounts/{sid}/IncomingPhoneNumbers.json"
        listed = [
            {
                "account_sid": sid,
                "api_version": API_VERSION,
                "capabilities": {"sms": True, "mms": False, "voice": True, "fax": False},
                "friendly_name": number,
                "phone_number": number,
                "sid": "PN" + number.strip("+").rjust(32, "0"),
                "sms_method": "POST",
                "sms_url": sms_url,
                "status": "in-use",
                "uri": f"/{API_VERSION}/Accounts/{sid}/IncomingPhoneNumbers/PN{number}.json",
            }
            for number, sms_url in self.numbers.items()
            if wanted is None or wanted == number
        ]
        return web.json_response(
            {
                "end": max(len(listed) - 1, 0),
                "first_page_uri": uri + "?PageSize=50&Page=0",
                "incoming_phone_numbers": listed,
                "next_page_uri": None,
                "page": 0,
                "page_size": 50,
                "previous_page_uri": None,
                "start": 0,
                "uri": uri + "?PageSize=50&Page=0",
            }
        )

    async def start(self) -> TwilioStandIn:
        app = web.Application()
        app.router.add_post(f"/{API_VERSION}/Accounts/{{sid}}/Messages.json", self._messages)
        app.router.add_get(f"/{API_VERSION}/Accounts/{{sid}}.json", self._account)
        app.router.add_get(
            f"/{API_VERSION}/Accounts/{{sid}}/IncomingPhoneNumbers.json", self._incoming_numbers
        )
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _error(status: int, code: int | None, message: str) -> web.Response:
    more = f"https://www.twilio.com/docs/errors/{code}" if code else None
    return web.json_response(
        {"code": code, "message": message, "more_info": more, "status": status}, status=status
    )


def _resource(account_sid: str, message_sid: str, form) -> dict:  # noqa: ANN001
    """The message resource as the real API returns it on create."""
    now = format_datetime(datetime.now(UTC), usegmt=True)
    uri = f"/{API_VERSION}/Accounts/{account_sid}/Messages/{message_sid}"
    return {
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "body": form.get("Body", ""),
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": form.get("From"),
        "messaging_service_sid": form.get("MessagingServiceSid"),
        "num_media": "0",
        "num_segments": "1",
        "price": None,
        "price_unit": "GBP",
        "sid": message_sid,
        "status": "accepted" if form.get("MessagingServiceSid") else "queued",
        "subresource_uris": {"media": uri + "/Media.json"},
        "to": form.get("To"),
        "uri": uri + ".json",
    }


@dataclass
class TwilioWebhooks:
    """Posts to Cradle as Twilio does: form fields, signed over the public URL."""

    http: aiohttp.ClientSession
    base: str  # where Cradle listens
    public_url: str  # what Cradle is configured to believe Twilio calls
    auth_token: str = AUTH_TOKEN
    account_sid: str = ACCOUNT_SID
    our_number: str = "+447700900000"

    def sign(self, path: str, fields: dict[str, str], url: str | None = None) -> str:
        return RequestValidator(self.auth_token).compute_signature(
            url or self.public_url + path, fields
        )

    def sms_fields(self, sender: str, body: str, sid: str | None = None, **extra: str) -> dict:
        """The fields of a real inbound SMS webhook."""
        message_sid = sid or "SM" + secrets.token_hex(16)
        return {
            "ToCountry": "GB",
            "ToState": "",
            "SmsMessageSid": message_sid,
            "NumMedia": "0",
            "ToCity": "",
            "FromZip": "",
            "SmsSid": message_sid,
            "FromState": "",
            "SmsStatus": "received",
            "FromCity": "",
            "Body": body,
            "FromCountry": "GB",
            "To": self.our_number,
            "ToZip": "",
            "NumSegments": "1",
            "MessageSid": message_sid,
            "AccountSid": self.account_sid,
            "From": sender,
            "ApiVersion": API_VERSION,
            **extra,
        }

    def status_fields(self, message_sid: str, status: str, error_code: str | None = None) -> dict:
        fields = {
            "SmsSid": message_sid,
            "SmsStatus": status,
            "MessageStatus": status,
            "To": "+447700900101",
            "MessageSid": message_sid,
            "AccountSid": self.account_sid,
            "From": self.our_number,
            "ApiVersion": API_VERSION,
        }
        if error_code:
            fields["ErrorCode"] = error_code
        return fields

    async def post(
        self,
        path: str,
        fields: dict[str, str],
        *,
        signature: str | None = None,
        sign: bool = True,
        data: bytes | str | None = None,
        headers: dict | None = None,
    ) -> tuple[int, str]:
        """POST the fields (or raw `data`) with a good signature unless told otherwise."""
        sent_headers = dict(headers or {})
        if sign:
            sent_headers["X-Twilio-Signature"] = signature or self.sign(path, fields)
        payload = data if data is not None else fields
        if data is not None:
            sent_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        async with self.http.post(self.base + path, data=payload, headers=sent_headers) as r:
            return r.status, await r.text()

    async def sms(self, sender: str, body: str, **extra: str) -> tuple[int, str]:
        return await self.post("/webhooks/twilio/sms", self.sms_fields(sender, body, **extra))

    async def status(
        self, message_sid: str, status: str, error_code: str | None = None
    ) -> tuple[int, str]:
        fields = self.status_fields(message_sid, status, error_code)
        return await self.post("/webhooks/twilio/status", fields)


@dataclass
class TwilioLive:
    """Cradle with SMS through the real twilio client, pointed at the stand-in."""

    live: Live
    twilio: TwilioStandIn
    hooks: TwilioWebhooks

    @property
    def service(self) -> Service:
        return self.live.service


@asynccontextmanager
async def running_with_twilio(
    tmp_path: Path, *, send_timeout: float | None = None, **env: object
) -> AsyncIterator[TwilioLive]:
    """The whole service on loopback (real SQLite file, frozen clock) with Twilio configured.

    `send_timeout` shortens how long the client waits for Twilio (for the timeout tests).
    """
    async with AsyncExitStack() as cleanup:  # whatever started is stopped, even a failed start
        stand_in = await TwilioStandIn().start()
        cleanup.push_async_callback(stand_in.stop)
        port = free_port()
        settings = make_settings(
            tmp_path,
            port,
            TWILIO_ACCOUNT_SID=stand_in.account_sid,
            TWILIO_AUTH_TOKEN=stand_in.auth_token,
            TWILIO_FROM="+447700900000",
            CRADLE_TWILIO_API_URL=stand_in.url,
            **env,
        )
        transports = None
        if send_timeout is not None:
            transports = {ChannelName.SMS: TwilioTransport(settings, timeout=send_timeout)}
        service = await Service.create(settings, Clock(parse_instant(OPEN_TIME)), transports)
        cleanup.push_async_callback(service.close)
        runner = await start_site(service, "127.0.0.1", port)
        cleanup.push_async_callback(runner.cleanup)
        http = await cleanup.enter_async_context(aiohttp.ClientSession())
        base = f"http://127.0.0.1:{port}"
        hooks = TwilioWebhooks(http, base, settings.public_url.rstrip("/"))
        yield TwilioLive(Live(service, base, http), stand_in, hooks)
