"""The professionals around a family."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.network import Professional, ProfessionalKind
from bot.store.db import Database, from_ts, ts

Source = Database | aiosqlite.Connection


async def _all(source: Source, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
    if isinstance(source, Database):
        return await source.fetch_all(sql, params)
    async with source.execute(sql, tuple(params)) as cur:
        return list(await cur.fetchall())


def _professional(r: aiosqlite.Row) -> Professional:
    return Professional(
        id=r["id"],
        family_id=r["family_id"],
        kind=ProfessionalKind(r["kind"]),
        name=r["name"],
        role=r["role"],
        organisation=r["organisation"],
        address=r["address"],
        phone=r["phone"],
        secure_email=r["secure_email"],
        consent_to_share=bool(r["consent_to_share"]),
        consent_recorded_at=from_ts(r["consent_recorded_at"]),
        consent_recorded_by=r["consent_recorded_by"],
    )


async def for_family(source: Source, family_id: int) -> list[Professional]:
    rows = await _all(
        source, "SELECT * FROM professionals WHERE family_id = ? ORDER BY id", [family_id]
    )
    return [_professional(r) for r in rows]


async def get(source: Source, professional_id: int) -> Professional | None:
    rows = await _all(source, "SELECT * FROM professionals WHERE id = ?", [professional_id])
    return _professional(rows[0]) if rows else None


async def add(conn: aiosqlite.Connection, p: Professional, at: datetime) -> int:
    cursor = await conn.execute(
        "INSERT INTO professionals (family_id, kind, name, role, organisation, address, phone,"
        " secure_email, consent_to_share, consent_recorded_at, consent_recorded_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            p.family_id,
            p.kind.value,
            p.name,
            p.role,
            p.organisation,
            p.address,
            p.phone,
            p.secure_email,
            int(p.consent_to_share),
            ts(p.consent_recorded_at) if p.consent_recorded_at else None,
            p.consent_recorded_by,
            ts(at),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def set_consent(
    conn: aiosqlite.Connection, professional_id: int, consent: bool, by: str, at: datetime
) -> bool:
    cursor = await conn.execute(
        "UPDATE professionals SET consent_to_share = ?, consent_recorded_at = ?,"
        " consent_recorded_by = ? WHERE id = ?",
        (int(consent), ts(at), by, professional_id),
    )
    return cursor.rowcount == 1
