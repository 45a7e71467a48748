"""Keeping within Telegram's sending limits: about 1 message a second to one chat, 30 overall."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

PER_CHAT_SECONDS = 1.0
OVERALL_SECONDS = 1 / 25  # a margin under Telegram's 30 a second


class Pacer:
    """Hands out send slots: a send waits for the later of its chat's slot and the overall one."""

    def __init__(
        self,
        per_chat: float = PER_CHAT_SECONDS,
        overall: float = OVERALL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._per_chat = per_chat
        self._overall = overall
        self._clock = clock
        self._sleep = sleep
        self._next_any = 0.0
        self._next_for_chat: dict[int, float] = {}

    def reserve(self, chat_id: int, now: float) -> float:
        """Claim the next slot for this chat; returns how long to wait for it."""
        start = max(now, self._next_any, self._next_for_chat.get(chat_id, now))
        self._next_any = start + self._overall
        self._next_for_chat[chat_id] = start + self._per_chat
        if len(self._next_for_chat) > 1000:  # forget chats whose slot has long passed
            self._next_for_chat = {c: t for c, t in self._next_for_chat.items() if t > now}
        return start - now

    async def wait(self, chat_id: int) -> None:
        delay = self.reserve(chat_id, self._clock())
        if delay > 0:
            await self._sleep(delay)
