"""A practitioner's day: their families with what needs them, and their diary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from bot.store.db import Database, from_ts, ts


@dataclass(frozen=True)
class CaseloadRow:
    family_id: int
    reference: str
    baby_name: str | None
    mother_name: str | None
    status: str
    practitioner_id: int | None
    unread: int  # open items in the practitioner's queue
    open_tasks: int
    escalation_open: bool
    waiting_for_reply: bool  # our last text is newer than anything they sent
    next_appointment: datetime | None
    parent_names: str

    @property
    def display_name(self) -> str:
        if self.baby_name:
            return self.baby_name
        return f"Baby of {self.mother_name}" if self.mother_name else "Baby"


FILTERS = ("waiting", "this_week", "escalation")


async def families_of(
    db: Database,
    practitioner_ids: list[int],
    now: datetime,
    week_end: datetime,
    *,
    search: str = "",
    only: str = "",
) -> list[CaseloadRow]:
    """Open families held by these practitioners, those needing someone first."""
    if not practitioner_ids:
        return []
    marks = ", ".join("?" * len(practitioner_ids))
    rows = await db.fetch_all(
        "SELECT f.id, f.reference, f.baby_name, f.mother_name, f.status, f.practitioner_id,"
        " (SELECT count(*) FROM queue_items q WHERE q.family_id = f.id AND q.status = 'open'"
        "   AND q.audience = 'practitioner') AS unread,"
        " (SELECT count(*) FROM tasks t WHERE t.family_id = f.id AND t.status = 'open')"
        "   AS open_tasks,"
        " EXISTS (SELECT 1 FROM escalations e WHERE e.family_id = f.id"
        "   AND e.status != 'closed') AS escalation_open,"
        " coalesce((SELECT max(o.created_at) FROM outbox o WHERE o.family_id = f.id"
        "   AND o.parent_id IS NOT NULL"
        "   AND o.status NOT IN ('withdrawn', 'failed', 'undelivered')), '')"
        " > coalesce((SELECT max(i.received_at) FROM inbound i WHERE i.family_id = f.id), '')"
        "   AS waiting_for_reply,"
        " (SELECT min(a.starts_at) FROM appointments a WHERE a.family_id = f.id"
        "   AND a.status = 'booked' AND a.starts_at > ?) AS next_appointment,"
        " (SELECT group_concat(p.name, ', ') FROM parents p WHERE p.family_id = f.id)"
        "   AS parent_names"
        f" FROM families f WHERE f.status = 'open' AND f.practitioner_id IN ({marks})"
        " ORDER BY f.reference",
        [ts(now), *practitioner_ids],
    )
    out = [
        CaseloadRow(
            family_id=r["id"],
            reference=r["reference"],
            baby_name=r["baby_name"],
            mother_name=r["mother_name"],
            status=r["status"],
            practitioner_id=r["practitioner_id"],
            unread=r["unread"],
            open_tasks=r["open_tasks"],
            escalation_open=bool(r["escalation_open"]),
            waiting_for_reply=bool(r["waiting_for_reply"]),
            next_appointment=from_ts(r["next_appointment"]),
            parent_names=r["parent_names"] or "",
        )
        for r in rows
    ]
    needle = search.strip().lower()
    if needle:
        out = [
            row
            for row in out
            if needle in f"{row.reference} {row.display_name} {row.parent_names}".lower()
        ]
    if only == "waiting":
        out = [row for row in out if row.waiting_for_reply]
    elif only == "this_week":
        out = [
            row
            for row in out
            if row.next_appointment is not None and row.next_appointment < week_end
        ]
    elif only == "escalation":
        out = [row for row in out if row.escalation_open]
    out.sort(key=lambda row: (not row.escalation_open, -row.unread, row.reference))
    return out


@dataclass(frozen=True)
class DiaryEntry:
    appointment_id: int
    family_id: int
    reference: str
    starts_at: datetime
    duration_minutes: int
    place: str
    address: str
    kind: str
    parents: str  # the parents expected


async def diary(
    db: Database, practitioner_ids: list[int], start: datetime, end: datetime
) -> list[DiaryEntry]:
    if not practitioner_ids:
        return []
    marks = ", ".join("?" * len(practitioner_ids))
    rows = await db.fetch_all(
        "SELECT a.id, a.family_id, f.reference, a.starts_at, a.duration_minutes, a.place,"
        " a.address, a.kind,"
        " (SELECT group_concat(p.name, ', ') FROM appointment_parents ap"
        "   JOIN parents p ON p.id = ap.parent_id WHERE ap.appointment_id = a.id) AS parents"
        " FROM appointments a JOIN families f ON f.id = a.family_id"
        " WHERE a.status = 'booked' AND a.starts_at >= ? AND a.starts_at < ?"
        f" AND coalesce(a.practitioner_id, f.practitioner_id) IN ({marks})"
        " ORDER BY a.starts_at, a.id",
        [ts(start), ts(end), *practitioner_ids],
    )
    return [
        DiaryEntry(
            appointment_id=r["id"],
            family_id=r["family_id"],
            reference=r["reference"],
            starts_at=from_ts(r["starts_at"]),  # type: ignore[arg-type]
            duration_minutes=r["duration_minutes"],
            place=r["place"],
            address=r["address"],
            kind=r["kind"],
            parents=r["parents"] or "",
        )
        for r in rows
    ]


PAGE_SIZE = 50


async def search_families(
    db: Database,
    *,
    search: str = "",
    status: str = "",
    practitioner: str = "",  # a staff id, "none" for not allocated, or "" for anyone
    page: int = 1,
) -> tuple[list[int], int]:
    """(family ids on this page, by reference; how many match in all)."""
    where, params = ["1 = 1"], []
    needle = search.strip().lower()
    if needle:
        like = f"%{needle.replace('%', '').replace('_', '')}%"
        where.append(
            "(lower(f.reference) LIKE ? OR lower(coalesce(f.baby_name, '')) LIKE ?"
            " OR lower(coalesce(f.mother_name, '')) LIKE ?"
            " OR EXISTS (SELECT 1 FROM parents p WHERE p.family_id = f.id"
            "   AND lower(p.name) LIKE ?))"
        )
        params += [like] * 4
    if status in ("open", "referred_back", "closed"):
        where.append("f.status = ?")
        params.append(status)
    if practitioner == "none":
        where.append("f.practitioner_id IS NULL")
    elif practitioner.isdigit():
        where.append("f.practitioner_id = ?")
        params.append(int(practitioner))
    clause = " AND ".join(where)
    total_row = await db.fetch_one(f"SELECT count(*) FROM families f WHERE {clause}", params)
    total = int(total_row[0]) if total_row else 0
    rows = await db.fetch_all(
        f"SELECT f.id FROM families f WHERE {clause} ORDER BY f.reference LIMIT ? OFFSET ?",
        [*params, PAGE_SIZE, (max(page, 1) - 1) * PAGE_SIZE],
    )
    return [r["id"] for r in rows], total


async def link_unmatched(
    conn: aiosqlite.Connection,
    inbound_id: int,
    family_id: int,
    parent_id: int,
    channel: str,
    sender: str,
) -> None:
    """An unmatched message is this parent's: their record takes the number (or chat), and the
    message is theirs from now on."""
    column = "telegram_chat_id" if channel == "telegram" else "mobile"
    await conn.execute(f"UPDATE parents SET {column} = ? WHERE id = ?", (sender, parent_id))
    await conn.execute(
        "UPDATE inbound SET family_id = ?, parent_id = ? WHERE id = ?",
        (family_id, parent_id, inbound_id),
    )


async def move_item(
    conn: aiosqlite.Connection,
    item_id: int,
    family_id: int,
    parent_id: int,
    practitioner_id: int | None,
) -> None:
    """The queue item goes to the family's practitioner (or the administrator)."""
    await conn.execute(
        "UPDATE queue_items SET family_id = ?, parent_id = ?, practitioner_id = ?,"
        " audience = ? WHERE id = ?",
        (
            family_id,
            parent_id,
            practitioner_id,
            "practitioner" if practitioner_id is not None else "administrator",
            item_id,
        ),
    )


async def record_birth(
    conn: aiosqlite.Connection, family_id: int, baby_name: str, born: str
) -> None:
    """The baby has arrived: their name (if given) and date of birth (ISO)."""
    await conn.execute(
        "UPDATE families SET birth_date = ?, baby_name = coalesce(nullif(?, ''), baby_name)"
        " WHERE id = ?",
        (born, baby_name, family_id),
    )
