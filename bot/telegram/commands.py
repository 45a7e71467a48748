"""Commands in the bot's chat: /start and /link bind it, /stop unbinds it, /messages on|off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message, Update

from bot.runtime import telegram

if TYPE_CHECKING:
    from bot.runtime.service import Service

router = Router(name="commands")


@router.message(CommandStart())
@router.message(Command("link"))
async def on_start(
    message: Message, command: CommandObject, service: Service, event_update: Update
) -> None:
    await telegram.start(
        service,
        chat_id=message.chat.id,
        update_id=event_update.update_id,
        private=message.chat.type == ChatType.PRIVATE,
        argument=command.args,
    )


@router.message(Command("stop"))
async def on_stop(message: Message, service: Service, event_update: Update) -> None:
    if message.chat.type != ChatType.PRIVATE:
        return
    await telegram.stop(service, chat_id=message.chat.id, update_id=event_update.update_id)


@router.message(Command("messages"))
async def on_messages(
    message: Message, command: CommandObject, service: Service, event_update: Update
) -> None:
    if message.chat.type != ChatType.PRIVATE:
        return
    await telegram.queue_notices(
        service, chat_id=message.chat.id, update_id=event_update.update_id, argument=command.args
    )
