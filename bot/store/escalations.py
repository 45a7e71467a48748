"""Escalations and who has been told about them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.core.model import Risk
from bot.store.db import Database, from_ts, ts


@dataclass(frozen=True)
class EscalationRow:
    id: int
    inbound_id: int | None
    family_id: int | None
    parent_id: int | None
    level: Risk
    reasons: list[str]
    chain: str
    step: int
    deadline: datetime
    status: str
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: int | None
    action_taken: str | None
    closed_at: datetime | None = None
    closed_by: int | None = None


def _row(r: aiosqlite.Row) -> EscalationRow:
    return EscalationRow(
        id=r["id"],
        inbound_id=r["inbound_id"],
        family_id=r["family_id"],
        parent_id=r["parent_id"],
        level=Risk(r["level"]),
        reasons=json.loads(r["reasons"]),
        chain=r["chain"],
        step=r["step"],
        deadline=from_ts(r["deadline"]),  # type: ignore[arg-type]
        status=r["status"],
        created_at=from_ts(r["created_at"]),  # type: ignore[arg-type]
        acknowledged_at=from_ts(r["acknowledged_at"]),
        acknowledged_by=r["acknowledged_by"],
        action_taken=r["action_taken"],
        closed_at=from_ts(r["closed_at"]),
        closed_by=r["closed_by"],
    )


async def create(
    conn: aiosqlite.Connection,
    *,
    inbound_id: int | None,
    family_id: int | None,
    parent_id: int | None,
    level: Risk,
    reasons: list[str],
    chain: str,
    deadline: datetime,
    at: datetime,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO escalations (inbound_id, family_id, parent_id, level, reasons, chain, step,"
        " deadline, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
        (
            inbound_id,
            family_id,
            parent_id,
            level.value,
            json.dumps(reasons),
            chain,
            ts(deadline),
            ts(at),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def record_notice(
    conn: aiosqlite.Connection,
    escalation_id: int,
    step: int,
    staff_id: int | None,
    recipient: str,
    channel: str,
    at: datetime,
) -> bool:
    cursor = await conn.execute(
        "INSERT INTO escalation_notices (escalation_id, step, staff_id, recipient, channel, at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (escalation_id, step, staff_id, recipient, channel, ts(at)),
    )
    return cursor.rowcount == 1


async def due(conn: aiosqlite.Connection, at: datetime) -> list[EscalationRow]:
    async with conn.execute(
        "SELECT * FROM escalations WHERE status = 'open' AND deadline <= ? ORDER BY deadline",
        (ts(at),),
    ) as cur:
        return [_row(r) for r in await cur.fetchall()]


async def climb(
    conn: aiosqlite.Connection, escalation_id: int, step: int, deadline: datetime
) -> None:
    await conn.execute(
        "UPDATE escalations SET step = ?, deadline = ? WHERE id = ? AND status = 'open'",
        (step, ts(deadline), escalation_id),
    )


async def acknowledge(
    conn: aiosqlite.Connection, escalation_id: int, staff_id: int, at: datetime
) -> bool:
    cursor = await conn.execute(
        "UPDATE escalations SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?"
        " WHERE id = ? AND status = 'open'",
        (ts(at), staff_id, escalation_id),
    )
    return cursor.rowcount == 1


async def close(
    conn: aiosqlite.Connection, escalation_id: int, staff_id: int, action_taken: str, at: datetime
) -> bool:
    cursor = await conn.execute(
        "UPDATE escalations SET status = 'closed', closed_at = ?, closed_by = ?, action_taken = ?,"
        " acknowledged_at = coalesce(acknowledged_at, ?),"
        " acknowledged_by = coalesce(acknowledged_by, ?)"
        " WHERE id = ? AND status != 'closed'",
        (ts(at), staff_id, action_taken, ts(at), staff_id, escalation_id),
    )
    return cursor.rowcount == 1


async def get(db: Database, escalation_id: int) -> EscalationRow | None:
    row = await db.fetch_one("SELECT * FROM escalations WHERE id = ?", [escalation_id])
    return _row(row) if row else None


async def listing(db: Database, status: str | None = None) -> list[EscalationRow]:
    if status:
        rows = await db.fetch_all(
            "SELECT * FROM escalations WHERE status = ? ORDER BY deadline", [status]
        )
    else:
        rows = await db.fetch_all("SELECT * FROM escalations ORDER BY id DESC")
    return [_row(r) for r in rows]


async def notices(db: Database, escalation_id: int) -> list[dict]:
    rows = await db.fetch_all(
        "SELECT * FROM escalation_notices WHERE escalation_id = ? ORDER BY id", [escalation_id]
    )
    return [dict(r) for r in rows]


async def add_cover(
    conn: aiosqlite.Connection,
    practitioner_id: int,
    cover_id: int,
    starts: date,
    ends: date,
    at: datetime,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO cover (practitioner_id, cover_id, starts_on, ends_on, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (practitioner_id, cover_id, starts.isoformat(), ends.isoformat(), ts(at)),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def cover_in_force(db: Database | aiosqlite.Connection, on: date) -> dict[int, int]:
    """practitioner id -> covering practitioner id, for cover that includes this day."""
    sql = (
        "SELECT practitioner_id, cover_id FROM cover"
        " WHERE starts_on <= ? AND ends_on >= ? ORDER BY id"
    )
    params = (on.isoformat(), on.isoformat())
    if isinstance(db, Database):
        rows = await db.fetch_all(sql, params)
    else:
        async with db.execute(sql, params) as cur:
            rows = list(await cur.fetchall())
    return {r[0]: r[1] for r in rows}


async def link_to_parent(
    conn: aiosqlite.Connection, escalation_id: int, family_id: int, parent_id: int
) -> bool:
    """An escalation from an unmatched number, now known to be this parent's."""
    cursor = await conn.execute(
        "UPDATE escalations SET family_id = ?, parent_id = ? WHERE id = ? AND parent_id IS NULL",
        (family_id, parent_id, escalation_id),
    )
    return cursor.rowcount == 1
