"""The built-in SMS simulator: texts are 'delivered' at once and shown on /simulator."""

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
