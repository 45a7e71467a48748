"""The built-in simulators: texts are 'delivered' at once and shown on /simulator."""

from __future__ import annotations

import itertools

from bot.core.model import OutboundText, SendResult


class SimulatorTransport:
    """Stands in for an SMS provider in `cradle demo`; the outbox row is the phone's record."""

    name = "simulator"

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self.sent: list[OutboundText] = []

    async def send(self, text: OutboundText) -> SendResult:
        self.sent.append(text)
        provider_id = f"SIM{text.outbox_id:06d}-{next(self._ids)}"
        return SendResult(ok=True, provider_id=provider_id, delivered=True)

    async def close(self) -> None:
        return None


class SimulatorTelegram(SimulatorTransport):
    """Telegram for staff in `cradle demo`, which never talks to Telegram.

    An escalation alert queued for a member of staff's linked chat appears on their phone in
    the simulator with its Acknowledge button; pressing it runs the same acknowledgement as
    the button under a real Telegram alert.
    """

    bot_id = 0  # no real bot: stored updates of a real one are never mistaken for these

    async def username(self) -> str:
        return "cradle_demo_bot"
