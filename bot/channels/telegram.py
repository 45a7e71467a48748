"""Telegram through aiogram: send one text, report what happened. Nothing more."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import InlineKeyboardMarkup, LinkPreviewOptions
from aiogram.utils.token import TokenValidationError

from bot.config import ConfigError, Settings
from bot.core.model import OutboundText, SendResult
from bot.store.telegram import AlertLookup
from bot.telegram.alerts import alert_keyboard
from bot.telegram.pacing import Pacer

log = logging.getLogger(__name__)

BLOCKED = "telegram_blocked"  # the person blocked the bot, or their account is gone


class TelegramTransport:
    """Sends by the Bot API at `CRADLE_TELEGRAM_API_URL`, paced within Telegram's limits."""

    name = "telegram"

    def __init__(self, settings: Settings, pacer: Pacer | None = None) -> None:
        assert settings.telegram_bot_token is not None
        try:
            self.bot = Bot(
                settings.telegram_bot_token,
                session=AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url)),
            )
        except TokenValidationError:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not a bot token: copy it from @BotFather,"
                " it looks like 123456789:ABC-def..."
            ) from None
        self.public_url = settings.public_url
        self.closed = False
        self._alerts = AlertLookup(settings.database)
        self._pacer = pacer or Pacer()

    @property
    def bot_id(self) -> int:
        return self.bot.id

    async def username(self) -> str:
        """The bot's @name (asked of Telegram once), for t.me links."""
        me = await self.bot.me()
        assert me.username is not None
        return me.username

    async def _keyboard(self, outbox_id: int) -> InlineKeyboardMarkup | None:
        try:
            escalation_id = await self._alerts.escalation_for(outbox_id)
        except Exception:  # the alert's text carries the console link: send it without buttons
            log.exception("could not look up buttons for outbox row %s", outbox_id)
            return None
        return alert_keyboard(escalation_id, self.public_url) if escalation_id else None

    async def send(self, text: OutboundText) -> SendResult:
        try:
            chat_id = int(text.recipient)
        except ValueError:
            return SendResult(ok=False, error_code="telegram_bad_recipient", error="not a chat id")
        keyboard = await self._keyboard(text.outbox_id)
        await self._pacer.wait(chat_id)
        try:
            sent = await self.bot.send_message(
                chat_id,
                text.body,
                reply_markup=keyboard,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except TelegramForbiddenError as exc:
            return SendResult(ok=False, error_code=BLOCKED, error=exc.message)
        except TelegramRetryAfter as exc:
            return SendResult(
                ok=False,
                temporary=True,
                error_code="telegram_429",
                error="flood control",
                retry_after=float(exc.retry_after),
            )
        except TelegramServerError as exc:
            return SendResult(
                ok=False, temporary=True, error_code="telegram_5xx", error=exc.message
            )
        except (TelegramNetworkError, ClientDecodeError) as exc:
            return SendResult(
                ok=False, temporary=True, error_code="telegram_network", error=str(exc)
            )
        except TelegramUnauthorizedError as exc:  # a wrong token is fixed by staff, then retried
            return SendResult(
                ok=False, temporary=True, error_code="telegram_unauthorized", error=exc.message
            )
        except TelegramAPIError as exc:  # chat not found, message too long, ...
            return SendResult(ok=False, error_code="telegram_rejected", error=exc.message)
        return SendResult(ok=True, provider_id=f"{chat_id}:{sent.message_id}")

    async def close(self) -> None:
        self.closed = True
        await self._alerts.close()
        await self.bot.session.close()
