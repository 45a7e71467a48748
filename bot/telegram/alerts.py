"""The buttons on an escalation alert, and reading them back when one is pressed."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

ACKNOWLEDGE_PREFIX = "ack:"


def console_url(public_url: str, escalation_id: int) -> str:
    return f"{public_url.rstrip('/')}/escalations/{escalation_id}"


def alert_keyboard(escalation_id: int, public_url: str) -> InlineKeyboardMarkup:
    """Acknowledge (answered by Cradle) and Open in console (a plain link)."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text="Acknowledge", callback_data=f"{ACKNOWLEDGE_PREFIX}{escalation_id}"
                ),
                InlineKeyboardButton(
                    text="Open in console", url=console_url(public_url, escalation_id)
                ),
            ]
        ]
    )


def acknowledged_keyboard(escalation_id: int, public_url: str) -> InlineKeyboardMarkup:
    """Once acknowledged, only the link stays: nobody presses Acknowledge twice."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text="Open in console", url=console_url(public_url, escalation_id)
                )
            ]
        ]
    )


def escalation_from_button(data: str | None) -> int | None:
    """The escalation id carried by an Acknowledge button, or None for anything else."""
    if not data or not data.startswith(ACKNOWLEDGE_PREFIX):
        return None
    digits = data.removeprefix(ACKNOWLEDGE_PREFIX)
    return int(digits) if digits.isdigit() else None
