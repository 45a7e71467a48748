"""What staff are told when a text cannot be delivered."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import aiosqlite

from bot.core.model import QueueKind, SendResult
from bot.store import families, queue
from bot.store.outbox import OutboxRow

if TYPE_CHECKING:
    from bot.runtime.service import Service

# Provider codes that mean the parent has blocked texts at the carrier (Twilio 21610).
CARRIER_OPT_OUT_CODES = frozenset({"21610"})


async def on_permanent_failure(
    service: Service, conn: aiosqlite.Connection, row: OutboxRow, result: SendResult, now: datetime
) -> None:
    family = await families.get(conn, row.family_id) if row.family_id else None
    practitioner = family.practitioner_id if family else None
    if result.error_code in CARRIER_OPT_OUT_CODES and row.parent_id is not None:
        await families.set_opted_out(conn, row.parent_id, True, now)
        summary = (
            "texts are blocked by the parent's phone network: ask them to text START,"
            " or phone them"
        )
    else:
        summary = f"a {row.purpose.replace('_', ' ')} text could not be delivered" + (
            f" (error {result.error_code})" if result.error_code else ""
        )
    await queue.add(
        conn, kind=QueueKind.DELIVERY_FAILURE,
        audience="practitioner" if practitioner else "administrator",
        practitioner_id=practitioner, family_id=row.family_id, parent_id=row.parent_id,
        summary=summary, at=now,
    )
