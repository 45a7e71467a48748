"""Counts for the delivery dashboard: texts to parents by status, failures, acknowledgements."""

from __future__ import annotations

from datetime import datetime

from bot.store.db import Database, ts


async def statuses_since(db: Database, since: datetime) -> dict[str, int]:
    rows = await db.fetch_all(
        "SELECT status, count(*) AS n FROM outbox"
        " WHERE staff_id IS NULL AND created_at >= ? GROUP BY status",
        [ts(since)],
    )
    return {row["status"]: row["n"] for row in rows}


async def failures_by_code(db: Database, since: datetime) -> list[tuple[str | None, int]]:
    rows = await db.fetch_all(
        "SELECT error_code, count(*) AS n FROM outbox WHERE staff_id IS NULL"
        " AND status IN ('failed', 'undelivered') AND created_at >= ?"
        " GROUP BY error_code ORDER BY n DESC",
        [ts(since)],
    )
    return [(row["error_code"], row["n"]) for row in rows]


async def parents_failing(db: Database, since: datetime, at_least: int) -> list[dict]:
    """Parents with `at_least` failed texts since then whose latest text failed too."""
    rows = await db.fetch_all(
        "SELECT o.parent_id, p.name, p.family_id, f.reference, count(*) AS failures,"
        " max(o.created_at) AS last_failed,"
        " (SELECT error_code FROM outbox x WHERE x.parent_id = o.parent_id"
        "   AND x.status IN ('failed', 'undelivered') ORDER BY x.created_at DESC, x.id DESC"
        "   LIMIT 1) AS last_code"
        " FROM outbox o JOIN parents p ON p.id = o.parent_id"
        " JOIN families f ON f.id = p.family_id"
        " WHERE o.staff_id IS NULL AND o.status IN ('failed', 'undelivered')"
        " AND o.created_at >= ?"
        " AND NOT EXISTS (SELECT 1 FROM outbox later WHERE later.parent_id = o.parent_id"
        "   AND later.status = 'delivered' AND later.created_at > ("
        "     SELECT max(y.created_at) FROM outbox y WHERE y.parent_id = o.parent_id"
        "     AND y.status IN ('failed', 'undelivered')))"
        " GROUP BY o.parent_id HAVING count(*) >= ? ORDER BY failures DESC, last_failed DESC",
        [ts(since), at_least],
    )
    return [dict(row) for row in rows]


async def acknowledgements(db: Database, since: datetime) -> dict[str, int]:
    """Escalations raised since then: acknowledged before the first deadline passed (still
    at the first step of the chain), acknowledged later, and not yet acknowledged."""
    row = await db.fetch_one(
        "SELECT count(*) AS raised,"
        " coalesce(sum(acknowledged_at IS NOT NULL AND step = 0 AND acknowledged_at <= deadline),"
        "   0) AS within_deadline,"
        " coalesce(sum(acknowledged_at IS NOT NULL"
        "   AND NOT (step = 0 AND acknowledged_at <= deadline)), 0) AS late,"
        " coalesce(sum(acknowledged_at IS NULL AND status = 'open'), 0) AS still_open"
        " FROM escalations WHERE created_at >= ?",
        [ts(since)],
    )
    return dict(row) if row else {"raised": 0, "within_deadline": 0, "late": 0, "still_open": 0}
