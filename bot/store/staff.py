"""Staff accounts."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.core.model import Role, Staff
from bot.store.db import Database, ts


def _staff(row: aiosqlite.Row) -> Staff:
    return Staff(
        id=row["id"],
        name=row["name"],
        role=Role(row["role"]),
        email=row["email"],
        mobile=row["mobile"],
        telegram_chat_id=row["telegram_chat_id"],
        active=bool(row["active"]),
        must_change_password=bool(row["must_change_password"]),
    )


async def add(
    conn: aiosqlite.Connection, staff: Staff, at: datetime, password_hash: str | None = None
) -> int:
    cursor = await conn.execute(
        "INSERT INTO staff (name, role, email, mobile, telegram_chat_id, password_hash, active,"
        " created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            staff.name,
            staff.role.value,
            staff.email,
            staff.mobile,
            staff.telegram_chat_id,
            password_hash,
            int(staff.active),
            ts(at),
        ),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def get(db: Database, staff_id: int) -> Staff | None:
    row = await db.fetch_one("SELECT * FROM staff WHERE id = ?", [staff_id])
    return _staff(row) if row else None


async def all_staff(db: Database) -> list[Staff]:
    return [_staff(r) for r in await db.fetch_all("SELECT * FROM staff ORDER BY name")]


async def by_email(db: Database, email: str) -> tuple[Staff, str | None] | None:
    row = await db.fetch_one("SELECT * FROM staff WHERE lower(email) = lower(?)", [email])
    return (_staff(row), row["password_hash"]) if row else None


async def email_taken(conn: aiosqlite.Connection, email: str) -> bool:
    async with conn.execute("SELECT 1 FROM staff WHERE lower(email) = lower(?)", (email,)) as cur:
        return await cur.fetchone() is not None


async def set_active(conn: aiosqlite.Connection, staff_id: int, active: bool, at: datetime) -> None:
    await conn.execute(
        "UPDATE staff SET active = ?, deactivated_at = ? WHERE id = ?",
        (int(active), None if active else ts(at), staff_id),
    )


async def set_role(conn: aiosqlite.Connection, staff_id: int, role: Role) -> None:
    await conn.execute("UPDATE staff SET role = ? WHERE id = ?", (role.value, staff_id))


async def set_password(
    conn: aiosqlite.Connection, staff_id: int, password_hash: str, *, must_change: bool
) -> None:
    await conn.execute(
        "UPDATE staff SET password_hash = ?, must_change_password = ? WHERE id = ?",
        (password_hash, int(must_change), staff_id),
    )


async def password_hash(db: Database, staff_id: int) -> str | None:
    row = await db.fetch_one("SELECT password_hash FROM staff WHERE id = ?", [staff_id])
    return row["password_hash"] if row else None


async def allocated_family_count(db: Database, staff_id: int) -> int:
    row = await db.fetch_one(
        "SELECT count(*) FROM families WHERE practitioner_id = ? AND status != 'closed'",
        [staff_id],
    )
    return row[0] if row else 0
