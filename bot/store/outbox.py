"""The durable outbox: rows first, then a worker claims them with a lease and sends."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import aiosqlite

from bot.core.model import FINAL_OUTBOX_STATUSES, ChannelName, OutboxStatus
from bot.core.outbox import OutboxDraft
from bot.core.sms import segment_info
from bot.store.db import Database, from_ts, ts


@dataclass(frozen=True)
class OutboxRow:
    id: int
    channel: ChannelName
    recipient: str
    purpose: str
    body: str
    status: OutboxStatus
    attempts: int
    parent_id: int | None
    staff_id: int | None
    family_id: int | None
    appointment_id: int | None
    template: str | None
    locale: str | None
    urgent: bool
    not_before: datetime
    created_at: datetime
    sent_at: datetime | None
    provider_id: str | None
    error_code: str | None
    error: str | None
    segments: int | None
    encoding: str | None


def _row(r: aiosqlite.Row) -> OutboxRow:
    return OutboxRow(
        id=r["id"],
        channel=ChannelName(r["channel"]),
        recipient=r["recipient"],
        purpose=r["purpose"],
        body=r["body"],
        status=OutboxStatus(r["status"]),
        attempts=r["attempts"],
        parent_id=r["parent_id"],
        staff_id=r["staff_id"],
        family_id=r["family_id"],
        appointment_id=r["appointment_id"],
        template=r["template"],
        locale=r["locale"],
        urgent=bool(r["urgent"]),
        not_before=from_ts(r["not_before"]),  # type: ignore[arg-type]
        created_at=from_ts(r["created_at"]),  # type: ignore[arg-type]
        sent_at=from_ts(r["sent_at"]),
        provider_id=r["provider_id"],
        error_code=r["error_code"],
        error=r["error"],
        segments=r["segments"],
        encoding=r["encoding"],
    )


_INSERT = (
    "INSERT INTO outbox (dedupe_key, channel, recipient, parent_id, staff_id, family_id,"
    " appointment_id, purpose, template, locale, body, encoding, segments, urgent,"
    " on_behalf_of, not_before, created_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (dedupe_key) DO NOTHING"
)


def _insert_params(d: OutboxDraft, at: datetime) -> tuple:
    """Every text's encoding and segment count is stored, counted here when the draft lacks them."""
    if d.segments is None or d.encoding is None:
        info = segment_info(d.body)
        d = replace(d, encoding=info.encoding, segments=info.segments)
    return (
        d.dedupe_key,
        d.channel.value,
        d.recipient,
        d.parent_id,
        d.staff_id,
        d.family_id,
        d.appointment_id,
        d.purpose,
        d.template,
        d.locale,
        d.body,
        d.encoding,
        d.segments,
        int(d.urgent),
        d.on_behalf_of,
        ts(d.not_before),
        ts(at),
    )


async def enqueue(conn: aiosqlite.Connection, d: OutboxDraft, at: datetime) -> int | None:
    """Store a draft; returns its id, or None when its dedupe key was stored before."""
    cursor = await conn.execute(_INSERT, _insert_params(d, at))
    return cursor.lastrowid if cursor.rowcount == 1 else None


async def enqueue_many(
    conn: aiosqlite.Connection, drafts: Sequence[OutboxDraft], at: datetime
) -> int:
    """Store many drafts in one statement (the scheduler's bulk path); returns how many were new."""
    cursor = await conn.executemany(_INSERT, [_insert_params(d, at) for d in drafts])
    return max(cursor.rowcount, 0)


async def claim_due(
    db: Database,
    now: datetime,
    lease: timedelta,
    limit: int = 50,
    channels: tuple[str, ...] | None = None,
) -> list[OutboxRow]:
    """Claim queued rows that are due, and 'sending' rows whose lease ran out (a crashed worker).

    Urgent rows first. A claimed row is 'sending' with a lease; no other worker takes it
    until the lease expires, so a row in flight is never sent twice by two workers.
    """
    channel_filter = ""
    params: list = [ts(now), ts(now)]
    if channels:
        channel_filter = f" AND channel IN ({','.join('?' * len(channels))})"
        params.extend(channels)
    due = (
        "FROM outbox WHERE ((status = 'queued' AND not_before <= ?)"
        " OR (status = 'sending' AND lease_until <= ?))" + channel_filter
    )
    # Look first on the reader: most passes find nothing, and need not wait for the writer.
    if limit <= 0 or await db.fetch_one(f"SELECT 1 {due} LIMIT 1", params) is None:
        return []
    async with db.transaction() as conn:
        async with conn.execute(
            f"SELECT * {due} ORDER BY urgent DESC, not_before, id LIMIT ?", (*params, limit)
        ) as cur:
            rows = [_row(r) for r in await cur.fetchall()]
        for row in rows:
            await conn.execute(
                "UPDATE outbox SET status = 'sending', lease_until = ?, attempts = attempts + 1"
                " WHERE id = ?",
                (ts(now + lease), row.id),
            )
    return rows


