"""Applying the retention policy: words removed, the facts kept. Never the audit log or
escalation records."""

from __future__ import annotations

from datetime import datetime

import aiosqlite

from bot.core.retention import RetentionCutoffs
from bot.store.db import ts

# Families whose work ended before the cutoff and with no escalation still open.
_FINISHED = """
    SELECT f.id FROM families f
    WHERE f.status IN ('closed', 'referred_back')
      AND coalesce(f.closed_at, f.referred_back_at) < :cutoff
      AND NOT EXISTS (
          SELECT 1 FROM escalations e WHERE e.family_id = f.id AND e.status != 'closed'
      )
"""
# A message whose words may go: triaged and processed, nobody still has it to read, and it
# raised no escalation (those words are part of the escalation's record, kept with it).
_SETTLED = """(
    inbound.processed_at IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM queue_items q
                    WHERE q.inbound_id = inbound.id AND q.status = 'open')
    AND NOT EXISTS (SELECT 1 FROM escalations e WHERE e.inbound_id = inbound.id)
)"""
_FINAL_OUTBOX = "('sent', 'delivered', 'undelivered', 'failed', 'withdrawn')"


async def apply(conn: aiosqlite.Connection, cutoffs: RetentionCutoffs, at: datetime) -> dict:
    """Remove what has passed its period; returns how many rows of each kind changed."""
    now = ts(at)
    bodies = {"cutoff": ts(cutoffs.message_bodies), "now": now}
    counts = {}
    cursor = await conn.execute(
        "UPDATE inbound SET body = '', media = '[]', body_removed_at = :now"
        f" WHERE body_removed_at IS NULL AND family_id IN ({_FINISHED}) AND {_SETTLED}",
        bodies,
    )
    counts["inbound_bodies_removed"] = cursor.rowcount
    cursor = await conn.execute(
        "UPDATE outbox SET body = '', body_removed_at = :now"
        f" WHERE body_removed_at IS NULL AND status IN {_FINAL_OUTBOX}"
        f" AND family_id IN ({_FINISHED})",
        bodies,
    )
    counts["outbox_bodies_removed"] = cursor.rowcount
    cursor = await conn.execute(
        "UPDATE letters SET body = '', addressed_to = '', body_removed_at = :now"
        " WHERE body_removed_at IS NULL AND status IN ('sent', 'withdrawn')"
        f" AND family_id IN ({_FINISHED})",
        {"cutoff": ts(cutoffs.letters), "now": now},
    )
    counts["letters_bodies_removed"] = cursor.rowcount
    cursor = await conn.execute(
        f"DELETE FROM queue_items WHERE status = 'handled' AND family_id IN ({_FINISHED})",
        {"cutoff": ts(cutoffs.queue_items)},
    )
    counts["queue_items_deleted"] = cursor.rowcount
    cursor = await conn.execute(
        "UPDATE inbound SET body = '', media = '[]', body_removed_at = :now"
        " WHERE body_removed_at IS NULL AND family_id IS NULL AND received_at < :cutoff"
        f" AND {_SETTLED}",
        {"cutoff": ts(cutoffs.unmatched_messages), "now": now},
    )
    counts["unmatched_bodies_removed"] = cursor.rowcount
    return counts
