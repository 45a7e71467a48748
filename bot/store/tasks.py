"""Tasks for people, and the contact attempts a family has had (for the refer-back letter)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import aiosqlite

from bot.core.tasks import TaskDraft, TaskKind
from bot.store.db import Database, from_ts, ts

Source = Database | aiosqlite.Connection


@dataclass(frozen=True)
class Task:
    id: int
    kind: TaskKind
    family_id: int
    family_reference: str
    parent_id: int | None
    parent_name: str
    owner_id: int | None
    reason: str
    due_on: date
    status: str
    outcome: str
    counts_as_attempt: bool
    created_at: datetime
    done_at: datetime | None
    done_by: str | None


async def _all(source: Source, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
    if isinstance(source, Database):
        return await source.fetch_all(sql, params)
    async with source.execute(sql, tuple(params)) as cur:
        return list(await cur.fetchall())


def _task(r: aiosqlite.Row) -> Task:
    return Task(
        id=r["id"],
        kind=TaskKind(r["kind"]),
        family_id=r["family_id"],
        family_reference=r["reference"],
        parent_id=r["parent_id"],
        parent_name=r["parent_name"] or "",
        owner_id=r["owner_id"],
        reason=r["reason"],
        due_on=date.fromisoformat(r["due_on"]),
        status=r["status"],
        outcome=r["outcome"],
        counts_as_attempt=bool(r["counts_as_attempt"]),
        created_at=from_ts(r["created_at"]),  # type: ignore[arg-type]
        done_at=from_ts(r["done_at"]),
        done_by=r["done_by"],
    )


_SELECT = (
    "SELECT t.*, f.reference, p.name AS parent_name FROM tasks t"
    " JOIN families f ON f.id = t.family_id LEFT JOIN parents p ON p.id = t.parent_id"
)


async def add(conn: aiosqlite.Connection, draft: TaskDraft, at: datetime) -> int | None:
    """The new task's id, or None when one with the same key exists already."""
    cursor = await conn.execute(
        "INSERT INTO tasks (kind, family_id, parent_id, owner_id, reason, due_on, dedupe_key,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedupe_key) DO NOTHING",
        (
            draft.kind.value,
            draft.family_id,
            draft.parent_id,
            draft.owner_id,
            draft.reason,
            draft.due_on.isoformat(),
            draft.dedupe_key,
            ts(at),
        ),
    )
    return cursor.lastrowid if cursor.rowcount == 1 else None


async def get(source: Source, task_id: int) -> Task | None:
    rows = await _all(source, f"{_SELECT} WHERE t.id = ?", [task_id])
    return _task(rows[0]) if rows else None


async def open_for_owner(source: Source, owner_id: int | None) -> list[Task]:
    """Open tasks of one person (None: the administrator's), the most overdue first."""
    if owner_id is None:
        rows = await _all(
            source,
            f"{_SELECT} WHERE t.status = 'open' AND t.owner_id IS NULL ORDER BY t.due_on, t.id",
        )
    else:
        rows = await _all(
            source,
            f"{_SELECT} WHERE t.status = 'open' AND t.owner_id = ? ORDER BY t.due_on, t.id",
            [owner_id],
        )
    return [_task(r) for r in rows]


async def for_family(source: Source, family_id: int) -> list[Task]:
    rows = await _all(
        source,
        f"{_SELECT} WHERE t.family_id = ? ORDER BY t.status DESC, t.due_on, t.id",
        [family_id],
    )
    return [_task(r) for r in rows]


async def complete(
    conn: aiosqlite.Connection,
    task_id: int,
    outcome: str,
    *,
    counts_as_attempt: bool,
    by: str,
    at: datetime,
) -> bool:
    cursor = await conn.execute(
        "UPDATE tasks SET status = 'done', outcome = ?, counts_as_attempt = ?, done_at = ?,"
        " done_by = ? WHERE id = ? AND status = 'open'",
        (outcome, int(counts_as_attempt), ts(at), by, task_id),
    )
    return cursor.rowcount == 1


async def open_count_by_family(source: Source, family_ids: list[int]) -> dict[int, int]:
    if not family_ids:
        return {}
    marks = ", ".join("?" * len(family_ids))
    rows = await _all(
        source,
        f"SELECT family_id, count(*) AS n FROM tasks WHERE status = 'open'"
        f" AND family_id IN ({marks}) GROUP BY family_id",
        family_ids,
    )
    return {r["family_id"]: r["n"] for r in rows}


@dataclass(frozen=True)
class ContactAttempts:
    texted: bool
    phoned: bool
    wrote: bool


async def contact_attempts(source: Source, family_id: int) -> ContactAttempts:
    """The ways the team actually tried: texts that went, calls logged, letters posted."""
    rows = await _all(
        source,
        "SELECT"
        " EXISTS (SELECT 1 FROM outbox WHERE family_id = ? AND parent_id IS NOT NULL"
        "   AND status IN ('sent', 'delivered')) AS texted,"
        " EXISTS (SELECT 1 FROM tasks WHERE family_id = ? AND kind = 'call_parent'"
        "   AND status = 'done' AND counts_as_attempt = 1) AS phoned,"
        " EXISTS (SELECT 1 FROM letters WHERE family_id = ? AND status = 'sent'"
        "   AND kind IN ('appointment', 'after_appointment')) AS wrote",
        [family_id, family_id, family_id],
    )
    r = rows[0]
    return ContactAttempts(bool(r["texted"]), bool(r["phoned"]), bool(r["wrote"]))


async def close_kind(
    conn: aiosqlite.Connection, family_id: int, kind: TaskKind, outcome: str, by: str, at: datetime
) -> int:
    """Open tasks of one kind for a family are done: what they asked for has happened."""
    cursor = await conn.execute(
        "UPDATE tasks SET status = 'done', outcome = ?, done_at = ?, done_by = ?"
        " WHERE family_id = ? AND kind = ? AND status = 'open'",
        (outcome, ts(at), by, family_id, kind.value),
    )
    return cursor.rowcount


async def births_overdue(source: Source, today: date) -> list[tuple[int, date, int | None]]:
    """(family id, due date, practitioner id) of open families past their due date with no
    birth recorded and no task about it yet."""
    rows = await _all(
        source,
        "SELECT f.id, f.due_date, f.practitioner_id FROM families f"
        " WHERE f.status = 'open' AND f.birth_date IS NULL AND f.due_date IS NOT NULL"
        " AND f.due_date < ? AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.family_id = f.id"
        "   AND t.dedupe_key = 'due_date:' || f.id || ':' || f.due_date)",
        [today.isoformat()],
    )
    return [(r["id"], date.fromisoformat(r["due_date"]), r["practitioner_id"]) for r in rows]


async def close_key(
    conn: aiosqlite.Connection, dedupe_key: str, outcome: str, by: str, at: datetime
) -> bool:
    cursor = await conn.execute(
        "UPDATE tasks SET status = 'done', outcome = ?, done_at = ?, done_by = ?"
        " WHERE dedupe_key = ? AND status = 'open'",
        (outcome, ts(at), by, dedupe_key),
    )
    return cursor.rowcount == 1