async def mark_sent(
    conn: aiosqlite.Connection,
    outbox_id: int,
    at: datetime,
    provider_id: str | None,
    status: OutboxStatus = OutboxStatus.SENT,
) -> None:
    await conn.execute(
        "UPDATE outbox SET status = ?, provider_id = ?, sent_at = ?, lease_until = NULL,"
        " error_code = NULL, error = NULL, final_at = CASE WHEN ? THEN ? END WHERE id = ?",
        (status.value, provider_id, ts(at), status in FINAL_OUTBOX_STATUSES, ts(at), outbox_id),
    )


async def mark_retry(
    conn: aiosqlite.Connection, outbox_id: int, retry_at: datetime, code: str | None, error: str
) -> None:
    """Back to the queue until `retry_at`, keeping the error for staff to see meanwhile."""
    await conn.execute(
        "UPDATE outbox SET status = 'queued', not_before = ?, lease_until = NULL,"
        " error_code = ?, error = ? WHERE id = ?",
        (ts(retry_at), code, error, outbox_id),
    )


async def defer(conn: aiosqlite.Connection, outbox_id: int, until: datetime, reason: str) -> None:
    """Back to the queue until `until` without counting a try (e.g. outside sending hours)."""
    await conn.execute(
        "UPDATE outbox SET status = 'queued', not_before = ?, lease_until = NULL,"
        " attempts = max(0, attempts - 1), error = ? WHERE id = ?",
        (ts(until), reason, outbox_id),
    )


async def mark_final(
    conn: aiosqlite.Connection,
    outbox_id: int,
    status: OutboxStatus,
    at: datetime,
    code: str | None = None,
    error: str | None = None,
) -> None:
    """Failed or withdrawn: nothing more will be tried."""
    await conn.execute(
        "UPDATE outbox SET status = ?, lease_until = NULL, error_code = ?, error = ?,"
        " final_at = ? WHERE id = ?",
        (status.value, code, error, ts(at), outbox_id),
    )


# How far along a text is: a receipt may move it forward, never back.
_PROGRESS = {
    OutboxStatus.QUEUED: 0,
    OutboxStatus.SENDING: 0,
    OutboxStatus.SENT: 1,
    OutboxStatus.DELIVERED: 2,
    OutboxStatus.UNDELIVERED: 2,
    OutboxStatus.FAILED: 2,
    OutboxStatus.WITHDRAWN: 2,
}


@dataclass(frozen=True)
class DeliveryUpdate:
    row: OutboxRow  # as it stood before the receipt
    status: OutboxStatus  # as it stands now
    changed: bool


async def update_delivery(
    conn: aiosqlite.Connection,
    provider_id: str,
    status: OutboxStatus,
    at: datetime,
    code: str | None = None,
) -> DeliveryUpdate | None:
    """Apply a delivery receipt; a final state is never moved backwards. None if unknown."""
    async with conn.execute("SELECT * FROM outbox WHERE provider_id = ?", (provider_id,)) as cur:
        found = await cur.fetchone()
    if found is None:
        return None
    row = _row(found)
    if row.status in FINAL_OUTBOX_STATUSES or _PROGRESS[status] <= _PROGRESS[row.status]:
        return DeliveryUpdate(row, row.status, changed=False)
    final = status in FINAL_OUTBOX_STATUSES
    await conn.execute(
        "UPDATE outbox SET status = ?, error_code = coalesce(?, error_code),"
        " final_at = CASE WHEN ? THEN ? ELSE final_at END WHERE id = ?",
        (status.value, code, final, ts(at), row.id),
    )
    return DeliveryUpdate(row, status, changed=True)


async def withdraw_for_appointment(
    conn: aiosqlite.Connection, appointment_id: int, at: datetime
) -> int:
    cursor = await conn.execute(
        "UPDATE outbox SET status = 'withdrawn', final_at = ?, error = 'appointment changed'"
        " WHERE appointment_id = ? AND status = 'queued'",
        (ts(at), appointment_id),
    )
    return cursor.rowcount


async def get(db: Database, outbox_id: int) -> OutboxRow | None:
    row = await db.fetch_one("SELECT * FROM outbox WHERE id = ?", [outbox_id])
    return _row(row) if row else None


async def for_family(db: Database, family_id: int) -> list[OutboxRow]:
    rows = await db.fetch_all(
        "SELECT * FROM outbox WHERE family_id = ? ORDER BY created_at, id", [family_id]
    )
    return [_row(r) for r in rows]


async def for_recipient(db: Database, channel: str, recipient: str) -> list[OutboxRow]:
    rows = await db.fetch_all(
        "SELECT * FROM outbox WHERE channel = ? AND recipient = ? ORDER BY id", [channel, recipient]
    )
    return [_row(r) for r in rows]


async def failures(db: Database, limit: int = 200) -> list[OutboxRow]:
    rows = await db.fetch_all(
        "SELECT * FROM outbox WHERE status IN ('failed', 'undelivered') ORDER BY id DESC LIMIT ?",
        [limit],
    )
    return [_row(r) for r in rows]
