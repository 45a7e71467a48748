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
