"""The retention job: applies policies/retention.toml and reports what it removed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.retention import cutoffs
from bot.store import audit
from bot.store import retention as retention_store

if TYPE_CHECKING:
    from bot.runtime.service import Service


# Months-long periods need no 30-second precision; an hourly pass keeps the write lock free.
EVERY = timedelta(hours=1)


async def scheduled_retention(service: Service, at: datetime) -> int:
    """The scheduler's job: at most once an hour in a running service (each `cradle tick`
    is a new process, so it always applies)."""
    last = service.last_runs.get("retention")
    if last is not None and last <= at < last + EVERY:
        return 0
    service.last_runs["retention"] = at
    return await apply_retention(service, at)


async def apply_retention(service: Service, at: datetime) -> int:
    """Idempotent: a second pass at the same instant removes nothing and records nothing."""
    limits = cutoffs(service.policies.retention, at)
    async with service.db.transaction() as conn:
        counts = await retention_store.apply(conn, limits, at)
        removed = sum(counts.values())
        if removed:
            await audit.record(conn, at, "scheduler", "retention_applied", "", None, **counts)
    return removed
