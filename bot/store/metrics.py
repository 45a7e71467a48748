"""Figures for monitoring, counted from the database: they survive restarts and agree
across processes, because the database is where the truth is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.store.db import Database, from_ts, ts


@dataclass
class Figures:
    inbound_by_channel: dict[str, int] = field(default_factory=dict)
    triaged_by_level: dict[str, int] = field(default_factory=dict)
    inbound_unprocessed: int = 0
    oldest_unprocessed_seconds: float = 0.0
    escalations_open: dict[str, int] = field(default_factory=dict)
    escalations_overdue: dict[str, int] = field(default_factory=dict)
    outbox_by_status: dict[str, int] = field(default_factory=dict)
    outbox_due: int = 0
    oldest_due_seconds: float = 0.0
    sends_by_status_and_error: dict[tuple[str, str, str], int] = field(default_factory=dict)


def _age(now: datetime, text: str | None) -> float:
    when = from_ts(text)
    return max(0.0, (now - when).total_seconds()) if when else 0.0


async def figures(db: Database, now: datetime) -> Figures:
    found = Figures()
    at = ts(now)
    for row in await db.fetch_all("SELECT channel, count(*) AS n FROM inbound GROUP BY channel"):
        found.inbound_by_channel[row["channel"]] = row["n"]
    for row in await db.fetch_all(
        "SELECT risk, count(*) AS n FROM inbound WHERE risk IS NOT NULL GROUP BY risk"
    ):
        found.triaged_by_level[row["risk"]] = row["n"]
    ready = await figures_for_readiness(db, now)
    found.inbound_unprocessed = ready.inbound_unprocessed
    found.oldest_unprocessed_seconds = ready.oldest_unprocessed_seconds
    found.outbox_due, found.oldest_due_seconds = ready.outbox_due, ready.oldest_due_seconds
    for row in await db.fetch_all(
        "SELECT level, count(*) AS n, sum(deadline < ?) AS overdue FROM escalations"
        " WHERE status = 'open' GROUP BY level",
        [at],
    ):
        found.escalations_open[row["level"]] = row["n"]
        found.escalations_overdue[row["level"]] = row["overdue"] or 0
    for row in await db.fetch_all("SELECT status, count(*) AS n FROM outbox GROUP BY status"):
        found.outbox_by_status[row["status"]] = row["n"]
    for row in await db.fetch_all(
        "SELECT channel, status, coalesce(error_code, '') AS code, count(*) AS n FROM outbox"
        " WHERE status IN ('sent', 'delivered', 'undelivered', 'failed')"
        " GROUP BY channel, status, code"
    ):
        found.sends_by_status_and_error[(row["channel"], row["status"], row["code"])] = row["n"]
    return found


async def figures_for_readiness(db: Database, now: datetime) -> Figures:
    """Only what /readyz needs: two indexed queries, cheap enough to poll often."""
    found = Figures()
    at = ts(now)
    row = await db.fetch_one(
        "SELECT count(*) AS n, min(received_at) AS oldest FROM inbound WHERE processed_at IS NULL"
    )
    if row:
        found.inbound_unprocessed = row["n"]
        found.oldest_unprocessed_seconds = _age(now, row["oldest"])
    row = await db.fetch_one(
        "SELECT count(*) AS n, min(not_before) AS oldest FROM outbox"
        " WHERE status IN ('queued', 'sending') AND not_before <= ?",
        [at],
    )
    if row:
        found.outbox_due = row["n"]
        found.oldest_due_seconds = _age(now, row["oldest"])
    return found
