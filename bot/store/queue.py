"""Queue items: work waiting for a practitioner, the administrator, or anyone (unassigned)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.core.model import QueueKind
from bot.store.db import Database, from_ts, ts


@dataclass(frozen=True)
class QueueItem:
    id: int
    kind: QueueKind
    audience: str
    practitioner_id: int | None
    family_id: int | None
    parent_id: int | None
    inbound_id: int | None
    appointment_id: int | None
    summary: str
    out_of_hours: bool
    status: str
    created_at: datetime
    urgent: bool = False


def _row(r: aiosqlite.Row) -> QueueItem:
    return QueueItem(
        id=r["id"],
        kind=QueueKind(r["kind"]),
        audience=r["audience"],
        practitioner_id=r["practitioner_id"],
        family_id=r["family_id"],
        parent_id=r["parent_id"],
        inbound_id=r["inbound_id"],
        appointment_id=r["appointment_id"],
        summary=r["summary"],
        out_of_hours=bool(r["out_of_hours"]),
        status=r["status"],
        created_at=from_ts(r["created_at"]),  # type: ignore[arg-type]
        urgent=bool(r["urgent"]),
    )


async def add(
    conn: aiosqlite.Connection,
    *,
    kind: QueueKind,
    audience: str,
    at: datetime,
    practitioner_id: int | None = None,
    family_id: int | None = None,
    parent_id: int | None = None,
    inbound_id: int | None = None,
    appointment_id: int | None = None,
    summary: str = "",
    out_of_hours: bool = False,
    urgent: bool = False,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO queue_items (kind, audience, practitioner_id, family_id, parent_id,"
        " inbound_id, appointment_id, summary, out_of_hours, created_at, urgent)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            kind.value,
            audience,
            practitioner_id,
            family_id,
            parent_id,
            inbound_id,
            appointment_id,
            summary,
            int(out_of_hours),
            ts(at),
            int(urgent),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def open_items(
    db: Database, *, audience: str, practitioner_id: int | None = None
) -> list[QueueItem]:
    """Open items: urgent first, then out-of-hours arrivals (they waited longest), then oldest."""
    sql = "SELECT * FROM queue_items WHERE status = 'open' AND audience = ?"
    params: list = [audience]
    if practitioner_id is not None:
        sql += " AND practitioner_id = ?"
        params.append(practitioner_id)
    sql += " ORDER BY urgent DESC, out_of_hours DESC, created_at, id"
    return [_row(r) for r in await db.fetch_all(sql, params)]


async def mark_handled(
    conn: aiosqlite.Connection, item_id: int, staff_id: int | None, at: datetime
) -> bool:
    cursor = await conn.execute(
        "UPDATE queue_items SET status = 'handled', handled_at = ?, handled_by = ?"
        " WHERE id = ? AND status = 'open'",
        (ts(at), staff_id, item_id),
    )
    return cursor.rowcount == 1


async def get(db: Database, item_id: int) -> QueueItem | None:
    row = await db.fetch_one("SELECT * FROM queue_items WHERE id = ?", [item_id])
    return _row(row) if row else None
