"""API tokens: only a hash is stored. A token may belong to a member of staff and expire."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.store.db import Database, from_ts, ts


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    staff_id: int | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)


def _token(row: aiosqlite.Row) -> ApiToken:
    return ApiToken(
        id=row["id"],
        name=row["name"],
        staff_id=row["staff_id"],
        created_at=from_ts(row["created_at"]),  # type: ignore[arg-type]
        expires_at=from_ts(row["expires_at"]),
        revoked_at=from_ts(row["revoked_at"]),
        last_used_at=from_ts(row["last_used_at"]),
    )


async def create(
    conn: aiosqlite.Connection,
    name: str,
    at: datetime,
    *,
    staff_id: int | None = None,
    expires_at: datetime | None = None,
) -> str:
    token = "crd_" + secrets.token_urlsafe(32)
    await conn.execute(
        "INSERT INTO api_tokens (name, token_hash, created_at, staff_id, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (name, _hash(token), ts(at), staff_id, ts(expires_at) if expires_at else None),
    )
    return token


async def find(db: Database, token: str, now: datetime) -> ApiToken | None:
    """The token if it is known, not revoked and not expired."""
    row = await db.fetch_one("SELECT * FROM api_tokens WHERE token_hash = ?", [_hash(token)])
    found = _token(row) if row else None
    return found if found is not None and found.usable(now) else None


async def name_for(db: Database, token: str, now: datetime) -> str | None:
    found = await find(db, token, now)
    return found.name if found else None


async def mark_used(conn: aiosqlite.Connection, token_id: int, at: datetime) -> None:
    await conn.execute("UPDATE api_tokens SET last_used_at = ? WHERE id = ?", (ts(at), token_id))


async def listing(db: Database, staff_id: int | None = None) -> list[ApiToken]:
    where, params = ("WHERE staff_id = ?", [staff_id]) if staff_id is not None else ("", [])
    rows = await db.fetch_all(f"SELECT * FROM api_tokens {where} ORDER BY id", params)
    return [_token(r) for r in rows]


async def get(db: Database, token_id: int) -> ApiToken | None:
    row = await db.fetch_one("SELECT * FROM api_tokens WHERE id = ?", [token_id])
    return _token(row) if row else None


async def revoke(conn: aiosqlite.Connection, token_id: int, at: datetime) -> bool:
    cursor = await conn.execute(
        "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        (ts(at), token_id),
    )
    return cursor.rowcount == 1


async def revoke_all_for(conn: aiosqlite.Connection, staff_id: int, at: datetime) -> int:
    cursor = await conn.execute(
        "UPDATE api_tokens SET revoked_at = ? WHERE staff_id = ? AND revoked_at IS NULL",
        (ts(at), staff_id),
    )
    return cursor.rowcount


async def set_expiry(conn: aiosqlite.Connection, token_id: int, expires_at: datetime) -> bool:
    cursor = await conn.execute(
        "UPDATE api_tokens SET expires_at = ? WHERE id = ? AND revoked_at IS NULL",
        (ts(expires_at), token_id),
    )
    return cursor.rowcount == 1
