"""Telegram: stored updates, one-time link tokens, linked chats, alerts that carry buttons."""

from __future__ import annotations

import asyncio
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite

from bot.core.model import Parent
from bot.store.db import Database, from_ts, ts
from bot.store.families import parent_from_row

Source = Database | aiosqlite.Connection


async def _one(source: Source, sql: str, params: tuple[Any, ...]) -> aiosqlite.Row | None:
    """One row from the reader, or from inside a transaction."""
    if isinstance(source, Database):
        return await source.fetch_one(sql, params)
    async with source.execute(sql, params) as cur:
        return await cur.fetchone()


async def _all(source: Source, sql: str, params: tuple[Any, ...]) -> list[aiosqlite.Row]:
    if isinstance(source, Database):
        return await source.fetch_all(sql, params)
    async with source.execute(sql, params) as cur:
        return list(await cur.fetchall())


# Updates ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredUpdate:
    update_id: int
    body: dict[str, Any]
    attempts: int


async def store_update(
    conn: aiosqlite.Connection, bot_id: int, update_id: int, body: dict[str, Any], at: datetime
) -> bool:
    """Keep an update as Telegram sent it; False when this update_id was stored before."""
    cursor = await conn.execute(
        "INSERT INTO telegram_updates (bot_id, update_id, body, received_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (bot_id, update_id) DO NOTHING",
        (bot_id, update_id, json.dumps(body, ensure_ascii=False), ts(at)),
    )
    return cursor.rowcount == 1


async def pending_update_ids(
    db: Database, bot_id: int, *, failed_only: bool = False, limit: int = 100
) -> list[int]:
    rows = await db.fetch_all(
        "SELECT update_id FROM telegram_updates WHERE processed_at IS NULL AND bot_id = ?"
        " AND attempts >= ? ORDER BY update_id LIMIT ?",
        (bot_id, 1 if failed_only else 0, limit),
    )
    return [r["update_id"] for r in rows]


async def pending_update(db: Database, bot_id: int, update_id: int) -> StoredUpdate | None:
    """The stored update if it still waits to be processed."""
    row = await db.fetch_one(
        "SELECT update_id, body, attempts FROM telegram_updates"
        " WHERE bot_id = ? AND update_id = ? AND processed_at IS NULL",
        (bot_id, update_id),
    )
    if row is None:
        return None
    return StoredUpdate(row["update_id"], json.loads(row["body"]), row["attempts"])


async def mark_update_processed(
    conn: aiosqlite.Connection, bot_id: int, update_id: int, at: datetime, error: str | None = None
) -> None:
    """Done with (or given up on): the raw text is dropped, the id stays to catch repeats."""
    await conn.execute(
        "UPDATE telegram_updates SET processed_at = ?, body = '{}', error = ?"
        " WHERE bot_id = ? AND update_id = ?",
        (ts(at), error, bot_id, update_id),
    )


async def mark_update_failed(
    conn: aiosqlite.Connection, bot_id: int, update_id: int, error: str
) -> int:
    """Count a failed attempt; returns the attempts so far."""
    await conn.execute(
        "UPDATE telegram_updates SET attempts = attempts + 1, error = ?"
        " WHERE bot_id = ? AND update_id = ?",
        (error, bot_id, update_id),
    )
    row = await _one(
        conn,
        "SELECT attempts FROM telegram_updates WHERE bot_id = ? AND update_id = ?",
        (bot_id, update_id),
    )
    return row["attempts"] if row else 0


# Link tokens -----------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class LinkToken:
    id: int
    parent_id: int | None
    staff_id: int | None
    expires_at: datetime
    used_at: datetime | None
    chat_id: int | None


async def add_link(
    conn: aiosqlite.Connection,
    token: str,
    *,
    parent_id: int | None = None,
    staff_id: int | None = None,
    created_by: str,
    at: datetime,
    expires_at: datetime,
) -> int:
    """Store a new link token and retire that person's older unused ones."""
    await conn.execute(
        "UPDATE telegram_links SET expires_at = ? WHERE used_at IS NULL AND expires_at > ?"
        " AND (parent_id = ? OR staff_id = ?)",
        (ts(at), ts(at), parent_id, staff_id),
    )
    cursor = await conn.execute(
        "INSERT INTO telegram_links (token_hash, parent_id, staff_id, created_by, created_at,"
        " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
        (token_hash(token), parent_id, staff_id, created_by, ts(at), ts(expires_at)),
    )
    assert cursor.lastrowid is not None
    return cursor.lastrowid


