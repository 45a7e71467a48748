"""Sign-in counters and server-side staff sessions."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.core.signin import IDLE_LIMIT, SessionTimes
from bot.store.db import Database, from_ts, ts

# --- Counting sign-in attempts ----------------------------------------------------------------


async def count_attempt(
    conn: aiosqlite.Connection, key: str, now: datetime, window_start_after: datetime
) -> int:
    """Count one more attempt under `key` and return the count, in one statement.

    A window that began before `window_start_after` starts again at one. Being a single
    UPDATE ... RETURNING under the writer's lock, parallel attempts each see a different
    count: none can slip through between a read and a write.
    """
    async with conn.execute(
        "INSERT INTO login_counters (key, attempts, window_start) VALUES (?, 1, ?)"
        " ON CONFLICT (key) DO UPDATE SET"
        " attempts = CASE WHEN window_start < ? THEN 1 ELSE attempts + 1 END,"
        " window_start = CASE WHEN window_start < ? THEN excluded.window_start"
        " ELSE window_start END"
        " RETURNING attempts",
        (key, ts(now), ts(window_start_after), ts(window_start_after)),
    ) as cursor:
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


def account_key(email: str) -> str:
    return "account:" + email.strip().lower()


def address_key(address: str) -> str:
    return "address:" + address


async def clear_attempts(conn: aiosqlite.Connection, key: str) -> None:
    await conn.execute("DELETE FROM login_counters WHERE key = ?", (key,))


# --- Sessions ------------------------------------------------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StaffSession:
    id: int
    staff_id: int
    times: SessionTimes
    address: str
    user_agent: str
    ended_reason: str | None


def _session(row: aiosqlite.Row) -> StaffSession:
    return StaffSession(
        id=row["id"],
        staff_id=row["staff_id"],
        times=SessionTimes(
            created_at=from_ts(row["created_at"]),  # type: ignore[arg-type]
            last_seen_at=from_ts(row["last_seen_at"]),  # type: ignore[arg-type]
            expires_at=from_ts(row["expires_at"]),  # type: ignore[arg-type]
            ended_at=from_ts(row["ended_at"]),
        ),
        address=row["address"],
        user_agent=row["user_agent"],
        ended_reason=row["ended_reason"],
    )


async def start(
    conn: aiosqlite.Connection,
    staff_id: int,
    now: datetime,
    expires_at: datetime,
    address: str,
    user_agent: str,
) -> tuple[str, int]:
    """A new session: (the random token for the cookie, the session's id)."""
    token = secrets.token_urlsafe(32)
    cursor = await conn.execute(
        "INSERT INTO staff_sessions (token_hash, staff_id, created_at, last_seen_at, expires_at,"
        " address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (_hash(token), staff_id, ts(now), ts(now), ts(expires_at), address, user_agent[:200]),
    )
    assert cursor.lastrowid is not None
    return token, cursor.lastrowid


async def by_token(db: Database, token: str) -> StaffSession | None:
    row = await db.fetch_one("SELECT * FROM staff_sessions WHERE token_hash = ?", [_hash(token)])
    return _session(row) if row else None


async def get(db: Database, session_id: int) -> StaffSession | None:
    row = await db.fetch_one("SELECT * FROM staff_sessions WHERE id = ?", [session_id])
    return _session(row) if row else None


async def touch(conn: aiosqlite.Connection, session_id: int, now: datetime) -> None:
    await conn.execute(
        "UPDATE staff_sessions SET last_seen_at = ? WHERE id = ? AND ended_at IS NULL",
        (ts(now), session_id),
    )


async def end(conn: aiosqlite.Connection, session_id: int, now: datetime, reason: str) -> bool:
    cursor = await conn.execute(
        "UPDATE staff_sessions SET ended_at = ?, ended_reason = ?"
        " WHERE id = ? AND ended_at IS NULL",
        (ts(now), reason, session_id),
    )
    return cursor.rowcount == 1


async def end_all_for(conn: aiosqlite.Connection, staff_id: int, now: datetime, reason: str) -> int:
    cursor = await conn.execute(
        "UPDATE staff_sessions SET ended_at = ?, ended_reason = ?"
        " WHERE staff_id = ? AND ended_at IS NULL",
        (ts(now), reason, staff_id),
    )
    return cursor.rowcount


async def open_for(db: Database, staff_id: int, now: datetime) -> list[StaffSession]:
    """Sessions of one person still usable now (not ended, expired or idle), newest first."""
    rows = await db.fetch_all(
        "SELECT * FROM staff_sessions WHERE staff_id = ? AND ended_at IS NULL AND expires_at > ?"
        " AND last_seen_at > ? ORDER BY created_at DESC, id DESC",
        [staff_id, ts(now), ts(now - IDLE_LIMIT)],
    )
    return [_session(r) for r in rows]


async def forgive_attempt(conn: aiosqlite.Connection, key: str) -> None:
    """Take back one counted attempt (a correct password from a shared address)."""
    await conn.execute(
        "UPDATE login_counters SET attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END"
        " WHERE key = ?",
        (key,),
    )
