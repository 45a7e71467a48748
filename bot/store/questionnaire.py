"""The follow-up questions after closure: who was asked what, and the answers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import aiosqlite

from bot.core.questionnaire import ANSWER_WINDOW, ASKED_BY, FIRST, REMINDER, REMINDER_AFTER
from bot.store.db import Database, from_ts, ts

Source = Database | aiosqlite.Connection
_ASKING = tuple(ASKED_BY)
_GONE = ("withdrawn", "failed", "undelivered")


async def _all(source: Source, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
    if isinstance(source, Database):
        return await source.fetch_all(sql, params)
    async with source.execute(sql, tuple(params)) as cur:
        return list(await cur.fetchall())


async def asked_of(
    source: Source, family_id: int, parent_id: int, at: datetime
) -> list[tuple[str, datetime]]:
    """(message, queued at) of the questions texted to this parent lately."""
    marks = ", ".join("?" * len(_ASKING))
    rows = await _all(
        source,
        f"SELECT template, created_at FROM outbox WHERE family_id = ? AND parent_id = ?"
        f" AND template IN ({marks}) AND status NOT IN (?, ?, ?) AND created_at >= ?",
        [family_id, parent_id, *_ASKING, *_GONE, ts(at - ANSWER_WINDOW)],
    )
    return [(r["template"], from_ts(r["created_at"])) for r in rows]  # type: ignore[misc]


async def answered(source: Source, family_id: int, parent_id: int) -> set[str]:
    rows = await _all(
        source,
        "SELECT question FROM follow_up_answers WHERE family_id = ? AND parent_id = ?",
        [family_id, parent_id],
    )
    return {r["question"] for r in rows}


async def record(
    conn: aiosqlite.Connection,
    family_id: int,
    parent_id: int,
    question: str,
    answer: str,
    inbound_id: int,
    at: datetime,
) -> bool:
    cursor = await conn.execute(
        "INSERT INTO follow_up_answers (family_id, parent_id, question, answer, inbound_id,"
        " answered_at) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (family_id, parent_id, question) DO NOTHING",
        (family_id, parent_id, question, answer, inbound_id, ts(at)),
    )
    return cursor.rowcount == 1


async def reminders_due(source: Source, at: datetime) -> list[tuple[int, int]]:
    """(family, parent) asked the first question a week or more ago, with no answer and no
    reminder yet."""
    rows = await _all(
        source,
        "SELECT o.family_id, o.parent_id FROM outbox o WHERE o.template = ?"
        " AND o.status IN ('sent', 'delivered') AND o.created_at <= ? AND o.created_at > ?"
        " AND NOT EXISTS (SELECT 1 FROM follow_up_answers a WHERE a.family_id = o.family_id"
        "   AND a.parent_id = o.parent_id)"
        " AND NOT EXISTS (SELECT 1 FROM outbox r WHERE r.dedupe_key ="
        "   ? || ':' || o.family_id || ':' || o.parent_id)",
        [FIRST, ts(at - REMINDER_AFTER), ts(at - ANSWER_WINDOW), REMINDER],
    )
    return [(r["family_id"], r["parent_id"]) for r in rows]


async def answer_counts(db: Database, start: datetime, end: datetime) -> dict[str, int]:
    """'{question}_{answer}' -> how many answers in the period, and 'families' who answered."""
    rows = await db.fetch_all(
        "SELECT question, answer, count(*) AS n FROM follow_up_answers"
        " WHERE answered_at >= ? AND answered_at < ? GROUP BY question, answer",
        [ts(start), ts(end)],
    )
    counts = {f"{r['question']}_{r['answer']}": r["n"] for r in rows}
    families = await db.fetch_one(
        "SELECT count(DISTINCT family_id) FROM follow_up_answers"
        " WHERE answered_at >= ? AND answered_at < ?",
        [ts(start), ts(end)],
    )
    counts["families"] = families[0] if families else 0
    return counts


async def for_family(db: Database, family_id: int) -> list[aiosqlite.Row]:
    return await db.fetch_all(
        "SELECT a.question, a.answer, a.answered_at, p.name FROM follow_up_answers a"
        " JOIN parents p ON p.id = a.parent_id WHERE a.family_id = ? ORDER BY a.id",
        [family_id],
    )
