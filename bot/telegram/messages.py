"""Everything else a person sends (text, voice notes, photos, stickers): routed, never dropped."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aiogram import Router
from aiogram.enums import ChatType
from aiogram.types import Message, Update

from bot.runtime import telegram
from bot.runtime.telegram import Content

if TYPE_CHECKING:
    from bot.runtime.service import Service

router = Router(name="messages")


def duration(seconds: int) -> str:
    """0:23, 12:05, 1:02:09."""
    hours, rest = divmod(max(0, seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def describe(message: Message) -> Content:
    """What staff are shown for a message: its words, and what any attachment is."""
    body = message.text or message.caption or ""
    if message.voice:
        kind, file_id = f"voice note, {duration(message.voice.duration)}", message.voice.file_id
    elif message.video_note:
        kind, file_id = (
            f"video message, {duration(message.video_note.duration)}",
            message.video_note.file_id,
        )
    elif message.audio:
        kind, file_id = f"audio, {duration(message.audio.duration)}", message.audio.file_id
    elif message.video:
        kind, file_id = f"video, {duration(message.video.duration)}", message.video.file_id
    elif message.animation:  # a GIF also arrives as a document: look at this first
        kind, file_id = "GIF", message.animation.file_id
    elif message.photo:
        kind, file_id = "photo", message.photo[-1].file_id  # the largest size
    elif message.sticker:
        kind = f"sticker {message.sticker.emoji}" if message.sticker.emoji else "sticker"
        file_id = message.sticker.file_id
    elif message.document:
        kind, file_id = "document", message.document.file_id
    elif message.location:
        where = f"geo:{message.location.latitude},{message.location.longitude}"
        return Content(body, (where,), "location")
    elif message.contact:
        card = f"tel:{message.contact.phone_number}" if message.contact.phone_number else ""
        return Content(body, (card,) if card else (), "contact card")
    elif message.text is not None:
        return Content(body)
    else:
        return Content(body, (), "a kind of message Cradle cannot show: see it in Telegram")
    return Content(body, (f"telegram:{file_id}",), kind)


@router.message()
async def on_message(message: Message, service: Service, event_update: Update) -> None:
    await telegram.receive(
        service,
        chat_id=message.chat.id,
        update_id=event_update.update_id,
        private=message.chat.type == ChatType.PRIVATE,
        content=describe(message),
        sent_at=message.date,
    )


@router.edited_message()
async def on_edit(message: Message, service: Service, event_update: Update) -> None:
    """An edit may change what a message says, so it is triaged again as a message of its own."""
    content = describe(message)
    kind = f"edited {content.media_kind}" if content.media_kind else "edited message"
    await telegram.receive(
        service,
        chat_id=message.chat.id,
        update_id=event_update.update_id,
        private=message.chat.type == ChatType.PRIVATE,
        content=Content(content.body, content.media, kind),
        sent_at=datetime.fromtimestamp(message.edit_date, UTC)
        if message.edit_date
        else message.date,
    )
