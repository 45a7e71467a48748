"""Erasing a parent (UK GDPR article 17): their personal data and words go, the facts stay.

Kept: that texts were sent and received (when, channel, status), escalation records with
the rules that fired (not the words they matched), appointments, and the audit log.
"""

from __future__ import annotations

import json
from datetime import datetime

import aiosqlite

from bot.core.erasure import ERASED_NAME, ERASED_SENDER, without_matched_words
from bot.store.db import Database, ts


async def open_escalations(conn: aiosqlite.Connection, family_id: int) -> int:
    rows = await conn.execute_fetchall(
        "SELECT count(*) FROM escalations WHERE family_id = ? AND status != 'closed'",
        (family_id,),
    )
    return list(rows)[0][0]


async def count_open_escalations(db: Database, family_id: int) -> int:
    row = await db.fetch_one(
        "SELECT count(*) AS n FROM escalations WHERE family_id = ? AND status != 'closed'",
        [family_id],
    )
    return row["n"] if row else 0


async def unprocessed_messages(conn: aiosqlite.Connection, parent_id: int) -> int:
    """Messages from the parent (or their number) stored but not yet triaged."""
    rows = await conn.execute_fetchall(
        "SELECT count(*) FROM inbound WHERE processed_at IS NULL AND (parent_id = ?"
        " OR sender = (SELECT mobile FROM parents WHERE id = ?))",
        (parent_id, parent_id),
    )
    return list(rows)[0][0]


async def parent_state(conn: aiosqlite.Connection, parent_id: int) -> tuple | None:
    """(family id, erased at) or None."""
    rows = list(
        await conn.execute_fetchall(
            "SELECT family_id, erased_at FROM parents WHERE id = ?", (parent_id,)
        )
    )
    return tuple(rows[0]) if rows else None


async def parent(db: Database, parent_id: int) -> dict | None:
    row = await db.fetch_one("SELECT * FROM parents WHERE id = ?", [parent_id])
    return dict(row) if row else None


async def erase_parent(conn: aiosqlite.Connection, parent_id: int, at: datetime) -> dict[str, int]:
    """Erase within the caller's transaction; returns counts per kind for the audit log."""
    now = ts(at)
    async with conn.execute("SELECT * FROM parents WHERE id = ?", (parent_id,)) as cursor:
        parent = await cursor.fetchone()
    assert parent is not None
    mobile, name, family_id = parent["mobile"], parent["name"], parent["family_id"]
    counts: dict[str, int] = {}

    # Their messages, and messages from their number that matched nobody.
    inbound_ids = [
        row[0]
        for row in await conn.execute_fetchall(
            "SELECT id FROM inbound WHERE parent_id = ? OR (parent_id IS NULL AND sender = ?)",
            (parent_id, mobile or ""),
        )
    ]
    marks = ", ".join("?" * len(inbound_ids))
    cursor = await conn.execute(
        "UPDATE inbound SET body = '', media = '[]', sender = ?, reasons = '[]',"
        f" body_removed_at = coalesce(body_removed_at, ?) WHERE id IN ({marks})",
        (ERASED_SENDER, now, *inbound_ids),
    )
    counts["texts_from_them"] = cursor.rowcount
    for row in await conn.execute_fetchall(
        f"SELECT id, reasons FROM escalations WHERE inbound_id IN ({marks}) OR parent_id = ?",
        (*inbound_ids, parent_id),
    ):
        kept = without_matched_words(json.loads(row[1] or "[]"))
        await conn.execute(
            "UPDATE escalations SET reasons = ? WHERE id = ?", (json.dumps(kept), row[0])
        )
    # Anything waiting to be sent to them is cancelled; every text to them loses its words.
    cursor = await conn.execute(
        "UPDATE outbox SET status = 'withdrawn', final_at = ?, lease_until = NULL,"
        " error = 'parent erased' WHERE status IN ('queued', 'sending')"
        " AND staff_id IS NULL AND (parent_id = ? OR recipient = ?)",
        (now, parent_id, mobile or ""),
    )
    counts["texts_cancelled"] = cursor.rowcount
    cursor = await conn.execute(
        "UPDATE outbox SET body = '', recipient = ?, provider_id = NULL,"
        " body_removed_at = coalesce(body_removed_at, ?)"
        " WHERE staff_id IS NULL AND (parent_id = ? OR recipient = ?)",
        (ERASED_SENDER, now, parent_id, mobile or ""),
    )
    counts["texts_to_them"] = cursor.rowcount
    # Reminders go only for appointments where nobody else is still expected.
    cursor = await conn.execute(
        "UPDATE reminders SET status = 'withdrawn', done_at = ?"
        " WHERE status = 'pending' AND appointment_id IN"
        "  (SELECT appointment_id FROM appointment_parents WHERE parent_id = ?)"
        " AND NOT EXISTS (SELECT 1 FROM appointment_parents other"
        "  WHERE other.appointment_id = reminders.appointment_id AND other.parent_id != ?)",
        (now, parent_id, parent_id),
    )
    counts["reminders_cancelled"] = cursor.rowcount
    cursor = await conn.execute("DELETE FROM appointment_parents WHERE parent_id = ?", (parent_id,))
    counts["appointment_answers"] = cursor.rowcount
    cursor = await conn.execute(
        "UPDATE queue_items SET summary = '', status = 'handled',"
        " handled_at = coalesce(handled_at, ?)"
        f" WHERE parent_id = ? OR inbound_id IN ({marks})",
        (now, parent_id, *inbound_ids),
    )
    counts["queue_items"] = cursor.rowcount
    # Letters that name them: the words go, and a letter still waiting is withdrawn.
    letters = 0
    for row in await conn.execute_fetchall(
        "SELECT id, status, addressed_to, body FROM letters WHERE family_id = ?", (family_id,)
    ):
        if name and (name in row[2] or name in row[3]):
            status = "withdrawn" if row[1] in ("draft", "waiting") else row[1]
            await conn.execute(
                "UPDATE letters SET body = '', addressed_to = '', status = ?,"
                " withdrawn_at = CASE WHEN ? = 'withdrawn' AND withdrawn_at IS NULL"
                "  THEN ? ELSE withdrawn_at END,"
                " body_removed_at = coalesce(body_removed_at, ?) WHERE id = ?",
                (status, status, now, now, row[0]),
            )
            letters += 1
    counts["letters"] = letters
    await conn.execute("DELETE FROM telegram_links WHERE parent_id = ?", (parent_id,))
    await conn.execute(
        "UPDATE families SET mother_name = NULL WHERE id = ? AND mother_name = ?",
        (family_id, name),
    )
    await conn.execute(
        "UPDATE parents SET name = ?, mobile = NULL, telegram_chat_id = NULL, address = '',"
        " relationship = 'parent', consent_to_text = 0, do_not_contact = 1,"
        " do_not_contact_reason = 'erased', opted_out = 1, opted_out_at = NULL,"
        " telegram_unreachable_at = NULL, erased_at = ? WHERE id = ?",
        (ERASED_NAME, now, parent_id),
    )
    return counts
