"""Who may receive an automated text, and on which channel."""

from __future__ import annotations

from bot.core.model import ChannelName, Parent


def why_not_contactable(parent: Parent) -> str | None:
    """The reason nothing automated may go to this parent, or None if a text may be sent."""
    if parent.do_not_contact:
        reason = parent.do_not_contact_reason.strip()
        return "marked do not contact" + (f" ({reason})" if reason else "")
    if parent.unsafe_to_text:
        reason = parent.unsafe_to_text_reason.strip()
        return "not safe to text" + (f" ({reason})" if reason else "")
    if parent.opted_out:
        return "opted out of texts"
    if not parent.consent_to_text:
        return "no consent to text"
    if route_for(parent) is None:
        return "no mobile number or linked Telegram"
    return None


def route_for(parent: Parent) -> tuple[ChannelName, str] | None:
    """(channel, address) for this parent: their preferred channel where it is usable, else SMS."""
    if parent.channel is ChannelName.TELEGRAM and parent.telegram_chat_id:
        return ChannelName.TELEGRAM, str(parent.telegram_chat_id)
    if parent.mobile:
        return ChannelName.SMS, parent.mobile
    if parent.telegram_chat_id:
        return ChannelName.TELEGRAM, str(parent.telegram_chat_id)
    return None
