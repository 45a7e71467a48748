"""Letters: waiting to be printed and posted, sent, drafted for a practitioner, or withdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.core.letters import LetterDraft
from bot.store.db import Database, from_ts, ts

STATUSES = ("draft", "waiting", "sent", "withdrawn")


@dataclass(frozen=True)
class Letter:
    id: int
    kind: str
    family_id: int
    family_reference: str
    appointment_id: int | None
    appointment_version: int | None
    locale: str
    addressed_to: str
    body: str
    status: str
    created_at: datetime
    sent_at: datetime | None
    sent_by: str | None


def _letter(r: aiosqlite.Row) -> Letter:
    return Letter(
        id=r["id"],
        kind=r["kind"],
        family_id=r["family_id"],
        family_reference=r["reference"],
        appointment_id=r["appointment_id"],
        appointment_version=r["appointment_version"],
        locale=r["locale"],
        addressed_to=r["addressed_to"],
        body=r["body"],
        status=r["status"],
        created_at=from_ts(r["created_at"]),  # type: ignore[arg-type]
        sent_at=from_ts(r["sent_at"]),
        sent_by=r["sent_by"],
    )


_SELECT = "SELECT l.*, f.reference FROM letters l JOIN families f ON f.id = l.family_id"


async def add(
    conn: aiosqlite.Connection,
    draft: LetterDraft,
    at: datetime,
    *,
    status: str = "waiting",
    appointment_version: int | None = None,
) -> int:
    cursor = await conn.execute(
        "INSERT INTO letters (kind, family_id, appointment_id, appointment_version, locale,"
        " addressed_to, body, status, created_at, professional_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            draft.kind,
            draft.family_id,
            draft.appointment_id,
            appointment_version,
            draft.locale,
            draft.addressed_to,
            draft.body,
            status,
            ts(at),
            draft.professional_id,
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def get(db: Database, letter_id: int) -> Letter | None:
    row = await db.fetch_one(f"{_SELECT} WHERE l.id = ?", [letter_id])
    return _letter(row) if row else None


async def listing(db: Database, status: str | None = None, limit: int = 500) -> list[Letter]:
    """Letters oldest first (the next to print at the top), optionally of one status."""
    if status is None:
        rows = await db.fetch_all(f"{_SELECT} ORDER BY l.created_at, l.id LIMIT ?", [limit])
    else:
        rows = await db.fetch_all(
            f"{_SELECT} WHERE l.status = ? ORDER BY l.created_at, l.id LIMIT ?", [status, limit]
        )
    return [_letter(r) for r in rows]


async def for_family(db: Database, family_id: int) -> list[Letter]:
    rows = await db.fetch_all(f"{_SELECT} WHERE l.family_id = ? ORDER BY l.id", [family_id])
    return [_letter(r) for r in rows]


async def mark_sent(conn: aiosqlite.Connection, letter_id: int, by: str, at: datetime) -> bool:
    cursor = await conn.execute(
        "UPDATE letters SET status = 'sent', sent_at = ?, sent_by = ?"
        " WHERE id = ? AND status = 'waiting'",
        (ts(at), by, letter_id),
    )
    return cursor.rowcount == 1


async def approve(conn: aiosqlite.Connection, letter_id: int) -> bool:
    """A checked draft joins the letters waiting to be printed."""
    cursor = await conn.execute(
        "UPDATE letters SET status = 'waiting' WHERE id = ? AND status = 'draft'", (letter_id,)
    )
    return cursor.rowcount == 1


async def withdraw_for_appointment(
    conn: aiosqlite.Connection, appointment_id: int, at: datetime
) -> int:
    """Letters about an appointment that changed or was called off are not to be posted."""
    cursor = await conn.execute(
        "UPDATE letters SET status = 'withdrawn', withdrawn_at = ?"
        " WHERE appointment_id = ? AND status IN ('draft', 'waiting')"
        " AND kind IN ('appointment', 'invitation')",
        (ts(at), appointment_id),
    )
    return cursor.rowcount


async def exists_for_professional(
    conn: aiosqlite.Connection, professional_id: int, kind: str
) -> bool:
    async with conn.execute(
        "SELECT 1 FROM letters WHERE professional_id = ? AND kind = ? AND status != 'withdrawn'",
        (professional_id, kind),
    ) as cursor:
        return await cursor.fetchone() is not None
