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
BATCH = 2000  # rows of each kind a transaction; about 20 ms of holding the write lock


async def scheduled_retention(service: Service, at: datetime) -> int:
    """The scheduler's job: at most once an hour in a running service (each `cradle tick`
    is a new process, so it always applies)."""
    last = service.last_runs.get("retention")
    if last is not None and last <= at < last + EVERY:
        return 0
    service.last_runs["retention"] = at
    return await apply_retention(service, at)


async def apply_retention(service: Service, at: datetime) -> int:
    """Idempotent: a second pass at the same instant removes nothing and records nothing.

    Works in batches, each its own short transaction, so a first pass over years of
    records never holds up incoming messages; one audit entry gives the totals.
    """
    limits = cutoffs(service.policies.retention, at)
    totals = dict.fromkeys(retention_store.KINDS, 0)
    while True:
        async with service.db.transaction() as conn:
            counts = await retention_store.apply(conn, limits, at, BATCH)
            for kind, n in counts.items():
                totals[kind] += n
            more = any(n >= BATCH for n in counts.values())
            if not more and sum(totals.values()):
                await audit.record(conn, at, "scheduler", "retention_applied", "", None, **totals)
        if not more:
            return sum(totals.values())
