"""The scheduler: one idempotent pass over everything that falls due at an instant."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.runtime.service import Service

log = logging.getLogger(__name__)

TICK_SECONDS = 30.0


@dataclass
class TickReport:
    at: datetime
    counts: dict[str, int] = field(default_factory=dict)

    def total(self) -> int:
        return sum(self.counts.values())


async def tick(service: Service, at: datetime | None = None) -> TickReport:
    """Enqueue what is due at `at`; a second pass at the same instant enqueues nothing new."""
    from bot.runtime import escalations

    at = at or service.now()
    report = TickReport(at)
    report.counts["escalations_climbed"] = await escalations.climb_due(service, at)
    for name, job in JOBS:
        report.counts[name] = await job(service, at)
    service.wake_outbox()
    return report


# Further scheduled work registers here: (name, async job(service, at) -> count).
JOBS: list[tuple[str, object]] = []


async def run(service: Service) -> None:
    while True:
        try:
            await tick(service)
        except Exception:
            log.exception("scheduler pass failed")
        await asyncio.sleep(TICK_SECONDS)
