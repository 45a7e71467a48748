"""The audit log: who did what when. Never message bodies or phone numbers."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import aiosqlite

from bot.store.db import Database, ts


async def record(
    conn: aiosqlite.Connection,
    at: datetime,
    actor: str,
    action: str,
    subject_type: str = "",
    subject_id: int | None = None,
    **detail: Any,
) -> None:
    await conn.execute(
        "INSERT INTO audit (at, actor, action, subject_type, subject_id, detail)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (ts(at), actor, action, subject_type, subject_id, json.dumps(detail, sort_keys=True)),
    )


async def recent(db: Database, limit: int = 200, subject_type: str | None = None) -> list[dict]:
    where, params = ("WHERE subject_type = ?", [subject_type]) if subject_type else ("", [])
    rows = await db.fetch_all(
        f"SELECT * FROM audit {where} ORDER BY id DESC LIMIT ?", [*params, limit]
    )
    return [{**dict(r), "detail": json.loads(r["detail"])} for r in rows]


async def search(
    db: Database,
    *,
    subject_type: str | None = None,
    actors: list[str] | None = None,
    subjects: list[tuple[str, int]] | None = None,
    action_like: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict], bool]:
    """(entries newest first, whether there are older ones). With any of actors, subjects or
    action_like, an entry matches if it matches one of them."""
    where: list[str] = []
    params: list[object] = []
    if subject_type:
        where.append("subject_type = ?")
        params.append(subject_type)
    anyof: list[str] = []
    if actors:
        anyof.append(f"actor IN ({', '.join('?' for _ in actors)})")
        params.extend(actors)
    for kind, number in subjects or []:
        anyof.append("(subject_type = ? AND subject_id = ?)")
        params.extend([kind, number])
    if action_like:
        anyof.append("action LIKE ? ESCAPE '\\'")
        escaped = action_like.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        params.append(f"%{escaped}%")
    if anyof:
        where.append("(" + " OR ".join(anyof) + ")")
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    rows = await db.fetch_all(
        f"SELECT * FROM audit {clause} ORDER BY id DESC LIMIT ? OFFSET ?",
        [*params, limit + 1, offset],
    )
    found = [{**dict(r), "detail": json.loads(r["detail"])} for r in rows[:limit]]
    return found, len(rows) > limit