async def find_link(conn: aiosqlite.Connection, token: str) -> LinkToken | None:
    row = await _one(
        conn, "SELECT * FROM telegram_links WHERE token_hash = ?", (token_hash(token),)
    )
    if row is None:
        return None
    return LinkToken(
        id=row["id"],
        parent_id=row["parent_id"],
        staff_id=row["staff_id"],
        expires_at=from_ts(row["expires_at"]),  # type: ignore[arg-type]
        used_at=from_ts(row["used_at"]),
        chat_id=row["chat_id"],
    )


async def use_link(conn: aiosqlite.Connection, link_id: int, chat_id: int, at: datetime) -> bool:
    cursor = await conn.execute(
        "UPDATE telegram_links SET used_at = ?, chat_id = ? WHERE id = ? AND used_at IS NULL",
        (ts(at), chat_id, link_id),
    )
    return cursor.rowcount == 1


# Linked chats ----------------------------------------------------------------------------


async def link_parent(conn: aiosqlite.Connection, parent_id: int, chat_id: int) -> None:
    """Bind the chat to the parent, who now hears from the team on Telegram."""
    await conn.execute(
        "UPDATE parents SET telegram_chat_id = ?, channel = 'telegram',"
        " telegram_unreachable_at = NULL"
        " WHERE id = ?",
        (chat_id, parent_id),
    )


async def parent(conn: aiosqlite.Connection, parent_id: int) -> Parent | None:
    """A parent read inside a transaction."""
    row = await _one(conn, "SELECT * FROM parents WHERE id = ?", (parent_id,))
    return parent_from_row(row) if row else None


async def parent_ids_for_chat(source: Source, chat_id: int) -> list[int]:
    rows = await _all(
        source, "SELECT id FROM parents WHERE telegram_chat_id = ? ORDER BY id", (chat_id,)
    )
    return [r["id"] for r in rows]


async def prefer_telegram(conn: aiosqlite.Connection, chat_id: int) -> list[int]:
    """Parents on this chat hear from the team here again (after /start); returns their ids."""
    ids = await parent_ids_for_chat(conn, chat_id)
    await conn.execute(
        "UPDATE parents SET channel = 'telegram', telegram_unreachable_at = NULL"
        " WHERE telegram_chat_id = ?",
        (chat_id,),
    )
    return ids


async def unlink_parents(conn: aiosqlite.Connection, chat_id: int) -> list[int]:
    """Unbind every parent on this chat (back to SMS); returns their ids."""
    ids = await parent_ids_for_chat(conn, chat_id)
    await conn.execute(
        "UPDATE parents SET telegram_chat_id = NULL, channel = 'sms' WHERE telegram_chat_id = ?",
        (chat_id,),
    )
    return ids


async def mark_parent_unreachable(conn: aiosqlite.Connection, parent_id: int, at: datetime) -> None:
    """Telegram refuses delivery: the chat stays known (so replies still match), texts go by SMS."""
    await conn.execute(
        "UPDATE parents SET channel = 'sms', telegram_unreachable_at = ? WHERE id = ?",
        (ts(at), parent_id),
    )


async def staff_id_for_chat(source: Source, chat_id: int) -> int | None:
    row = await _one(source, "SELECT id FROM staff WHERE telegram_chat_id = ?", (chat_id,))
    return row["id"] if row else None


async def link_staff(conn: aiosqlite.Connection, staff_id: int, chat_id: int) -> None:
    """One chat belongs to one member of staff: anyone else on it is unlinked."""
    await conn.execute(
        "UPDATE staff SET telegram_chat_id = NULL WHERE telegram_chat_id = ? AND id != ?",
        (chat_id, staff_id),
    )
    await conn.execute(
        "UPDATE staff SET telegram_chat_id = ?, telegram_unreachable_at = NULL WHERE id = ?",
        (chat_id, staff_id),
    )


