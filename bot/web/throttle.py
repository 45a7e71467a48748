"""Taking turns: sign-in attempts from a noisy address wait for their slot (bot/core/signin)."""

from __future__ import annotations

import asyncio
import time

from aiohttp import web

from bot.core.signin import address_wait

_PRUNE_ABOVE = 10_000  # addresses remembered before the ones long free are forgotten


class AddressThrottle:
    """When each address may next try to sign in (this process only)."""

    def __init__(self) -> None:
        self._next_free: dict[str, float] = {}

    async def wait_turn(self, address: str, attempts: int) -> None:
        """Wait for this address's turn (never refused; at most MAX_WAIT_SECONDS)."""
        now = time.monotonic()
        wait, next_free = address_wait(attempts, now, self._next_free.get(address, 0.0))
        if wait:
            self._next_free[address] = next_free
            self._prune(now)
            await asyncio.sleep(wait)

    def _prune(self, now: float) -> None:
        if len(self._next_free) > _PRUNE_ABOVE:
            self._next_free = {a: t for a, t in self._next_free.items() if t > now}


THROTTLE = web.AppKey("cradle_sign_in_throttle", AddressThrottle)
