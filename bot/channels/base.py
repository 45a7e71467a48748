"""The one small interface every outbound transport implements."""

from __future__ import annotations

from typing import Protocol

from bot.core.model import OutboundText, SendResult


class Transport(Protocol):
    name: str

    async def send(self, text: OutboundText) -> SendResult:
        """Hand one text to the provider; never raises for provider errors, reports them."""
        ...

    async def close(self) -> None: ...
