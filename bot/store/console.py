"""What the staff console reads and changes beyond the other repositories: sign-in attempts,
handing families over, editing families and parents, cover arrangements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import aiosqlite

from bot.core.model import Family, Parent
from bot.store import escalations, families, queue
from bot.store.db import Database, ts
from bot.store.escalations import EscalationRow
from bot.store.queue import QueueItem

# --- Sign-in attempts ------------------------------------------------------------------------


async def record_login_attempt(
    conn: aiosqlite.Connection, at: datetime, email: str, remote: str, succeeded: bool
) -> None:
    await conn.execute(
        "INSERT INTO login_attempts (at, email, remote, succeeded) VALUES (?, ?, ?, ?)",
        (ts(at), email.strip().lower(), remote, int(succeeded)),
    )


async def failed_logins_since(
    db: Database, since: datetime, *, email: str | None = None, remote: str | None = None
) -> int:
    """Failed attempts since an instant, for one account or from one address."""
    if (email is None) == (remote is None):
        raise ValueError("give exactly one of email or remote")
    column, value = ("email", email.strip().lower()) if email is not None else ("remote", remote)
    row = await db.fetch_one(
        f"SELECT count(*) FROM login_attempts WHERE {column} = ? AND at >= ? AND succeeded = 0",
        [value, ts(since)],
    )
    return row[0] if row else 0


# --- Escalations and queue items seen from a family -----------------------------------------


async def escalations_for_family(db: Database, family_id: int) -> list[EscalationRow]:
    rows = await db.fetch_all(
        "SELECT id FROM escalations WHERE family_id = ? ORDER BY id DESC", [family_id]
    )
    found = [await escalations.get(db, r["id"]) for r in rows]
    return [row for row in found if row is not None]


async def escalations_with_status(db: Database, *statuses: str) -> list[EscalationRow]:
    """Escalations in these states, the nearest deadline first."""
    found: list[EscalationRow] = []
    for status in statuses:
        found += await escalations.listing(db, status)
    return sorted(found, key=lambda row: (row.deadline, row.id))


async def notified_family_ids(db: Database, staff_id: int) -> set[int]:
    """Families with an escalation not yet closed that this person has been told about."""
    rows = await db.fetch_all(
        "SELECT DISTINCT e.family_id FROM escalations e"
        " JOIN escalation_notices n ON n.escalation_id = e.id"
        " WHERE n.staff_id = ? AND e.family_id IS NOT NULL AND e.status != 'closed'",
        [staff_id],
    )
    return {r[0] for r in rows}


async def was_notified(db: Database, staff_id: int, escalation_id: int) -> bool:
    row = await db.fetch_one(
        "SELECT 1 FROM escalation_notices WHERE staff_id = ? AND escalation_id = ? LIMIT 1",
        [staff_id, escalation_id],
    )
    return row is not None


async def family_ids_with_escalations(db: Database) -> set[int]:
    """Families with an escalation not yet closed."""
    rows = await db.fetch_all(
        "SELECT DISTINCT family_id FROM escalations"
        " WHERE family_id IS NOT NULL AND status != 'closed'"
    )
    return {r[0] for r in rows}


async def open_items_for_family(db: Database, family_id: int) -> list[QueueItem]:
    rows = await db.fetch_all(
        "SELECT id FROM queue_items WHERE family_id = ? AND status = 'open'"
        " ORDER BY created_at, id",
        [family_id],
    )
    found = [await queue.get(db, r["id"]) for r in rows]
    return [item for item in found if item is not None]


async def reply_authors(db: Database, family_id: int) -> dict[int, int]:
    """Outbox id -> the member of staff a text was sent on behalf of, for one family."""
    rows = await db.fetch_all(
        "SELECT id, on_behalf_of FROM outbox WHERE family_id = ? AND on_behalf_of IS NOT NULL",
        [family_id],
    )
    return {r[0]: r[1] for r in rows}


async def mark_family_handled(
    conn: aiosqlite.Connection, family_id: int, staff_id: int, at: datetime
) -> int:
    """Mark every open practitioner queue item of a family handled; returns how many."""
    cursor = await conn.execute(
        "UPDATE queue_items SET status = 'handled', handled_at = ?, handled_by = ?"
        " WHERE family_id = ? AND status = 'open' AND audience = 'practitioner'",
        (ts(at), staff_id, family_id),
    )
    return cursor.rowcount


# --- Families and parents --------------------------------------------------------------------


async def hand_over(
    conn: aiosqlite.Connection, family_id: int, practitioner_id: int, at: datetime
) -> int:
    """Give a family to another practitioner, with its waiting queue items; returns items moved."""
    await families.allocate(conn, family_id, practitioner_id, at)
    cursor = await conn.execute(
        "UPDATE queue_items SET practitioner_id = ?, audience = 'practitioner'"
        " WHERE family_id = ? AND status = 'open' AND audience IN ('practitioner', 'unassigned')",
        (practitioner_id, family_id),
    )
    return cursor.rowcount


async def update_family(conn: aiosqlite.Connection, family: Family) -> None:
    """Save the family's own details (not its parents, practitioner or status)."""
    assert family.id is not None
    r = family.referrer
    await conn.execute(
        "UPDATE families SET baby_name = ?, mother_name = ?, due_date = ?, birth_date = ?,"
        " referrer_name = ?, referrer_role = ?, referrer_organisation = ?, referrer_contact = ?,"
        " self_referral = ? WHERE id = ?",
        (
            family.baby_name,
            family.mother_name,
            family.due_date.isoformat() if family.due_date else None,
            family.birth_date.isoformat() if family.birth_date else None,
            r.name,
            r.role,
            r.organisation,
            r.contact,
            int(family.self_referral),
            family.id,
        ),
    )


