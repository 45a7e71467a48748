"""A loopback stand-in for the Telegram Bot API, and updates posted to Cradle as Telegram would.

It answers `POST /bot{token}/{method}` (multipart form, urlencoded or JSON, as clients send)
with `{"ok": true, "result": ...}` and realistic objects for the methods Cradle uses.
Failures are switched on per test: the next N requests, or every send to a chat that has
blocked the bot. Every request is recorded.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.clock import Clock, parse_instant
from bot.runtime.service import Service
from bot.server import start_site
from tests.conftest import OPEN_TIME, Live, free_port, make_settings

BOT_TOKEN = "42:TEST"
BOT_ID = 42
BOT_USERNAME = "cradle_test_bot"
WEBHOOK_SECRET = "stand-in_secret-7f3a"

# What the real API answers for each failure mode: (HTTP status, description, parameters).
FAILURES: dict[str, tuple[int, str, dict[str, Any] | None]] = {
    "403": (403, "Forbidden: bot was blocked by the user", None),
    "429": (429, "Too Many Requests: retry after 7", {"retry_after": 7}),
    "500": (500, "Internal Server Error", None),
}


@dataclass(frozen=True)
class BotRequest:
    method: str
    params: dict[str, Any]
    outcome: str  # "ok", a failure mode, or "unauthorised"
    result: Any = None  # what the stand-in answered, when it answered ok


def _field(value: str) -> Any:
    """Clients send objects and lists inside form fields as JSON text."""
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


@dataclass
class TelegramStandIn:
    token: str = BOT_TOKEN
    requests: list[BotRequest] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)  # what getUpdates hands out
    webhook: dict[str, Any] = field(default_factory=dict)
    port: int = 0
    _next: list[str] = field(default_factory=list)
    _blocked: set[int] = field(default_factory=set)
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(501))
    _new_updates: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail_next(self, mode: str, times: int = 1) -> None:
        """The next `times` requests fail this way ("403", "429", "500")."""
        assert mode in FAILURES, mode
        self._next.extend([mode] * times)

    def block(self, chat_id: int) -> None:
        """This person blocked the bot: every send to them is refused with 403."""
        self._blocked.add(chat_id)

    def queue_update(self, update: dict[str, Any]) -> None:
        self.updates.append(update)
        self._new_updates.set()

    def calls(self, method: str, outcome: str = "ok") -> list[dict[str, Any]]:
        return [r.params for r in self.requests if r.method == method and r.outcome == outcome]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Messages delivered to this chat (as answered: with message_id), oldest first."""
        return [
            r.result
            for r in self.requests
            if r.method == "sendMessage" and r.outcome == "ok" and r.result["chat"]["id"] == chat_id
        ]

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        return {k: _field(str(v)) for k, v in form.items()}

    async def _method(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if not secrets.compare_digest(request.match_info["token"], self.token):
            self.requests.append(BotRequest(method, params, "unauthorised"))
            return _error(401, "Unauthorized")
        chat_id = params.get("chat_id")
        mode = None
        if method == "sendMessage" and chat_id is not None and int(chat_id) in self._blocked:
            mode = "403"
        elif self._next and method != "getUpdates":
            mode = self._next.pop(0)
        if mode is not None:
            self.requests.append(BotRequest(method, params, mode))
            status, description, parameters = FAILURES[mode]
            return _error(status, description, parameters)
        handler = getattr(self, f"_{method}", None)
        if handler is None:
            self.requests.append(BotRequest(method, params, "unknown method"))
            return _error(404, "Not Found: method not found")
        result = await handler(params)
        self.requests.append(BotRequest(method, params, "ok", result))
        return web.json_response({"ok": True, "result": result})

    async def _getMe(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return _bot_user() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        message = {
            "message_id": next(self._message_ids),
            "from": _bot_user(),
            "chat": {"id": int(params["chat_id"]), "first_name": "Test", "type": "private"},
            "date": int(time.time()),
            "text": params["text"],
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message

    async def _setWebhook(self, params: dict[str, Any]) -> bool:  # noqa: N802
        self.webhook = params
        return True

    async def _deleteWebhook(self, params: dict[str, Any]) -> bool:  # noqa: N802
        self.webhook = {}
        return True

    async def _answerCallbackQuery(self, params: dict[str, Any]) -> bool:  # noqa: N802
        return True

    async def _editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:  # noqa: N802
        return {
            "message_id": int(params["message_id"]),
            "from": _bot_user(),
            "chat": {"id": int(params["chat_id"]), "first_name": "Test", "type": "private"},
            "date": int(time.time()),
            "edit_date": int(time.time()),
            "text": "(edited)",
            "reply_markup": params.get("reply_markup"),
        }

    async def _getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:  # noqa: N802
        """Long polling: waits (up to the client's timeout) while there is nothing new."""
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        if not self.updates:
            self._new_updates.clear()
            try:
                await asyncio.wait_for(self._new_updates.wait(), float(params.get("timeout") or 0))
            except TimeoutError:
                pass
        return list(self.updates)

    async def start(self) -> TelegramStandIn:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._method)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        self._new_updates.set()
        if self._runner is not None:
            await self._runner.cleanup()


def _bot_user() -> dict[str, Any]:
    return {"id": BOT_ID, "is_bot": True, "first_name": "Cradle", "username": BOT_USERNAME}


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


@dataclass
class TelegramUpdates:
    """Builds updates as Telegram sends them, and posts them to Cradle's webhook with the secret."""

    http: aiohttp.ClientSession
    base: str  # where Cradle listens
    clock: Clock
    secret: str | None = WEBHOOK_SECRET
    _ids: itertools.count = field(default_factory=lambda: itertools.count(700_000_001))
    _message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def _date(self) -> int:
        return int(self.clock.now().timestamp())

    def _message(self, chat_id: int, first_name: str, **content: Any) -> dict[str, Any]:
        person = {"id": chat_id, "is_bot": False, "first_name": first_name, "language_code": "en"}
        return {
            "message_id": next(self._message_ids),
            "from": person,
            "chat": {"id": chat_id, "first_name": first_name, "type": "private"},
            "date": self._date(),
            **content,
        }

    def message(self, chat_id: int, first_name: str = "Chloe", **content: Any) -> dict[str, Any]:
        return {
            "update_id": next(self._ids),
            "message": self._message(chat_id, first_name, **content),
        }

    def text(self, chat_id: int, text: str, first_name: str = "Chloe") -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.message(chat_id, first_name, **content)

    def voice(self, chat_id: int, seconds: int) -> dict[str, Any]:
        voice = {
            "duration": seconds,
            "mime_type": "audio/ogg",
            "file_id": "AwACAgQAAxkBAAIBvoice",
            "file_unique_id": "AgADvoice",
            "file_size": 5300 * seconds,
        }
        return self.message(chat_id, voice=voice)

    def photo(self, chat_id: int, caption: str | None = None) -> dict[str, Any]:
        sizes = [
            {
                "file_id": f"AgACAgQAAxkBAAIBphoto{w}",
                "file_unique_id": f"AQADphoto{w}",
                "file_size": w * 40,
                "width": w,
                "height": w * 3 // 4,
            }
            for w in (90, 320, 1280)
        ]
        content: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self.message(chat_id, **content)

    def sticker(self, chat_id: int, emoji: str) -> dict[str, Any]:
        sticker = {
            "file_id": "CAACAgIAAxkBAAIBsticker",
            "file_unique_id": "AgADsticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "HotCherry",
            "file_size": 24000,
        }
        return self.message(chat_id, sticker=sticker)

    def video_note(self, chat_id: int, seconds: int) -> dict[str, Any]:
        note = {
            "file_id": "DQACAgQAAxkBAAIBnote",
            "file_unique_id": "AgADnote",
            "length": 240,
            "duration": seconds,
            "file_size": 90000,
        }
        return self.message(chat_id, video_note=note)

    def button(self, user_id: int, data: str, chat_id: int, message_id: int) -> dict[str, Any]:
        """Someone pressed an inline button under a message the bot sent."""
        alert = {
            "message_id": message_id,
            "from": _bot_user(),
            "chat": {"id": chat_id, "first_name": "Staff", "type": "private"},
            "date": self._date(),
            "text": "Cradle URGENT: ...",
        }
        return {
            "update_id": next(self._ids),
            "callback_query": {
                "id": str(4_000_000_000_000 + next(self._ids)),
                "from": {"id": user_id, "is_bot": False, "first_name": "Staff"},
                "message": alert,
                "chat_instance": "-3141592653589793",
                "data": data,
            },
        }

    async def post(
        self, update: dict[str, Any], *, secret: str | None = None, send_secret: bool = True
    ) -> tuple[int, str]:
        """POST the update as Telegram does: JSON, with the secret header unless told otherwise."""
        headers = {}
        if send_secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret or self.secret or ""
        async with self.http.post(
            self.base + "/webhooks/telegram", json=update, headers=headers
        ) as r:
            return r.status, await r.text()


@dataclass
class TelegramLive:
    """Cradle with Telegram through the real aiogram client, pointed at the stand-in."""

    live: Live
    telegram: TelegramStandIn
    updates: TelegramUpdates

    @property
    def service(self) -> Service:
        return self.live.service


@asynccontextmanager
async def running_with_telegram(
    tmp_path: Path, *, secret: str | None = WEBHOOK_SECRET, **env: object
) -> AsyncIterator[TelegramLive]:
    """The whole service on loopback (real SQLite file, frozen clock) with Telegram configured."""
    stand_in = await TelegramStandIn().start()
    port = free_port()
    extra: dict[str, object] = {
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "CRADLE_TELEGRAM_API_URL": stand_in.url,
        **env,
    }
    if secret is not None:
        extra["CRADLE_TELEGRAM_WEBHOOK_SECRET"] = secret
    settings = make_settings(tmp_path, port, **extra)
    service = await Service.create(settings, Clock(parse_instant(OPEN_TIME)))
    runner = await start_site(service, "127.0.0.1", port)
    try:
        async with aiohttp.ClientSession() as http:
            base = f"http://127.0.0.1:{port}"
            updates = TelegramUpdates(http, base, service.clock, secret)
            yield TelegramLive(Live(service, base, http), stand_in, updates)
    finally:
        await runner.cleanup()
        await service.close()
        await stand_in.stop()