async def unlink_staff(conn: aiosqlite.Connection, chat_id: int) -> int | None:
    staff_id = await staff_id_for_chat(conn, chat_id)
    if staff_id is not None:
        await conn.execute(
            "UPDATE staff SET telegram_chat_id = NULL, telegram_queue_notices = 0 WHERE id = ?",
            (staff_id,),
        )
    return staff_id


async def mark_staff_unreachable(conn: aiosqlite.Connection, staff_id: int, at: datetime) -> None:
    """Alerts must not keep going to a chat that refuses them: unlink it."""
    await conn.execute(
        "UPDATE staff SET telegram_chat_id = NULL, telegram_unreachable_at = ? WHERE id = ?",
        (ts(at), staff_id),
    )


async def set_queue_notices(conn: aiosqlite.Connection, staff_id: int, on: bool) -> None:
    await conn.execute(
        "UPDATE staff SET telegram_queue_notices = ? WHERE id = ?", (int(on), staff_id)
    )


@dataclass(frozen=True)
class QueueNotice:
    item_id: int
    staff_id: int
    chat_id: int
    kind: str
    family_reference: str | None


async def queue_items_to_announce(
    db: Database, since: datetime, until: datetime
) -> list[QueueNotice]:
    """Open items that arrived in [since, until] for active staff who asked to hear of them."""
    rows = await db.fetch_all(
        "SELECT q.id, q.practitioner_id, s.telegram_chat_id, q.kind, f.reference"
        " FROM queue_items q JOIN staff s ON s.id = q.practitioner_id"
        " LEFT JOIN families f ON f.id = q.family_id"
        " WHERE q.status = 'open' AND q.audience = 'practitioner'"
        " AND q.created_at >= ? AND q.created_at <= ?"
        " AND s.active = 1 AND s.telegram_queue_notices = 1 AND s.telegram_chat_id IS NOT NULL"
        " ORDER BY q.id",
        (ts(since), ts(until)),
    )
    return [QueueNotice(r[0], r[1], r[2], r[3], r[4]) for r in rows]


async def same_text_queued(
    conn: aiosqlite.Connection, channel: str, recipient: str, body: str
) -> bool:
    """Whether this very text to this person is already in the outbox on that channel."""
    row = await _one(
        conn,
        "SELECT 1 FROM outbox WHERE channel = ? AND recipient = ? AND body = ?"
        " AND status != 'withdrawn' LIMIT 1",
        (channel, recipient, body),
    )
    return row is not None


async def queued_on_telegram(conn: aiosqlite.Connection, parent_id: int) -> list[int]:
    """Outbox ids still waiting to go to this parent by Telegram."""
    rows = await _all(
        conn,
        "SELECT id FROM outbox WHERE parent_id = ? AND channel = 'telegram' AND status = 'queued'"
        " ORDER BY id",
        (parent_id,),
    )
    return [r["id"] for r in rows]


# Escalation alerts -----------------------------------------------------------------------


async def remember_alert(conn: aiosqlite.Connection, outbox_id: int, escalation_id: int) -> None:
    await conn.execute(
        "INSERT INTO telegram_alerts (outbox_id, escalation_id) VALUES (?, ?)"
        " ON CONFLICT DO NOTHING",
        (outbox_id, escalation_id),
    )


class AlertLookup:
    """Read-only: which outbox rows are escalation alerts. The Telegram transport's one look-up.

    The transport only sees the text it is given; the buttons depend on what the text is
    for, so it asks here, on a connection of its own that never writes.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._conn: aiosqlite.Connection | None = None
        self._opening = asyncio.Lock()  # texts are sent several at once: open one connection

    async def _connection(self) -> aiosqlite.Connection:
        async with self._opening:
            if self._conn is None:
                uri = self._path.resolve().as_uri() + "?mode=ro"
                self._conn = await aiosqlite.connect(uri, uri=True)
        return self._conn

    async def escalation_for(self, outbox_id: int) -> int | None:
        conn = await self._connection()
        async with conn.execute(
            "SELECT escalation_id FROM telegram_alerts WHERE outbox_id = ?", (outbox_id,)
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