async def update_parent(conn: aiosqlite.Connection, parent: Parent) -> None:
    """Save a parent's contact details, preferences, consent and do-not-contact marking."""
    assert parent.id is not None
    await conn.execute(
        "UPDATE parents SET name = ?, relationship = ?, mobile = ?, telegram_chat_id = ?,"
        " language = ?, channel = ?, wants_letters = ?, prefers_phone_call = ?, address = ?,"
        " consent_to_text = ?, do_not_contact = ?, do_not_contact_reason = ? WHERE id = ?",
        (
            parent.name,
            parent.relationship,
            parent.mobile,
            parent.telegram_chat_id,
            parent.language,
            parent.channel.value,
            int(parent.wants_letters),
            int(parent.prefers_phone_call),
            parent.address,
            int(parent.consent_to_text),
            int(parent.do_not_contact),
            parent.do_not_contact_reason,
            parent.id,
        ),
    )


# --- Cover -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cover:
    id: int
    practitioner_id: int  # who is away
    cover_id: int  # who covers them
    starts_on: date
    ends_on: date


def _cover(row: aiosqlite.Row) -> Cover:
    return Cover(
        row["id"],
        row["practitioner_id"],
        row["cover_id"],
        date.fromisoformat(row["starts_on"]),
        date.fromisoformat(row["ends_on"]),
    )


async def covers_involving(db: Database, staff_id: int, ending_from: date) -> list[Cover]:
    """Cover for or by this person that has not ended before `ending_from`, soonest first."""
    rows = await db.fetch_all(
        "SELECT * FROM cover WHERE (practitioner_id = ? OR cover_id = ?) AND ends_on >= ?"
        " ORDER BY starts_on, id",
        [staff_id, staff_id, ending_from.isoformat()],
    )
    return [_cover(r) for r in rows]


async def covers_from(db: Database, ending_from: date) -> list[Cover]:
    """Every cover arrangement that has not ended before `ending_from`, soonest first."""
    rows = await db.fetch_all(
        "SELECT * FROM cover WHERE ends_on >= ? ORDER BY starts_on, id", [ending_from.isoformat()]
    )
    return [_cover(r) for r in rows]


async def get_cover(db: Database, cover_id: int) -> Cover | None:
    row = await db.fetch_one("SELECT * FROM cover WHERE id = ?", [cover_id])
    return _cover(row) if row else None


async def cancel_cover(conn: aiosqlite.Connection, cover_id: int) -> bool:
    cursor = await conn.execute("DELETE FROM cover WHERE id = ?", (cover_id,))
    return cursor.rowcount == 1
