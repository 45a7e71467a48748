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


# (kind, table, what it does to each row, which rows, which cutoff)
_STEPS = (
    (
        "inbound_bodies_removed", "inbound",
        "UPDATE inbound SET body = '', media = '[]', body_removed_at = :now",
        f"body_removed_at IS NULL AND family_id IN ({_FINISHED}) AND {_SETTLED}",
        "message_bodies",
    ),
    (
        "outbox_bodies_removed", "outbox",
        "UPDATE outbox SET body = '', body_removed_at = :now",
        f"body_removed_at IS NULL AND status IN {_FINAL_OUTBOX} AND family_id IN ({_FINISHED})",
        "message_bodies",
    ),
    (
        "letters_bodies_removed", "letters",
        "UPDATE letters SET body = '', addressed_to = '', body_removed_at = :now",
        "body_removed_at IS NULL AND status IN ('sent', 'withdrawn')"
        f" AND family_id IN ({_FINISHED})",
        "letters",
    ),
    (
        "queue_items_deleted", "queue_items",
        "DELETE FROM queue_items",
        f"status = 'handled' AND family_id IN ({_FINISHED})",
        "queue_items",
    ),
    (
        "unmatched_bodies_removed", "inbound",
        "UPDATE inbound SET body = '', media = '[]', body_removed_at = :now",
        f"body_removed_at IS NULL AND family_id IS NULL AND received_at < :cutoff AND {_SETTLED}",
        "unmatched_messages",
    ),
)  # fmt: skip
KINDS = tuple(step[0] for step in _STEPS)


async def apply(
    conn: aiosqlite.Connection, cutoffs: RetentionCutoffs, at: datetime, limit: int
) -> dict[str, int]:
    """Remove up to `limit` rows of each kind that have passed their period; returns how
    many rows of each kind changed (a kind at `limit` may have more to do)."""
    counts = {}
    for kind, table, change, which, period in _STEPS:
        cursor = await conn.execute(
            f"{change} WHERE id IN (SELECT id FROM {table} WHERE {which} LIMIT :limit)",
            {"cutoff": ts(getattr(cutoffs, period)), "now": ts(at), "limit": limit},
        )
        counts[kind] = cursor.rowcount
    return counts
