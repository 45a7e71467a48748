"""One aiogram Dispatcher for the process: every update, webhook or polling, enters here."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.telegram import callbacks, commands, messages

_dispatcher: Dispatcher | None = None


def dispatcher() -> Dispatcher:
    """Built once: a Router belongs to one parent, and the routers are module-level."""
    global _dispatcher
    if _dispatcher is None:
        built = Dispatcher(name="cradle")
        built.include_routers(commands.router, callbacks.router, messages.router)
        _dispatcher = built
    return _dispatcher


async def feed(bot: Bot, raw: dict[str, Any], **data: Any) -> None:
    """Act on one update as stored; `data` (the service) reaches handlers as named arguments.

    The service is passed per update rather than set once with `dp["service"]`: the same
    dispatcher serves every service in the process (tests start several).
    """
    update = Update.model_validate(raw, context={"bot": bot})
    await dispatcher().feed_update(bot, update, **data)
