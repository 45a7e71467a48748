"""Buttons pressed under an alert: Acknowledge, for staff allowed to acknowledge it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message

from bot.runtime import telegram
from bot.telegram import texts
from bot.telegram.alerts import ACKNOWLEDGE_PREFIX, acknowledged_keyboard, escalation_from_button

if TYPE_CHECKING:
    from bot.runtime.service import Service

log = logging.getLogger(__name__)

router = Router(name="callbacks")


@router.callback_query(F.data.startswith(ACKNOWLEDGE_PREFIX))
async def on_acknowledge(callback: CallbackQuery, service: Service) -> None:
    escalation_id = escalation_from_button(callback.data)
    if escalation_id is None:
        outcome = telegram.Acknowledgement(False, texts.NOT_FOUND)
    else:
        outcome = await telegram.acknowledge_from_chat(
            service, escalation_id, callback.from_user.id
        )
    # The acknowledgement is recorded above; telling Telegram is a courtesy that may fail.
    try:
        await callback.answer(outcome.text, show_alert=not outcome.done)
    except TelegramAPIError:
        log.warning("could not answer a button press", exc_info=True)
    if outcome.done and escalation_id is not None and isinstance(callback.message, Message):
        try:
            await callback.message.edit_reply_markup(
                reply_markup=acknowledged_keyboard(escalation_id, service.settings.public_url)
            )
        except TelegramAPIError:
            log.warning("could not take the Acknowledge button off an alert", exc_info=True)


@router.callback_query()
async def on_other_button(callback: CallbackQuery) -> None:
    """A button Cradle no longer knows: stop the spinner and nothing else."""
    try:
        await callback.answer()
    except TelegramAPIError:
        log.warning("could not answer a button press", exc_info=True)
