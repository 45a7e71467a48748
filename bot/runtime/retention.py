"""The retention job: applies policies/retention.toml and reports what it removed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.retention import cutoffs
from bot.store import audit
from bot.store import retention as retention_store

if TYPE_CHECKING:
    from bot.runtime.service import Service


async def apply_retention(service: Service, at: datetime) -> int:
    """Idempotent: a second pass at the same instant removes nothing and records nothing."""
    limits = cutoffs(service.policies.retention, at)
    async with service.db.transaction() as conn:
        counts = await retention_store.apply(conn, limits, at)
        removed = sum(counts.values())
        if removed:
            await audit.record(conn, at, "scheduler", "retention_applied", "", None, **counts)
    return removed
