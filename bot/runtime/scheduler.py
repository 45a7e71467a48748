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


async def _reminders(service: Service, at: datetime) -> int:
    from bot.runtime.appointments import queue_due_reminders

    return await queue_due_reminders(service, at)


async def _engagement(service: Service, at: datetime) -> int:
    from bot.runtime.engagement import run_engagement

    return await run_engagement(service, at)


async def _six_month_follow_ups(service: Service, at: datetime) -> int:
    from bot.runtime.engagement import run_six_month_follow_ups

    return await run_six_month_follow_ups(service, at)


# Scheduled work: (name, async job(service, at) -> count). Each job is idempotent at an instant.
async def _telegram_queue_notices(service: Service, at: datetime) -> int:
    from bot.runtime.telegram import announce_queue_items

    return await announce_queue_items(service, at)


async def _retention(service: Service, at: datetime) -> int:
    from bot.runtime.retention import scheduled_retention

    return await scheduled_retention(service, at)


JOBS: list[tuple[str, object]] = [
    ("reminders", _reminders),
    ("engagement", _engagement),
    ("six_month_follow_ups", _six_month_follow_ups),
    ("telegram_queue_notices", _telegram_queue_notices),
    ("retention", _retention),
]


async def run(service: Service) -> None:
    while True:
        try:
            await tick(service)
        except Exception:
            log.exception("scheduler pass failed")
        await asyncio.sleep(TICK_SECONDS)
